//! What generated code calls. **Not a stable API**: anything here may change in any release.
//!
//! Everything a macro expansion needs lives here so expansions stay a few lines long and the
//! logic is written (and tested) once.

pub use crate::breaker::registry::{BREAKER_DECLARATIONS, BreakerDeclaration};
pub use crate::init::{STARTUP_CHECKS, STARTUP_HOOKS};
pub use crate::limit::site::{BulkheadSite, RateLimitSite};
pub use crate::report::locks::LOCK_REPORT_SOURCES;
pub use crate::report::sagas::SAGA_REPORT_SOURCES;
pub use crate::retry::admission::{Admission, BreakerGate, BreakerSite, NO_BREAKER, NoBreaker};
pub use crate::retry::classify::{
    ClassifiedError, DebuggedError, DisplayedError, ErrorProbe, ErrorText, FailureView,
    OpaqueError, UnclassifiedError,
};
pub use crate::retry::run::{AsyncRetry, Attempted, Settled, run_sync, run_sync_without_deadline};
pub use crate::retry::site::{Inherited, RetrySite, count_fallback};
pub use crate::retry::within::Within;
pub use crate::tracking::objective::OBJECTIVES;
pub use crate::tracking::operation::{Operation, TrackedCall};
pub use crate::tracking::span::{OperationSpan, in_operation_span, record_current_outcome};
pub use crate::validation::checks::{DynCheck, TypedCheck};
pub use crate::validation::inline::{InlineRules, LocalChecks, NestedRules};
pub use crate::validation::outcome as validation_outcome;
pub use crate::validation::references::{RULE_SET_REFERENCES, RuleSetReference};
pub use crate::validation::registry::with_rule_set;
pub use crate::validation::rule_set::{ParamsValidation, RuleSet};
pub use crate::values::breaker_config::BreakerConfig;
pub use crate::values::outcome::Outcome;
pub use crate::values::outcome::{OutcomeProbe, PlainOutcome, ResultOutcome};
pub use crate::values::retry_policy::{Backoff, Jitter, RetryBudget, RetryPolicy};
pub use crate::values::severity::Severity;
pub use linkme;
/// For bounds generated code writes (`Self: Serialize` on a generic `#[coord::validated]`).
pub use serde;

/// Whether validation runs (`enable_validation` in the configuration).
#[inline]
pub fn validation_enabled() -> bool {
    crate::config::configuration().enable_validation
}

/// Runs `body` once. Taking `FnOnce` makes the closure own its captures, so a body returning a
/// reference borrowed from an argument (`&mut self` included) compiles as it did unannotated.
#[inline(always)]
pub fn call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
}

/// Implemented only by `Result`, so that `#[handle_errors]` or `#[validate_input]` on a
/// function whose return type is an alias of something else fails with a message saying so.
#[diagnostic::on_unimplemented(
    message = "this attribute needs a function returning `Result<T, E>`, but `{Self}` is not a `Result`",
    label = "not a `Result`",
    note = "#[handle_errors] retries on `Err` and #[validate_input] returns invalid input as `Err`: return a `Result`"
)]
pub trait ReturnsResult {
    /// The `T` of `Result<T, E>`.
    type Ok;
    /// The `E` of `Result<T, E>`.
    type Err;
    /// Itself, as the `Result` it is.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
    /// A `Result`, as itself.
    fn from_result(result: Result<Self::Ok, Self::Err>) -> Self;
}

impl<T, E> ReturnsResult for Result<T, E> {
    type Ok = T;
    type Err = E;
    #[inline(always)]
    fn into_result(self) -> Self {
        self
    }
    #[inline(always)]
    fn from_result(result: Self) -> Self {
        result
    }
}

/// A value of a function's declared return type `R` (written as an alias the macro cannot
/// see through) as the `Result` the expansion works with: the identity for a `Result`, and
/// for anything else one clear error at the return type, after which the types involved are
/// unknown and nothing cascades.
#[inline(always)]
pub fn into_result<R: ReturnsResult>(value: R) -> Result<R::Ok, R::Err> {
    value.into_result()
}

/// The expansion's `Result` as the function's declared return type `R`; see [`into_result`].
#[inline(always)]
pub fn from_result<R: ReturnsResult>(result: Result<R::Ok, R::Err>) -> R {
    R::from_result(result)
}

/// Compiles only when `R` is a `Result`.
#[inline(always)]
pub fn assert_returns_result<R: ReturnsResult + ?Sized>() {}

/// Builds what the runtime builds from `config`, registering nothing: a breaker for each
/// configured name (its window allocated) taking one failure, the duration buckets in
/// nanoseconds with one duration placed among them, and the retry schedule. For the
/// configuration fuzz target, so that a value the loader accepts but the runtime cannot use
/// (a bucket bound past `u64::MAX` nanoseconds, a window of billions of calls) fails there.
pub fn exercise_configuration(config: &crate::config::CoordinationConfig) {
    use crate::base::clock::SystemClock;
    use crate::breaker::core::{BreakerCore, CallResult};

    for breaker in config.breakers.values() {
        let core = BreakerCore::new(*breaker, std::sync::Arc::new(SystemClock));
        if let (Ok(ticket), _) = core.admit() {
            core.record(ticket, CallResult::Failure, false);
        }
    }
    let buckets =
        crate::telemetry::duration_buckets::DurationBuckets::new(&config.duration_buckets);
    let millisecond = buckets.nanos().partition_point(|bound| *bound < 1_000_000);
    assert!(millisecond <= buckets.seconds().len());
    let policy = config.retry_policy();
    for retry in 0..policy.max_retries_value().min(64) {
        let _ = policy.capped_delay(retry);
    }
}

/// `check = path` in an attribute: the function with what it takes, for the rules' `static`.
/// A `const fn` with the [`IntoCheck`](crate::validation::checks::IntoCheck) bound, so a
/// function of the wrong shape is reported with that trait's message at the path.
pub const fn check_fn<F, Takes>(check: F) -> TypedCheck<F, Takes>
where
    F: crate::validation::checks::IntoCheck<Takes>,
{
    TypedCheck::new(check)
}

/// `#[validate_input(arg = order)]` without rules: `order`'s type brings its own
/// ([`Validated`](crate::validation::validated::Validated)).
///
/// # Errors
/// As [`Validated::validation`](crate::validation::validated::Validated::validation).
pub fn own_rules<T: crate::validation::validated::Validated + ?Sized>(
    value: &T,
) -> Result<crate::values::validation_result::ValidationResult, crate::values::error::Error> {
    value.validation()
}

/// A type whose rules `#[derive(coord::Validate)]` wrote, so a field of it marked
/// `#[rule(nested)]` is validated by them under the field's name.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no field rules to nest",
    label = "marked `#[rule(nested)]`",
    note = "derive `coord::Validate` on `{Self}` (with `#[rule(...)]` on its fields), or drop `#[rule(nested)]`"
)]
pub trait DeclaresRules {
    /// The type's rules.
    fn declared_rules() -> &'static InlineRules;
}
