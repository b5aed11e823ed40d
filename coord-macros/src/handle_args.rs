//! Arguments of `#[handle_errors]`: the retry arguments, `circuit_breaker`, `fallback`, `name`
//! and `crate`.

use proc_macro2::TokenStream;
use syn::{Lit, LitStr};

use crate::args::{self, Arg, KeyTable, NamedArg};
use crate::breaker_args::BreakerArgs;
use crate::errors::Errors;
use crate::limit_args::{LIMIT_KEYS, LimitArgs};
use crate::retry_args::{RETRY_KEYS, RetryArgs};

const KEYS: KeyTable = KeyTable {
    context: "#[handle_errors]",
    groups: &[
        RETRY_KEYS,
        LIMIT_KEYS,
        &["circuit_breaker", "fallback", "name", "crate"],
    ],
    repeatable: &[],
};

/// What `#[handle_errors(...)]` asked for.
#[derive(Default)]
pub(crate) struct HandleArgs {
    /// Operation name for the retry metrics; defaults to the function's name.
    pub name: Option<LitStr>,
    /// The retry policy.
    pub retry: RetryArgs,
    /// The breaker each attempt passes, if any.
    pub breaker: Option<BreakerArgs>,
    /// The bulkhead and rate limiter each call passes, if any.
    pub limits: LimitArgs,
    /// Path to the coord crate.
    pub krate: Option<syn::Path>,
}

impl HandleArgs {
    /// Reads the arguments, recording every mistake in `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut parsed = HandleArgs::default();
        let Some(list) = errors.ok(args::parse_args(tokens)) else {
            return parsed;
        };
        let mut named: Vec<NamedArg> = Vec::new();
        for arg in list {
            match arg {
                Arg::Named(arg) => named.push(arg),
                Arg::Positional(lit) => errors.at(
                    lit.span(),
                    match lit {
                        Lit::Str(_) => "#[handle_errors] takes keyed arguments; name the operation with `name = \"...\"`",
                        _ => "#[handle_errors] takes keyed arguments, e.g. `max_retries = 3`",
                    },
                ),
            }
        }
        for arg in KEYS.check(&named, errors) {
            match arg.key_name().as_str() {
                "name" => parsed.name = errors.ok(args::string(arg, "\"charge_card\"")),
                "crate" => parsed.krate = errors.ok(args::crate_path(arg)),
                "circuit_breaker" => parsed.breaker = BreakerArgs::read(arg, errors),
                "fallback" => {
                    parsed.retry.fallback = errors
                        .ok(args::path(arg, "cached_price"))
                        .map(|path| (path, arg.key.span()));
                }
                key if RETRY_KEYS.contains(&key) => parsed.retry.read(arg, errors),
                key if LIMIT_KEYS.contains(&key) => parsed.limits.read(arg, errors),
                _ => unreachable!("KeyTable::check only passes known keys"),
            }
        }
        parsed.retry.check(errors);
        if let Some(name) = &parsed.name
            && name.value().trim().is_empty()
        {
            errors.at(name.span(), "the operation name is empty");
        }
        parsed
    }
}
