//! The circuit breaker argument shared by `#[handle_errors]` and `#[coordinate_operation]`:
//! `circuit_breaker = "name"` (options from elsewhere, or defaults) or
//! `circuit_breaker(name = "...", consecutive_failures = 5, ...)` declaring its options.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

use crate::args::{self, Arg, ArgValue, KeyTable, NamedArg};
use crate::errors::Errors;

const OPTION_KEYS: KeyTable = KeyTable {
    context: "circuit_breaker(...)",
    groups: &[&[
        "name",
        "consecutive_failures",
        "failure_rate",
        "window",
        "min_calls",
        "open_for",
        "half_open_permits",
        "close_after",
    ]],
    repeatable: &[],
};

/// A named breaker, with the options this function declares for it, if any.
pub struct BreakerArgs {
    /// The breaker's name.
    pub name: LitStr,
    options: Vec<TokenStream>,
}

impl BreakerArgs {
    /// Reads `circuit_breaker = "..."` or `circuit_breaker(...)`.
    pub fn read(arg: &NamedArg, errors: &mut Errors) -> Option<Self> {
        let parsed = match &arg.value {
            ArgValue::Group(tokens) => Self::read_group(tokens.clone(), arg.key.span(), errors),
            _ => errors
                .ok(args::string(arg, "\"payments\""))
                .map(|name| Self {
                    name,
                    options: Vec::new(),
                }),
        };
        let parsed = parsed?;
        if parsed.name.value().trim().is_empty() {
            errors.at(parsed.name.span(), "the circuit breaker name is empty");
            return None;
        }
        Some(parsed)
    }

    fn read_group(tokens: TokenStream, key_span: Span, errors: &mut Errors) -> Option<Self> {
        let list = errors.ok(args::parse_args(tokens))?;
        let mut named = Vec::new();
        let mut positional = false;
        for arg in list {
            match arg {
                Arg::Named(arg) => named.push(arg),
                Arg::Positional(lit) => {
                    positional = true;
                    errors.at(
                        lit.span(),
                        "name the breaker with `name = \"...\"` inside `circuit_breaker(...)`",
                    );
                }
            }
        }
        let mut name = None;
        let mut options = Vec::new();
        let (mut window, mut min_calls) = (None, None);
        for arg in OPTION_KEYS.check(&named, errors) {
            let key = arg.key_name();
            let method = syn::Ident::new(&key, arg.key.span());
            match key.as_str() {
                "name" => name = errors.ok(args::string(arg, "\"payments\"")),
                "failure_rate" => {
                    let rule = "must be a share of calls above 0 and at most 1 (e.g. 0.5)";
                    if let Some(rate) = errors.ok(args::number(arg, |r| r > 0.0 && r <= 1.0, rule))
                    {
                        options.push(quote!(.#method(#rate)));
                    }
                }
                "open_for" => {
                    if let Some(nanos) = errors.ok(args::duration(arg, true)) {
                        options.push(quote!(.#method(::core::time::Duration::from_nanos(#nanos))));
                    }
                }
                "min_calls" => {
                    if let Some(calls) = errors.ok(args::integer(arg, 1)) {
                        min_calls = Some((calls, arg.key.span()));
                        options.push(quote!(.#method(#calls)));
                    }
                }
                _ => {
                    if let Some(count) = errors.ok(args::integer(arg, 1)) {
                        if key == "window" {
                            window = Some(count);
                        }
                        options.push(quote!(.#method(#count)));
                    }
                }
            }
        }
        if let (Some((min, span)), Some(window)) = (min_calls, window)
            && min > window
        {
            errors.at(
                span,
                format!("`min_calls` ({min}) exceeds `window` ({window}): the failure rate would never be checked"),
            );
        }
        let Some(name) = name else {
            // A name written without `name =` was already reported.
            if !positional {
                errors.at(key_span, "`circuit_breaker(...)` needs `name = \"...\"`");
            }
            return None;
        };
        Some(Self { name, options })
    }

    /// The `BreakerConfig` expression, when this function declares options.
    pub fn declared_config(&self, krate: &syn::Path) -> Option<TokenStream> {
        if self.options.is_empty() {
            return None;
        }
        let options = &self.options;
        Some(quote!(#krate::__private::BreakerConfig::new() #(#options)*))
    }
}
