//! Arguments of `#[validate_input]`: a named rule set (`rules = "..."`) or inline rules
//! (`required = [...]`, `field(path, ...)`, `forbidden_patterns`, `max_depth`,
//! `max_string_length`), optionally for one argument (`arg = user`). Inline rules are checked
//! here, at compile time, with the meaning rule files have, and embedded as a JSON document.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser as _;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprLit, Ident, ItemFn, Lit, LitStr, Token};

use crate::args::{self, Arg, ArgValue, KeyTable, NamedArg};
use crate::errors::Errors;
use crate::func;
use crate::json::Json;

/// The keys of the attribute (and of `#[coordinate_operation(validate(...))]`).
pub(crate) const VALIDATE_KEYS: &[&str] = &[
    "rules",
    "arg",
    "required",
    "field",
    "forbidden_patterns",
    "max_depth",
    "max_string_length",
    "compare",
    "one_of_required",
];

const FIELD_KEYS: KeyTable = KeyTable {
    context: "field rules",
    groups: &[coord_text::FIELD_KEYWORDS],
    repeatable: &[],
};

/// A path written in an attribute, with where it was written.
struct WrittenPath {
    path: String,
    span: Span,
}

/// What the attribute asked to validate, and against what.
#[derive(Default)]
pub(crate) struct ValidateArgs {
    /// A named rule set.
    pub rules: Option<LitStr>,
    /// The one argument to validate, instead of all of them.
    pub arg: Option<Ident>,
    required: Vec<WrittenPath>,
    fields: Vec<(WrittenPath, Json)>,
    /// `compare` rules as written, and the paths they name.
    compare: Vec<(String, Vec<WrittenPath>)>,
    /// `one_of_required` lists.
    one_of: Vec<Vec<WrittenPath>>,
    /// The functions `check = path` names, by the path as written (no spaces).
    checks: Vec<(String, syn::Path)>,
    globals: Vec<(String, Json)>,
    first_inline: Option<Span>,
    /// Whether any argument was written (a misspelt one is reported on its own).
    pub written: bool,
}

impl ValidateArgs {
    /// Where the arguments that say what to check are written (the rule set's name, else the
    /// first inline rule): errors about the function's error type point there.
    pub(crate) fn span(&self) -> Option<Span> {
        self.rules.as_ref().map(LitStr::span).or(self.first_inline)
    }

    /// Reads one argument (its key checked against [`VALIDATE_KEYS`]).
    pub(crate) fn read(&mut self, arg: &NamedArg, errors: &mut Errors) {
        let key = arg.key_name();
        if !matches!(key.as_str(), "rules" | "arg") && self.first_inline.is_none() {
            self.first_inline = Some(arg.key.span());
        }
        match key.as_str() {
            "rules" => self.rules = errors.ok(args::string(arg, "\"user_profile\"")),
            "arg" => self.arg = errors.ok(ident(arg)),
            "required" => {
                if let Some(paths) = errors.ok(path_list(arg)) {
                    self.required.extend(paths);
                }
            }
            "field" => {
                if let Some(field) = errors.ok(field(arg, &mut self.checks)) {
                    self.fields.push(field);
                }
            }
            "compare" => {
                for written in errors.ok(string_list(arg)).unwrap_or_default() {
                    let text = written.value();
                    match coord_text::parse_comparison(&text) {
                        Ok(comparison) => {
                            let paths = [comparison.left, comparison.right]
                                .iter()
                                .map(|path| WrittenPath {
                                    path: (*path).to_owned(),
                                    span: written.span(),
                                })
                                .collect();
                            self.compare.push((text.clone(), paths));
                        }
                        Err(message) => errors.at(written.span(), message),
                    }
                }
            }
            "one_of_required" => {
                if let Some(paths) = errors.ok(path_list(arg)) {
                    let written: Vec<&str> = paths.iter().map(|p| p.path.as_str()).collect();
                    match coord_text::one_of_problem(&written) {
                        Some(message) => errors.at(arg.key.span(), message),
                        None => self.one_of.push(paths),
                    }
                }
            }
            "forbidden_patterns" => {
                if let Some(patterns) = errors.ok(string_list(arg)) {
                    let mut checked = Vec::new();
                    for pattern in patterns {
                        if let Err(message) = check_regex(&pattern.value()) {
                            errors.at(pattern.span(), message);
                        }
                        checked.push(Json::String(pattern.value()));
                    }
                    self.globals.push((key, Json::Array(checked)));
                }
            }
            "max_depth" | "max_string_length" => {
                if let Some(limit) = errors.ok(args::integer(arg, 1)) {
                    self.globals.push((key, Json::Number(f64::from(limit))));
                }
            }
            other => errors.at(
                arg.key.span(),
                format!("`{other}` is not a validation argument"),
            ),
        }
    }

    /// Adds the rules of the field at `path` (written on the field by the derive).
    pub(crate) fn add_field(&mut self, path: String, span: Span, rules: Json) {
        self.first_inline.get_or_insert(span);
        self.fields.push((WrittenPath { path, span }, rules));
    }

    /// The functions the rules' `check`s name, for a parser adding more.
    pub(crate) fn checks_mut(&mut self) -> &mut Vec<(String, syn::Path)> {
        &mut self.checks
    }

    /// Makes the rules inline even when none are written (a derive on a struct without rules
    /// still has a document, empty).
    pub(crate) fn mark_inline(&mut self, span: Span) {
        self.first_inline.get_or_insert(span);
    }

    /// Whether the attribute said anything at all about what to validate.
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_none() && self.first_inline.is_none()
    }

    /// Whether the one argument named by `arg` is validated by its own type's rules (its
    /// `coord::validation::Validated` impl): `arg` without rules.
    pub(crate) fn by_own_rules(&self) -> bool {
        self.arg.is_some() && self.is_empty()
    }

    /// Checks the arguments against each other and against the parameter names.
    pub(crate) fn check(&self, function: &ItemFn, span: Span, errors: &mut Errors) {
        let parameters = &func::parameters(function);
        self.check_together(span, errors);
        if let Some(arg) = &self.arg
            && !parameters.iter().any(|name| arg == name)
        {
            errors.at(
                arg.span(),
                unknown_parameter(function, &arg.to_string(), parameters),
            );
        }
        if self.arg.is_none() {
            for path in self.written_paths() {
                let first = path.path.split('.').next().unwrap_or_default();
                if !parameters.iter().any(|name| name == first) {
                    errors.at(path.span, unknown_parameter(function, first, parameters));
                }
            }
        }
    }

    /// Checks the arguments of `#[coord::validated]` on a struct: paths start at its fields
    /// (`fields` is `None` when serde renames them all, so the wire names are not known here).
    pub(crate) fn check_struct(&self, fields: Option<&[String]>, span: Span, errors: &mut Errors) {
        self.check_together(span, errors);
        if let Some(arg) = &self.arg {
            errors.at(
                arg.span(),
                "`arg` picks a function parameter; on a struct the rules apply to the struct itself",
            );
        }
        let Some(fields) = fields else {
            return;
        };
        for path in self.written_paths() {
            let first = path.path.split('.').next().unwrap_or_default();
            if !fields.iter().any(|name| name == first) {
                let candidates: Vec<&str> = fields.iter().map(String::as_str).collect();
                let hint = coord_text::closest(first, &candidates)
                    .map(|near| format!("; did you mean `{near}`?"))
                    .unwrap_or_default();
                errors.at(
                    path.span,
                    format!(
                        "the struct has no field `{first}`{hint} (fields: {})",
                        candidates
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }

    /// Every path written in `required`, `field(...)`, `compare` and `one_of_required`.
    fn written_paths(&self) -> impl Iterator<Item = &WrittenPath> {
        self.required
            .iter()
            .chain(self.fields.iter().map(|(path, _)| path))
            .chain(self.compare.iter().flat_map(|(_, paths)| paths))
            .chain(self.one_of.iter().flatten())
    }

    /// The `static` holding the inline rules (named `__COORD_INLINE_RULES`), with the check
    /// functions they name and the `nested` fields' rules; `None` without inline rules.
    pub(crate) fn inline_static(
        &self,
        name: &str,
        private: &TokenStream,
        nested: &TokenStream,
    ) -> Option<TokenStream> {
        let document = self.inline_document()?;
        let checks = self.checks.iter().map(|(written, path)| {
            // Spanned at the path: a function of the wrong shape is reported there.
            quote::quote_spanned! {path.span()=>
                (#written, &#private::check_fn(#path) as &dyn #private::DynCheck)
            }
        });
        Some(quote::quote! {
            static __COORD_INLINE_RULES: #private::InlineRules = #private::InlineRules::with_parts(
                #name,
                #document,
                &[#(#checks),*],
                #nested,
            );
        })
    }

    /// The checks that need nothing but the arguments.
    fn check_together(&self, span: Span, errors: &mut Errors) {
        if let (Some(rules), Some(inline)) = (&self.rules, self.first_inline) {
            errors.at(
                inline,
                format!(
                    "use either `rules = \"{}\"` or inline rules, not both",
                    rules.value()
                ),
            );
        }
        if self.is_empty() && self.arg.is_none() && !self.written {
            errors.at(span, "say what to validate: `rules = \"rule_set\"` (from the rules directory) or inline rules such as `required = [user_id]`, `field(age, type = \"integer\", min = 18)`");
        }
    }

    /// The inline rules as a JSON rule-set document, if there are any.
    pub(crate) fn inline_document(&self) -> Option<String> {
        self.first_inline?;
        let mut document = Vec::new();
        if !self.required.is_empty() {
            let required = self
                .required
                .iter()
                .map(|p| Json::String(p.path.clone()))
                .collect();
            document.push(("required_fields".to_owned(), Json::Array(required)));
        }
        if !self.fields.is_empty() {
            let fields = self
                .fields
                .iter()
                .map(|(path, rules)| (path.path.clone(), rules.clone()))
                .collect();
            document.push(("field_validations".to_owned(), Json::Object(fields)));
        }
        if !self.compare.is_empty() {
            let compare = self
                .compare
                .iter()
                .map(|(text, _)| Json::String(text.clone()))
                .collect();
            document.push(("compare".to_owned(), Json::Array(compare)));
        }
        if !self.one_of.is_empty() {
            let lists = self
                .one_of
                .iter()
                .map(|paths| {
                    Json::Array(paths.iter().map(|p| Json::String(p.path.clone())).collect())
                })
                .collect();
            document.push(("one_of_required".to_owned(), Json::Array(lists)));
        }
        document.extend(self.globals.iter().cloned());
        Some(Json::Object(document).render())
    }
}

fn unknown_parameter(function: &ItemFn, name: &str, parameters: &[String]) -> String {
    if let Some(hint) = func::pattern_hint(function, name) {
        return hint;
    }
    let candidates: Vec<&str> = parameters.iter().map(String::as_str).collect();
    let hint = coord_text::closest(name, &candidates)
        .map(|near| format!("; did you mean `{near}`?"))
        .unwrap_or_default();
    let listed = candidates
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("no parameter named `{name}`{hint} (parameters: {listed})")
}

fn ident(arg: &NamedArg) -> syn::Result<Ident> {
    match &arg.value {
        ArgValue::Assigned(Expr::Path(path)) if path.path.get_ident().is_some() => Ok(path
            .path
            .get_ident()
            .cloned()
            .unwrap_or_else(|| arg.key.clone())),
        _ => Err(syn::Error::new(
            arg.key.span(),
            "`arg` names one parameter, e.g. `arg = user`",
        )),
    }
}

/// `a`, `a.b.c` or `"a.b.c"` as a dotted path.
fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        Expr::Field(field) => {
            let base = dotted(&field.base)?;
            let member = match &field.member {
                syn::Member::Named(name) => name.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            Some(format!("{base}.{member}"))
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.value()),
        _ => None,
    }
}

fn written_path(expr: &Expr) -> syn::Result<WrittenPath> {
    let path = dotted(expr).ok_or_else(|| {
        syn::Error::new(
            expr.span(),
            "expected a field path such as `age`, `user.email` or `\"user.email\"`",
        )
    })?;
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(syn::Error::new(
            expr.span(),
            format!("field path `{path}` has an empty segment"),
        ));
    }
    Ok(WrittenPath {
        path,
        span: expr.span(),
    })
}

fn path_list(arg: &NamedArg) -> syn::Result<Vec<WrittenPath>> {
    match &arg.value {
        ArgValue::Assigned(Expr::Array(array)) => array.elems.iter().map(written_path).collect(),
        _ => Err(syn::Error::new(
            arg.key.span(),
            "`required` expects a list of fields, e.g. `required = [user_id, data]`",
        )),
    }
}

fn string_list(arg: &NamedArg) -> syn::Result<Vec<LitStr>> {
    let expected = || {
        syn::Error::new(
            arg.key.span(),
            format!(
                "`{}` expects a list of strings, e.g. `[\"(?i)<script\"]`",
                arg.key_name()
            ),
        )
    };
    let ArgValue::Assigned(Expr::Array(array)) = &arg.value else {
        return Err(expected());
    };
    array
        .elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => Ok(lit.clone()),
            other => Err(syn::Error::new(other.span(), "expected a string literal")),
        })
        .collect()
}

/// Checks a regex's syntax as the runtime's `regex` crate will read it.
fn check_regex(pattern: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map(drop)
        .map_err(|err| {
            let detail = err
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned();
            format!("invalid regex `{pattern}`: {detail}")
        })
}

/// `field(path, key = value, ...)`.
fn field(
    arg: &NamedArg,
    checks: &mut Vec<(String, syn::Path)>,
) -> syn::Result<(WrittenPath, Json)> {
    let ArgValue::Group(tokens) = &arg.value else {
        return Err(syn::Error::new(
            arg.key.span(),
            "write `field(path, type = \"...\", ...)`",
        ));
    };
    let (path, rest) = (|input: syn::parse::ParseStream<'_>| {
        let path: Expr = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
        let rest: TokenStream = input.parse()?;
        Ok((path, rest))
    })
    .parse2(tokens.clone())?;
    let path = written_path(&path)?;
    let rules = field_rules(rest, arg.key.span(), checks)?;
    Ok((path, rules))
}

/// The rules of one field (or of `items(...)`), checked as the runtime will check them; the
/// functions its `check`s name are added to `checks`.
pub(crate) fn field_rules(
    tokens: TokenStream,
    span: Span,
    checks: &mut Vec<(String, syn::Path)>,
) -> syn::Result<Json> {
    let mut errors = Errors::default();
    let mut named = Vec::new();
    for arg in args::parse_args(tokens)? {
        match arg {
            Arg::Named(arg) => named.push(arg),
            Arg::Positional(lit) => errors.at(lit.span(), "field rules are keyed, e.g. `min = 18`"),
        }
    }
    let mut rules = Vec::new();
    // What the shared checks need, and where each keyword was written.
    let mut written = coord_text::FieldRules::default();
    let mut spans: Vec<(&'static str, Span)> = Vec::new();
    for arg in FIELD_KEYS.check(&named, &mut errors) {
        let key = arg.key_name();
        if let Some(keyword) = coord_text::FIELD_KEYWORDS.iter().find(|k| **k == key) {
            spans.push((keyword, arg.key.span()));
        }
        let value = match key.as_str() {
            "type" => errors
                .ok(args::choice(arg, coord_text::FIELD_TYPES))
                .map(|chosen| {
                    written.kind = Some(chosen);
                    Json::String(chosen.to_owned())
                }),
            "required" | "sensitive" => errors
                .ok(args::boolean(arg))
                .map(|lit| Json::Bool(lit.value)),
            "min" | "max" => errors.ok(signed_number(arg)).map(|number| {
                if key == "min" {
                    written.min = Some(number);
                } else {
                    written.max = Some(number);
                }
                Json::Number(number)
            }),
            "min_length" | "max_length" => errors.ok(args::integer(arg, 0)).map(|length| {
                if key == "min_length" {
                    written.min_length = Some(u64::from(length));
                } else {
                    written.max_length = Some(u64::from(length));
                }
                Json::Number(f64::from(length))
            }),
            "pattern" => errors
                .ok(args::string(arg, "\"^[0-9]{5}$\""))
                .and_then(|lit| match check_regex(&lit.value()) {
                    Ok(()) => {
                        written.pattern = true;
                        Some(Json::String(lit.value()))
                    }
                    Err(message) => {
                        errors.at(lit.span(), message);
                        None
                    }
                }),
            "allowed" => errors.ok(allowed(arg)),
            "check" => errors.ok(check_path(arg)).map(|path| {
                written.check = true;
                let text = quote::ToTokens::to_token_stream(&path)
                    .to_string()
                    .replace(' ', "");
                if !checks.iter().any(|(known, _)| *known == text) {
                    checks.push((text.clone(), path));
                }
                Json::String(text)
            }),
            "items" => match &arg.value {
                ArgValue::Group(tokens) => errors
                    .ok(field_rules(tokens.clone(), arg.key.span(), checks))
                    .inspect(|_| written.items = true),
                _ => {
                    errors.at(
                        arg.key.span(),
                        "write `items(type = \"...\", ...)` for the rules of each array item",
                    );
                    None
                }
            },
            _ => None,
        };
        if let Some(value) = value {
            rules.push((key, value));
        }
    }
    let allowed = rules
        .iter()
        .find(|(key, _)| key == "allowed")
        .map(|(_, list)| literals(list));
    written.allowed = allowed;
    for problem in coord_text::check_field(&written) {
        let span = spans
            .iter()
            .find(|(keyword, _)| *keyword == problem.keyword)
            .map_or(span, |(_, at)| *at);
        errors.at(span, problem.message);
    }
    if rules.is_empty() && named.is_empty() {
        errors.at(
            span,
            "a field needs at least one rule, e.g. `field(age, type = \"integer\")`",
        );
    }
    errors.finish()?;
    Ok(Json::Object(rules))
}

/// `check = path::to::function`.
fn check_path(arg: &NamedArg) -> syn::Result<syn::Path> {
    match &arg.value {
        ArgValue::Assigned(Expr::Path(path)) if path.qself.is_none() => Ok(path.path.clone()),
        ArgValue::Assigned(Expr::Lit(ExprLit {
            lit: Lit::Str(name),
            ..
        })) => Err(syn::Error::new(
            name.span(),
            format!(
                "in an attribute a check is the function itself, so the compiler checks it: `check = {}` (a name registered with `coord::validation::register_check` is for rule files)",
                name.value()
            ),
        )),
        _ => Err(syn::Error::new(
            arg.key.span(),
            "write `check = path::to::function`, a function taking `&str`, `i64`, `f64` or `bool` and returning `bool` or `Result<(), E>`",
        )),
    }
}

fn signed_number(arg: &NamedArg) -> syn::Result<f64> {
    let ArgValue::Assigned(expr) = &arg.value else {
        return Err(syn::Error::new(
            arg.key.span(),
            format!("`{}` expects a number", arg.key_name()),
        ));
    };
    let (negative, inner) = match expr {
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => (true, &**expr),
        other => (false, other),
    };
    let value = match inner {
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => lit.base10_parse::<f64>()?,
        Expr::Lit(ExprLit {
            lit: Lit::Float(lit),
            ..
        }) => lit.base10_parse::<f64>()?,
        other => {
            return Err(syn::Error::new(
                other.span(),
                format!("`{}` expects a number", arg.key_name()),
            ));
        }
    };
    Ok(if negative { -value } else { value })
}

fn allowed(arg: &NamedArg) -> syn::Result<Json> {
    let ArgValue::Assigned(Expr::Array(array)) = &arg.value else {
        return Err(syn::Error::new(
            arg.key.span(),
            "`allowed` expects a list, e.g. `allowed = [\"low\", \"high\"]`",
        ));
    };
    if array.elems.is_empty() {
        return Err(syn::Error::new(
            array.span(),
            "`allowed` is empty: no value could pass",
        ));
    }
    array
        .elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }) => Ok(Json::String(lit.value())),
            Expr::Lit(ExprLit {
                lit: Lit::Bool(lit),
                ..
            }) => Ok(Json::Bool(lit.value)),
            Expr::Lit(ExprLit {
                lit: Lit::Int(lit), ..
            }) => Ok(Json::Number(lit.base10_parse()?)),
            Expr::Lit(ExprLit {
                lit: Lit::Float(lit),
                ..
            }) => Ok(Json::Number(lit.base10_parse()?)),
            other => Err(syn::Error::new(
                other.span(),
                "`allowed` values are string, number or boolean literals",
            )),
        })
        .collect::<syn::Result<Vec<_>>>()
        .map(Json::Array)
}

const INPUT_KEYS: KeyTable = KeyTable {
    context: "#[validate_input]",
    groups: &[VALIDATE_KEYS, &["crate"]],
    repeatable: &["field", "required", "one_of_required"],
};

/// Parsed `#[validate_input(...)]`.
#[derive(Default)]
pub(crate) struct ValidateInput {
    /// What to validate against.
    pub validate: ValidateArgs,
    /// Path to the coord crate.
    pub krate: Option<syn::Path>,
}

impl ValidateInput {
    /// Reads `#[validate_input(...)]`'s arguments.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut parsed = Self::default();
        let Some(list) = errors.ok(args::parse_args(tokens)) else {
            return parsed;
        };
        parsed.validate.written = !list.is_empty();
        let mut named = Vec::new();
        for arg in list {
            match arg {
                Arg::Named(arg) => named.push(arg),
                Arg::Positional(lit) => {
                    errors.at(lit.span(), "name the rule set with `rules = \"...\"`")
                }
            }
        }
        for arg in INPUT_KEYS.check(&named, errors) {
            if arg.key_name() == "crate" {
                parsed.krate = errors.ok(args::crate_path(arg));
            } else {
                parsed.validate.read(arg, errors);
            }
        }
        parsed
    }
}

/// Checks validation arguments against the function they annotate.
pub(crate) fn check_validation(validate: &ValidateArgs, function: &ItemFn) -> syn::Result<()> {
    func::check_returns_result(
        function,
        "#[validate_input]",
        "returns invalid input as `Err`",
    )?;
    let mut errors = Errors::default();
    validate.check(function, function.sig.ident.span(), &mut errors);
    errors.finish()
}

/// An `allowed` list as the shared checks read it.
fn literals(list: &Json) -> Vec<coord_text::Literal<'_>> {
    let Json::Array(items) = list else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Json::String(text) => Some(coord_text::Literal::String(text)),
            Json::Number(number) => Some(coord_text::Literal::Number(*number)),
            Json::Bool(flag) => Some(coord_text::Literal::Bool(*flag)),
            _ => None,
        })
        .collect()
}
