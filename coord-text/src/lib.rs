//! Text grammar that `coord`'s attribute macros check at compile time and its runtime checks
//! in configuration files and environment variables, written once so both accept exactly the
//! same spellings: human-readable durations and "did you mean" hints.
//!
//! A proc-macro crate cannot share code with the runtime any other way without pulling the
//! runtime's dependencies into every macro build, hence this small crate with no dependencies
//! beyond `thiserror`.

#![warn(missing_docs)]

mod duration;
mod suggest;

pub use duration::{DURATION_UNITS, DurationError, parse_duration_nanos};
pub use suggest::{closest, edit_distance};
