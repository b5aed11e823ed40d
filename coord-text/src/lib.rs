//! The vocabulary that `coord`'s attribute macros check at compile time and its runtime checks
//! in configuration files, environment variables, rule files and builders, written once so
//! both accept exactly the same spellings and values with the same messages: human-readable
//! durations, "did you mean" hints, the rule language ([`check_field`]) and the retry and
//! breaker options with their bounds ([`BREAKER_OPTIONS`], [`RETRY_OPTIONS`]), and where the
//! coordination store is ([`StoreLocation`]).
//!
//! A proc-macro crate cannot share code with the runtime any other way without pulling the
//! runtime's dependencies into every macro build, hence this small crate with no dependencies
//! beyond `thiserror`.

#![warn(missing_docs)]

mod duration;
mod lock_key;
mod lock_location;
mod objective;
mod options;
mod relations;
mod rules;
mod store_location;
mod suggest;

pub use duration::{DURATION_UNITS, DurationError, parse_duration_nanos};
pub use lock_key::{KeyPiece, MAX_LOCK_KEY_BYTES, lock_key_problem, parse_key_template};
pub use lock_location::{LockLocation, without_password};
pub use objective::{DEFAULT_LATENCY_PERCENTILE, MAX_OBJECTIVE_LATENCY_NANOS, objective_problem};
pub use options::{
    ATTEMPT_TIMEOUT, BACKOFF, BACKOFFS, BASE_DELAY, BREAKER_OPTIONS, BUDGET_RATIO, BURST,
    CLOSE_AFTER, CONSECUTIVE_FAILURES, DEADLINE, FAILURE_RATE, HALF_OPEN_PERMITS, JITTER, JITTERS,
    LOCK_TTL, LOCK_WAIT, Limit, MAX_CONCURRENT, MAX_DELAY, MAX_RETRIES, MAX_WAIT, MIN_CALLS,
    MIN_RETRIES_PER_SECOND, MULTIPLIER, OPEN_FOR, OptionProblem, OptionSpec, PER_SECOND,
    RETRY_OPTIONS, SEVERITIES, SEVERITY, SLOW_CALL_DURATION, SLOW_CALL_RATE, STEP_TIMEOUT,
    TIME_WINDOW, WINDOW, breaker_combination_problem, option, retry_combination_problem,
};
pub use relations::{Comparison, ComparisonOp, one_of_problem, parse_comparison};
pub use rules::{
    FIELD_KEYWORDS, FIELD_TYPES, FieldProblem, FieldRules, Literal, check_field, is_string_type,
    keyword_applies,
};
pub use store_location::{DEFAULT_STORE, StoreLocation, StoreLocationError, is_identifier};
pub use suggest::{closest, edit_distance};
