//! Arguments of `#[coordinate_operation]`: `name`, `in_flight`, `objective(...)`, `crate`, and one group per part
//! — `validate(...)`, `retry(...)`, `circuit_breaker` — each read by the parser of its single
//! attribute, never a copy.

use proc_macro2::TokenStream;

use crate::args::{self, Arg, KeyTable};
use crate::breaker_args::BreakerArgs;
use crate::errors::Errors;
use crate::lock_args::LockArgs;
use crate::objective_args::ObjectiveArgs;
use crate::plan::Plan;
use crate::retry_args::RetryArgs;
use crate::validate_args::{VALIDATE_KEYS, ValidateArgs};

const KEYS: KeyTable = KeyTable {
    context: "#[coordinate_operation]",
    groups: &[&[
        "name",
        "validate",
        "retry",
        "circuit_breaker",
        "fallback",
        "bulkhead",
        "rate_limit",
        "lock",
        "in_flight",
        "objective",
        "crate",
    ]],
    repeatable: &[],
};

const VALIDATE_GROUP: KeyTable = KeyTable {
    context: "validate(...)",
    groups: &[VALIDATE_KEYS],
    repeatable: &["field", "required", "one_of_required"],
};

/// Reads the arguments, recording every mistake in `errors`.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Plan {
    let mut plan = Plan::new(None);
    plan.track = Some(true);
    let Some(list) = errors.ok(args::parse_args(tokens)) else {
        return plan;
    };
    let mut named = Vec::new();
    for arg in list {
        match arg {
            Arg::Named(arg) => named.push(arg),
            Arg::Positional(lit) => {
                errors.at(lit.span(), "name the operation with `name = \"...\"`")
            }
        }
    }
    let mut retry: Option<RetryArgs> = None;
    let mut breaker: Option<BreakerArgs> = None;
    let mut fallback = None;
    for arg in KEYS.check(&named, errors) {
        match arg.key_name().as_str() {
            "name" => plan.name = errors.ok(args::string(arg, "\"update_user_profile\"")),
            "in_flight" => {
                plan.track = errors
                    .ok(args::boolean(arg))
                    .map(|lit| lit.value)
                    .or(Some(true))
            }
            "crate" => plan.krate = errors.ok(args::crate_path(arg)),
            "objective" => plan.objective = ObjectiveArgs::parse(arg, errors),
            "circuit_breaker" => breaker = BreakerArgs::read(arg, errors),
            "fallback" => {
                fallback = errors
                    .ok(args::path(arg, "cached_price"))
                    .map(|path| (path, arg.key.span()));
            }
            "validate" => {
                let mut validate = ValidateArgs::default();
                let inner = args::group(arg, &VALIDATE_GROUP, errors);
                validate.written = !inner.is_empty();
                for inner in &inner {
                    validate.read(inner, errors);
                }
                if !validate.written {
                    errors.at(
                        arg.key.span(),
                        "`validate(...)` needs `rules = \"...\"` or inline rules",
                    );
                }
                plan.validate = Some(validate);
            }
            "retry" => retry = Some(RetryArgs::read_group(arg, errors)),
            "bulkhead" | "rate_limit" => plan.limits.read(arg, errors),
            "lock" => plan.lock = Some(LockArgs::read_group(arg, errors)),
            _ => unreachable!("KeyTable::check only passes known keys"),
        }
    }
    if retry.is_some() || breaker.is_some() {
        let mut retry = retry.unwrap_or_default();
        retry.fallback = fallback;
        plan.retry = Some((retry, breaker));
    } else if let Some((_, span)) = fallback {
        errors.at(
            span,
            "`fallback` answers a call that retries or the breaker gave up on: add `retry(...)` or `circuit_breaker = \"...\"`",
        );
    }
    if let Some(name) = &plan.name
        && name.value().trim().is_empty()
    {
        errors.at(name.span(), "the operation name is empty");
    }
    plan
}
