//! The shape shared by every coord attribute: `"positional"`, `key = value`, `key(...)`, `flag`,
//! separated by commas; plus the table-driven checks for unknown and duplicate keys and the typed
//! readers for values. Each macro's argument group is read from this one representation.

use proc_macro2::TokenStream;
use syn::ext::IdentExt as _;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprLit, Ident, Lit, LitBool, LitStr, Token};

use crate::errors::Errors;

/// One comma-separated argument.
pub(crate) enum Arg {
    /// A bare literal, e.g. the name in `#[track_performance("checkout")]`.
    Positional(Lit),
    /// `key = value`, `key(tokens)` or a bare `key`.
    Named(NamedArg),
}

/// A keyed argument.
#[derive(Clone)]
pub(crate) struct NamedArg {
    /// The key (may be a keyword such as `crate`).
    pub key: Ident,
    /// What follows the key.
    pub value: ArgValue,
}

/// What follows a key.
#[derive(Clone)]
pub(crate) enum ArgValue {
    /// `key = expr`.
    Assigned(Expr),
    /// `key(tokens)`, an argument group parsed by its own parser.
    Group(TokenStream),
    /// `key` alone.
    Flag,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Lit) {
            return Ok(Arg::Positional(input.parse()?));
        }
        let key = Ident::parse_any(input).map_err(|err| {
            syn::Error::new(err.span(), "expected an argument such as `name = \"...\"`")
        })?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            ArgValue::Assigned(input.parse()?)
        } else if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            ArgValue::Group(content.parse()?)
        } else {
            ArgValue::Flag
        };
        Ok(Arg::Named(NamedArg { key, value }))
    }
}

/// Parses a whole attribute argument list.
pub(crate) fn parse_args(tokens: TokenStream) -> syn::Result<Vec<Arg>> {
    let args = syn::parse::Parser::parse2(Punctuated::<Arg, Token![,]>::parse_terminated, tokens)?;
    Ok(args.into_iter().collect())
}

impl NamedArg {
    /// The key as written, `r#` removed.
    pub(crate) fn key_name(&self) -> String {
        self.key.unraw().to_string()
    }
}

/// The keys one attribute (or argument group) accepts.
pub(crate) struct KeyTable {
    /// How the attribute is named in messages, e.g. `#[track_performance]`.
    pub context: &'static str,
    /// Every key it accepts, in groups, so shared groups (the retry keys) are listed once.
    pub groups: &'static [&'static [&'static str]],
    /// Keys that may be given more than once (e.g. `field(...)`).
    pub repeatable: &'static [&'static str],
}

impl KeyTable {
    /// Every key, in order.
    pub(crate) fn keys(&self) -> Vec<&'static str> {
        self.groups
            .iter()
            .flat_map(|group| group.iter().copied())
            .collect()
    }

    /// Whether `key` is accepted.
    pub(crate) fn accepts(&self, key: &str) -> bool {
        self.groups.iter().any(|group| group.contains(&key))
    }

    /// Reports unknown keys (with a suggestion) and repeated keys; returns the args whose key is
    /// known and seen for the first time, so each value is checked once.
    pub(crate) fn check<'a>(&self, args: &'a [NamedArg], errors: &mut Errors) -> Vec<&'a NamedArg> {
        let mut seen: Vec<String> = Vec::new();
        let mut accepted = Vec::new();
        for arg in args {
            let key = arg.key_name();
            if !self.accepts(&key) {
                errors.at(arg.key.span(), self.unknown_key_message(&key));
            } else if seen.contains(&key) && !self.repeatable.contains(&key.as_str()) {
                errors.at(
                    arg.key.span(),
                    format!(
                        "duplicate argument `{key}` in {}: give it once",
                        self.context
                    ),
                );
            } else {
                seen.push(key);
                accepted.push(arg);
            }
        }
        accepted
    }

    fn unknown_key_message(&self, key: &str) -> String {
        let keys = self.keys();
        let valid = keys
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        match coord_text::closest(key, &keys) {
            Some(near) => format!(
                "unknown argument `{key}` in {}; did you mean `{near}`? (valid arguments: {valid})",
                self.context
            ),
            None => format!(
                "unknown argument `{key}` in {} (valid arguments: {valid})",
                self.context
            ),
        }
    }
}

/// Describes what a value is, for "found ..." in messages.
fn describe(expr: &Expr) -> &'static str {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Str(_) => "a string literal",
            Lit::Bool(_) => "a boolean",
            Lit::Int(_) => "an integer",
            Lit::Float(_) => "a float",
            _ => "a literal",
        },
        Expr::Path(_) => "a path",
        Expr::Array(_) => "a list",
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            ..
        }) => "a negative number",
        _ => "an expression",
    }
}

fn assigned<'a>(arg: &'a NamedArg, expected: &str) -> syn::Result<&'a Expr> {
    match &arg.value {
        ArgValue::Assigned(expr) => Ok(expr),
        ArgValue::Group(tokens) => Err(syn::Error::new(
            if tokens.is_empty() {
                arg.key.span()
            } else {
                tokens.span()
            },
            format!(
                "`{}` takes a value, not a parenthesized group: `{} = {expected}`",
                arg.key_name(),
                arg.key_name()
            ),
        )),
        ArgValue::Flag => Err(syn::Error::new(
            arg.key.span(),
            format!(
                "`{}` expects a value: `{} = {expected}`",
                arg.key_name(),
                arg.key_name()
            ),
        )),
    }
}

/// Reads `key = "string"`.
pub(crate) fn string(arg: &NamedArg, example: &str) -> syn::Result<LitStr> {
    let expr = assigned(arg, example)?;
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(lit.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!(
                "`{}` expects a string literal, e.g. `{} = {example}`; found {}",
                arg.key_name(),
                arg.key_name(),
                describe(other)
            ),
        )),
    }
}

/// Reads `key = true | false`; a bare `key` means `true`.
pub(crate) fn boolean(arg: &NamedArg) -> syn::Result<LitBool> {
    if let ArgValue::Flag = arg.value {
        return Ok(LitBool::new(true, arg.key.span()));
    }
    let expr = assigned(arg, "true")?;
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(lit),
            ..
        }) => Ok(lit.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!(
                "`{}` expects `true` or `false`; found {}",
                arg.key_name(),
                describe(other)
            ),
        )),
    }
}

/// Reads `crate = "path::to::coord"`.
pub(crate) fn crate_path(arg: &NamedArg) -> syn::Result<syn::Path> {
    let lit = string(arg, "\"my_facade::coord\"")?;
    lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!(
                "`crate` expects a path to the coord crate, e.g. `crate = \"my_facade::coord\"`; `{}` is not a path",
                lit.value()
            ),
        )
    })
}

/// Reads `key = <non-negative integer>`; `min` is the smallest value allowed.
pub(crate) fn integer(arg: &NamedArg, min: u32) -> syn::Result<u32> {
    let expr = assigned(arg, &min.max(1).to_string())?;
    let key = arg.key_name();
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => {
            let value: u32 = lit
                .base10_parse()
                .map_err(|_| syn::Error::new(lit.span(), format!("`{key}` must fit in 32 bits")))?;
            if value < min {
                return Err(syn::Error::new(
                    lit.span(),
                    format!("`{key}` must be at least {min}, found {value}"),
                ));
            }
            Ok(value)
        }
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            ..
        }) => Err(syn::Error::new(
            expr.span(),
            format!("`{key}` cannot be negative"),
        )),
        other => Err(syn::Error::new(
            other.span(),
            format!("`{key}` expects a whole number; found {}", describe(other)),
        )),
    }
}

/// Reads `key = <number>` (integer or float) within `range`, described by `rule`.
pub(crate) fn number(arg: &NamedArg, check: impl Fn(f64) -> bool, rule: &str) -> syn::Result<f64> {
    let expr = assigned(arg, "2.0")?;
    let key = arg.key_name();
    let (value, span) = match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Float(lit),
            ..
        }) => (lit.base10_parse::<f64>()?, lit.span()),
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => (lit.base10_parse::<f64>()?, lit.span()),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            ..
        }) => {
            return Err(syn::Error::new(
                expr.span(),
                format!("`{key}` {rule}, found a negative number"),
            ));
        }
        other => {
            return Err(syn::Error::new(
                other.span(),
                format!("`{key}` expects a number; found {}", describe(other)),
            ));
        }
    };
    if !value.is_finite() || !check(value) {
        return Err(syn::Error::new(
            span,
            format!("`{key}` {rule}, found {value}"),
        ));
    }
    Ok(value)
}

/// Reads a count option (`window = 20`), checked against its bounds in `coord-text`'s option
/// table, which the runtime applies to the same option in files and builders.
pub(crate) fn option_count(arg: &NamedArg, spec: &coord_text::OptionSpec) -> syn::Result<u32> {
    let value = integer(arg, 0)?;
    spec.check_count(u64::from(value))
        .map_err(|problem| option_error(arg, problem, &value.to_string()))?;
    Ok(value)
}

/// Reads a number option (`failure_rate = 0.5`), checked as [`option_count`] is.
pub(crate) fn option_number(arg: &NamedArg, spec: &coord_text::OptionSpec) -> syn::Result<f64> {
    let value = number(arg, |_| true, "must be a number")?;
    spec.check_number(value)
        .map_err(|problem| option_error(arg, problem, &value.to_string()))
}

/// Reads a duration option (`open_for = "30s"`) into nanoseconds, checked as [`option_count`]
/// is.
pub(crate) fn option_duration(arg: &NamedArg, spec: &coord_text::OptionSpec) -> syn::Result<u64> {
    let lit = string(arg, "\"250ms\"")?;
    let key = arg.key_name();
    let nanos = coord_text::parse_duration_nanos(&lit.value())
        .map_err(|reason| syn::Error::new(lit.span(), format!("`{key}`: {reason}")))?;
    spec.check_nanos(nanos).map_err(|problem| {
        syn::Error::new(
            lit.span(),
            format!("`{key}` {problem}, found \"{}\"", lit.value()),
        )
    })
}

fn option_error(arg: &NamedArg, problem: coord_text::OptionProblem, found: &str) -> syn::Error {
    let span = match &arg.value {
        ArgValue::Assigned(expr) => expr.span(),
        _ => arg.key.span(),
    };
    syn::Error::new(
        span,
        format!("`{}` {problem}, found {found}", arg.key_name()),
    )
}

/// Reads `key = "one_of_choices"`, suggesting the nearest choice for a typo.
pub(crate) fn choice(arg: &NamedArg, choices: &[&'static str]) -> syn::Result<&'static str> {
    let example = format!("\"{}\"", choices[0]);
    let lit = string(arg, &example)?;
    let value = lit.value();
    if let Some(found) = choices.iter().find(|choice| **choice == value) {
        return Ok(found);
    }
    let valid = choices
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = coord_text::closest(&value, choices)
        .map(|near| format!("; did you mean \"{near}\"?"))
        .unwrap_or_default();
    Err(syn::Error::new(
        lit.span(),
        format!(
            "unknown {} \"{value}\"{hint} (one of {valid})",
            arg.key_name()
        ),
    ))
}

/// Reads `key = path::to::item`.
pub(crate) fn path(arg: &NamedArg, example: &str) -> syn::Result<syn::Path> {
    let expr = assigned(arg, example)?;
    match expr {
        Expr::Path(syn::ExprPath {
            path, qself: None, ..
        }) => Ok(path.clone()),
        other => Err(syn::Error::new(
            other.span(),
            format!(
                "`{}` expects a path to a function, e.g. `{} = {example}`; found {}",
                arg.key_name(),
                arg.key_name(),
                describe(other)
            ),
        )),
    }
}

/// The keyed arguments inside `key(...)`.
pub(crate) fn group(arg: &NamedArg, table: &KeyTable, errors: &mut Errors) -> Vec<NamedArg> {
    let ArgValue::Group(tokens) = &arg.value else {
        errors.at(
            arg.key.span(),
            format!("write `{}(...)` with its arguments inside", arg.key_name()),
        );
        return Vec::new();
    };
    let Some(list) = errors.ok(parse_args(tokens.clone())) else {
        return Vec::new();
    };
    let mut named = Vec::new();
    for inner in list {
        match inner {
            Arg::Named(inner) => named.push(inner),
            Arg::Positional(lit) => errors.at(
                lit.span(),
                format!("arguments of {} are keyed", table.context),
            ),
        }
    }
    table.check(&named, errors).into_iter().cloned().collect()
}

/// The keyed arguments of an attribute's `tokens`; each positional one is reported with
/// `message`.
pub(crate) fn keyed(tokens: TokenStream, message: &str, errors: &mut Errors) -> Vec<NamedArg> {
    let Some(list) = errors.ok(parse_args(tokens)) else {
        return Vec::new();
    };
    let mut named = Vec::new();
    for arg in list {
        match arg {
            Arg::Named(arg) => named.push(arg),
            Arg::Positional(lit) => errors.at(lit.span(), message),
        }
    }
    named
}
