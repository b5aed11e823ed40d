//! Attribute macros of [`coord`](https://docs.rs/coord). Depend on `coord`, which re-exports
//! them with their documentation; this crate only turns attributes into calls into
//! `coord::__private`.
//!
//! Each entry point hands off to one module: arguments are parsed (`args` and one `*_args`
//! parser per argument group, checking values with `coord-text`), the item is read as a
//! function (`func`), the parts are gathered into a `plan`, then emitted (`expand`). Every
//! mistake becomes a spanned error, and the user's item is still emitted beside it. The layers
//! are listed in ARCHITECTURE.md.

#![warn(unreachable_pub)]

mod args;
mod body;
mod breaker_args;
mod coordinate_args;
mod errors;
mod expand;
mod field_shape;
mod func;
mod handle_args;
mod json;
mod limit_args;
mod lock_args;
mod objective_args;
mod plan;
mod retry_args;
mod saga_args;
mod serde_names;
mod track_args;
mod validate_args;
#[cfg(test)]
mod vocabulary_test;

use proc_macro::TokenStream;

/// Records calls, outcomes and durations of a function; documented in `coord`.
#[proc_macro_attribute]
pub fn track_performance(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::track::expand(args.into(), item.into()).into()
}

/// Retries a function returning `Result` and passes each attempt through a circuit breaker;
/// documented in `coord`.
#[proc_macro_attribute]
pub fn handle_errors(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::handle::expand(args.into(), item.into()).into()
}

/// Validates a function's input against a rule set before its body runs; documented in `coord`.
#[proc_macro_attribute]
pub fn validate_input(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::validate::expand(args.into(), item.into()).into()
}

/// Gives a struct its validation rules (`coord::validation::Validated`); documented in `coord`.
#[proc_macro_attribute]
pub fn validated(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::validated::expand(args.into(), item.into()).into()
}

/// Rules on a struct's fields (`#[rule(...)]`); documented in `coord`.
#[proc_macro_derive(Validate, attributes(rule))]
pub fn derive_validate(item: TokenStream) -> TokenStream {
    expand::derive::expand(item.into()).into()
}

/// Validation, tracking, retries and a circuit breaker from one attribute; documented in `coord`.
#[proc_macro_attribute]
pub fn coordinate_operation(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::coordinated::expand(args.into(), item.into()).into()
}

/// Makes an async function a durable saga; documented in `coord`.
#[proc_macro_attribute]
pub fn saga(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::saga::expand(args.into(), item.into()).into()
}

/// Makes an async function a logged step of a saga, with how it is undone; documented in
/// `coord`.
#[proc_macro_attribute]
pub fn step(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::step::expand(args.into(), item.into()).into()
}

/// Holds a distributed lock around an async function; documented in `coord`.
#[proc_macro_attribute]
pub fn distributed_lock(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::lock::expand(args.into(), item.into()).into()
}
