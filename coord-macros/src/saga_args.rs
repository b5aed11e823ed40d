//! Arguments of `#[saga]` (`name`, `crate`) and `#[step]` (how the step is undone —
//! `compensate = path`, `pivot` or `no_compensation` — plus `name`, `timeout`, `crate`, and
//! the `retry(...)` and `circuit_breaker` groups read by the parsers `#[handle_errors]` and
//! `#[coordinate_operation]` use).

use proc_macro2::{Span, TokenStream};
use syn::LitStr;
use syn::spanned::Spanned as _;

use crate::args::{self, ArgValue, KeyTable, NamedArg};
use crate::breaker_args::BreakerArgs;
use crate::errors::Errors;
use crate::retry_args::RetryArgs;

const SAGA_KEYS: KeyTable = KeyTable {
    context: "#[saga]",
    groups: &[&["name", "crate"]],
    repeatable: &[],
};

const STEP_KEYS: KeyTable = KeyTable {
    context: "#[step]",
    groups: &[
        &["compensate", "pivot", "no_compensation"],
        &["name", "retry", "circuit_breaker", "timeout", "crate"],
    ],
    repeatable: &[],
};

/// What `#[saga(...)]` asked for.
#[derive(Default)]
pub(crate) struct SagaArgs {
    /// The saga's name in the log; defaults to the function's name.
    pub name: Option<LitStr>,
    /// Path to the coord crate.
    pub krate: Option<syn::Path>,
}

/// How a step is undone.
pub(crate) enum Undo {
    /// By this function.
    Compensate(syn::Path),
    /// It is the point of no return.
    Pivot,
    /// It needs no undoing.
    NoCompensation,
}

/// What `#[step(...)]` asked for.
#[derive(Default)]
pub(crate) struct StepArgs {
    /// How it is undone; `None` only when that was missing or given twice (reported).
    pub undo: Option<Undo>,
    /// The step's name in the log; defaults to the function's name.
    pub name: Option<LitStr>,
    /// Retries of the step's action, if asked for.
    pub retry: Option<RetryArgs>,
    /// The breaker each attempt passes, if any.
    pub breaker: Option<BreakerArgs>,
    /// The step's time limit in nanoseconds, if any.
    pub timeout: Option<u64>,
    /// Path to the coord crate.
    pub krate: Option<syn::Path>,
}

/// Reads `name = "..."`, which must not be empty.
fn name(arg: &NamedArg, example: &str, errors: &mut Errors) -> Option<LitStr> {
    let name = errors.ok(args::string(arg, example))?;
    if name.value().trim().is_empty() {
        errors.at(name.span(), "the name is empty");
        return None;
    }
    Some(name)
}

impl SagaArgs {
    /// Reads the arguments, recording every mistake in `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut parsed = SagaArgs::default();
        let named = args::keyed(
            tokens,
            "#[saga] takes keyed arguments; name it with `name = \"...\"`",
            errors,
        );
        for arg in SAGA_KEYS.check(&named, errors) {
            match arg.key_name().as_str() {
                "name" => parsed.name = name(arg, "\"place_order\"", errors),
                "crate" => parsed.krate = errors.ok(args::crate_path(arg)),
                _ => unreachable!("KeyTable::check only passes known keys"),
            }
        }
        parsed
    }
}

impl StepArgs {
    /// Reads the arguments, recording every mistake in `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut parsed = StepArgs::default();
        let named = args::keyed(
            tokens,
            "#[step] takes keyed arguments; name it with `name = \"...\"`",
            errors,
        );
        let mut undo_given: Option<Span> = None;
        for arg in STEP_KEYS.check(&named, errors) {
            let key = arg.key_name();
            let undo = match key.as_str() {
                "compensate" => errors
                    .ok(args::path(arg, "release_stock"))
                    .map(Undo::Compensate),
                "pivot" => flag(arg, errors).then_some(Undo::Pivot),
                "no_compensation" => flag(arg, errors).then_some(Undo::NoCompensation),
                "name" => {
                    parsed.name = name(arg, "\"reserve_stock\"", errors);
                    continue;
                }
                "retry" => {
                    parsed.retry = Some(RetryArgs::read_group(arg, errors));
                    continue;
                }
                "circuit_breaker" => {
                    parsed.breaker = BreakerArgs::read(arg, errors);
                    continue;
                }
                "timeout" => {
                    parsed.timeout =
                        errors.ok(args::option_duration(arg, &coord_text::STEP_TIMEOUT));
                    continue;
                }
                "crate" => {
                    parsed.krate = errors.ok(args::crate_path(arg));
                    continue;
                }
                _ => unreachable!("KeyTable::check only passes known keys"),
            };
            if undo_given.is_some() {
                errors.at(
                    arg.key.span(),
                    "a step is undone one way: give one of `compensate = ...`, `pivot` or `no_compensation`",
                );
                parsed.undo = None;
                continue;
            }
            undo_given = Some(arg.key.span());
            parsed.undo = undo;
        }
        if undo_given.is_none() {
            errors.at(
                Span::call_site(),
                "#[step] needs to know how the step is undone if the saga fails after it: add `compensate = function`, `pivot` (the point of no return) or `no_compensation`",
            );
        }
        parsed
    }
}

/// Reads a bare flag (`pivot`), reporting `pivot = ...`.
fn flag(arg: &NamedArg, errors: &mut Errors) -> bool {
    match &arg.value {
        ArgValue::Flag => true,
        ArgValue::Assigned(expr) => {
            errors.at(
                expr.span(),
                format!("`{}` takes no value: write it alone", arg.key_name()),
            );
            false
        }
        ArgValue::Group(tokens) => {
            errors.at(
                tokens.span(),
                format!("`{}` takes no arguments: write it alone", arg.key_name()),
            );
            false
        }
    }
}
