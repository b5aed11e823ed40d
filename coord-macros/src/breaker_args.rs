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
    groups: &[&["name"], BREAKER_OPTION_NAMES],
    repeatable: &[],
};

/// The breaker options, in `coord-text`'s table order.
const BREAKER_OPTION_NAMES: &[&str] = &[
    coord_text::CONSECUTIVE_FAILURES.name,
    coord_text::FAILURE_RATE.name,
    coord_text::SLOW_CALL_DURATION.name,
    coord_text::SLOW_CALL_RATE.name,
    coord_text::WINDOW.name,
    coord_text::TIME_WINDOW.name,
    coord_text::MIN_CALLS.name,
    coord_text::OPEN_FOR.name,
    coord_text::HALF_OPEN_PERMITS.name,
    coord_text::CLOSE_AFTER.name,
];

/// A named breaker, with the options this function declares for it, if any.
pub(crate) struct BreakerArgs {
    /// The breaker's name.
    pub name: LitStr,
    options: Vec<TokenStream>,
}

impl BreakerArgs {
    /// Reads `circuit_breaker = "..."` or `circuit_breaker(...)`.
    pub(crate) fn read(arg: &NamedArg, errors: &mut Errors) -> Option<Self> {
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
        let (mut slow_duration, mut slow_rate_span) = (false, None);
        for arg in OPTION_KEYS.check(&named, errors) {
            let key = arg.key_name();
            let method = syn::Ident::new(&key, arg.key.span());
            if key == "name" {
                name = errors.ok(args::string(arg, "\"payments\""));
                continue;
            }
            let Some(spec) = coord_text::option(&key) else {
                continue;
            };
            match key.as_str() {
                "slow_call_duration" => slow_duration = true,
                "slow_call_rate" => slow_rate_span = Some(arg.key.span()),
                _ => {}
            }
            let option = match spec.limit {
                coord_text::Limit::Number { .. } => errors
                    .ok(args::option_number(arg, spec))
                    .map(|rate| quote!(.#method(#rate))),
                coord_text::Limit::Duration { .. } => errors
                    .ok(args::option_duration(arg, spec))
                    .map(|nanos| quote!(.#method(::core::time::Duration::from_nanos(#nanos)))),
                _ => errors.ok(args::option_count(arg, spec)).map(|count| {
                    match key.as_str() {
                        "window" => window = Some(u64::from(count)),
                        "min_calls" => min_calls = Some((u64::from(count), arg.key.span())),
                        _ => {}
                    }
                    quote!(.#method(#count))
                }),
            };
            options.extend(option);
        }
        if let (Some(span), false) = (slow_rate_span, slow_duration) {
            errors.at(
                span,
                "`slow_call_rate` needs `slow_call_duration`: how long a call must take to count as slow",
            );
        }
        if let Some((min, span)) = min_calls
            && let Some(problem) = coord_text::breaker_combination_problem(Some(min), window)
        {
            errors.at(span, problem);
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
    pub(crate) fn declared_config(&self, krate: &syn::Path) -> Option<TokenStream> {
        if self.options.is_empty() {
            return None;
        }
        let options = &self.options;
        Some(quote!(#krate::__private::BreakerConfig::new() #(#options)*))
    }
}
