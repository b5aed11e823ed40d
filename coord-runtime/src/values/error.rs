//! The errors coord itself returns from an annotated function.

use std::time::Duration;

use crate::values::rules_error::RulesError;
use crate::values::validation_result::ValidationResult;

/// An error produced by coord rather than by the annotated function.
///
/// A function with `#[handle_errors(circuit_breaker = "...")]` returns `Result<T, E>` where
/// `E: From<coord::Error>`, so a call the breaker rejects comes back as the function's own error
/// type. The function's own errors are never wrapped: when retries run out, its last error is
/// returned unchanged.
///
/// ```
/// #[derive(Debug)]
/// enum PayError {
///     Declined,
///     Unavailable(coord::Error),
/// }
///
/// impl From<coord::Error> for PayError {
///     fn from(err: coord::Error) -> Self {
///         PayError::Unavailable(err)
///     }
/// }
///
/// let breaker = coord::breaker("docs.error");
/// breaker.force_open();
///
/// #[coord::handle_errors(circuit_breaker = "docs.error", max_retries = 0)]
/// fn pay() -> Result<(), PayError> {
///     Err(PayError::Declined)
/// }
///
/// match pay() {
///     Err(PayError::Unavailable(coord::Error::CircuitOpen { breaker, .. })) => {
///         assert_eq!(breaker, "docs.error");
///     }
///     other => panic!("expected a rejection, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input failed validation; the body did not run.
    #[error("{0}")]
    Validation(Box<ValidationResult>),
    /// No loaded rule set has this name. Its `Display` lists every loaded rule set, which is
    /// right for a log and the operator, not for a client: answer clients with
    /// [`client_message`](Error::client_message).
    #[error("no validation rule set named `{rule_set}` is loaded (loaded: {})", known.join(", "))]
    UnknownRuleSet {
        /// The name asked for.
        rule_set: String,
        /// The names loaded.
        known: Vec<String>,
    },
    /// Rules could not be compiled.
    #[error("invalid validation rules: {0}")]
    InvalidRules(RulesError),
    /// The circuit breaker rejected the call without running it.
    #[error("circuit breaker `{breaker}` is open; call rejected{}", retry_hint(*retry_after))]
    CircuitOpen {
        /// The breaker's name.
        breaker: String,
        /// When the breaker will next let a probe through, if it knows.
        retry_after: Option<Duration>,
    },
    /// Two declarations of one breaker name disagree on its options; the breaker refuses
    /// every call until the declarations are made consistent.
    #[error("circuit breaker `{breaker}` is declared with different options: {first} vs {second}")]
    BreakerConflict {
        /// The breaker's name.
        breaker: String,
        /// One declaration's options.
        first: String,
        /// The other's.
        second: String,
    },
    /// [`register_breaker`](crate::register_breaker) was called for a name already in use.
    #[error("circuit breaker `{breaker}` already exists; register it before anything uses it")]
    BreakerExists {
        /// The breaker's name.
        breaker: String,
    },
    /// [`register_breaker`](crate::register_breaker) was called with the process already
    /// holding [`MAX_BREAKERS`](crate::MAX_BREAKERS) breakers by name.
    #[error("circuit breaker `{breaker}` not created: the process already has {limit} breakers")]
    TooManyBreakers {
        /// The breaker's name.
        breaker: String,
        /// The cap.
        limit: usize,
    },
    /// An async attempt ran past its `timeout`, or the call past its `deadline`, and the
    /// running attempt was cancelled (its future dropped).
    #[error("`{operation}` timed out: {}", limit.describe(*after))]
    Timeout {
        /// The operation.
        operation: String,
        /// Which limit fired.
        limit: TimeLimit,
        /// The limit's length.
        after: Duration,
    },
    /// A bulkhead had no free slot within its `max_wait`; the call did not run and is not
    /// retried.
    #[error(
        "bulkhead `{bulkhead}` is full ({max_concurrent} calls inside); call refused after waiting {waited:?}"
    )]
    BulkheadFull {
        /// The bulkhead's name.
        bulkhead: String,
        /// Its size.
        max_concurrent: u32,
        /// How long the call waited for a slot.
        waited: Duration,
    },
    /// A rate limiter refused the call; it did not run and is not retried.
    #[error("rate limiter `{rate_limiter}` refused the call; retry after {retry_after:?}")]
    RateLimited {
        /// The rate limiter's name.
        rate_limiter: String,
        /// When the limiter would admit a call.
        retry_after: Duration,
    },
    /// A distributed lock was not acquired within its `wait`: another holder kept it.
    #[error("lock `{key}` is held elsewhere; not acquired within {waited:?}")]
    LockTimeout {
        /// The lock's key.
        key: String,
        /// How long the call waited.
        waited: Duration,
    },
    /// A distributed lock was lost while held (its renewal failed, or another process took
    /// it after its lease ran out): the body was stopped, since its writes are no longer
    /// protected.
    #[error("lock `{key}` was lost while held; the body was stopped")]
    LockLost {
        /// The lock's key.
        key: String,
    },
    /// The lock backend failed (unreachable, refused the command).
    #[error("lock `{key}`: the lock backend failed: {reason}")]
    LockBackend {
        /// The lock's key.
        key: String,
        /// What the backend said (without credentials).
        reason: String,
    },
    /// A lock asked for cannot be taken as written: an empty or overlong key, a zero or
    /// absurd TTL, an unknown backend.
    #[error("lock `{key}`: {problem}")]
    InvalidLock {
        /// The lock's key.
        key: String,
        /// What is wrong.
        problem: String,
    },
}

impl Error {
    /// What to tell the client of a request that failed with this error: the validation
    /// result for invalid input (which never shows a `sensitive` field's value), and for
    /// everything else a sentence that names nothing internal — no rule set, breaker or
    /// configuration — since those are for logs (`Display`) and the operator.
    ///
    /// ```
    /// let err = coord::validate("no_such_rules", &1).unwrap_err();
    /// assert!(err.to_string().contains("no_such_rules"));                 // for the log
    /// assert_eq!(err.client_message(), "the request cannot be checked right now"); // for the client
    /// ```
    #[must_use]
    pub fn client_message(&self) -> String {
        match self {
            Error::Validation(result) => result.to_string(),
            Error::UnknownRuleSet { .. } | Error::InvalidRules(_) => {
                "the request cannot be checked right now".to_owned()
            }
            Error::CircuitOpen {
                retry_after: Some(after),
                ..
            } => format!(
                "the service is temporarily unavailable; retry after {} s",
                // Rounded up, as a `Retry-After` header is: never sooner than the breaker.
                (after.as_secs() + u64::from(after.subsec_nanos() > 0)).max(1)
            ),
            Error::RateLimited { retry_after, .. } => format!(
                "too many requests; retry after {} s",
                (retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0)).max(1)
            ),
            Error::CircuitOpen { .. }
            | Error::BulkheadFull { .. }
            | Error::BreakerConflict { .. }
            | Error::BreakerExists { .. }
            | Error::TooManyBreakers { .. }
            | Error::LockTimeout { .. }
            | Error::Timeout { .. }
            | Error::LockLost { .. }
            | Error::LockBackend { .. }
            | Error::InvalidLock { .. } => "the service is temporarily unavailable".to_owned(),
        }
    }
}

/// Which time limit an [`Error::Timeout`] hit.
///
/// ```
/// use coord::retry::TimeLimit;
/// use std::time::Duration;
///
/// let err = coord::Error::Timeout {
///     operation: "charge".to_owned(),
///     limit: TimeLimit::Attempt,
///     after: Duration::from_millis(500),
/// };
/// assert_eq!(err.to_string(), "`charge` timed out: the last attempt ran past its 500ms timeout and was cancelled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeLimit {
    /// The per-attempt `timeout`.
    Attempt,
    /// The whole call's `deadline`.
    Deadline,
}

impl TimeLimit {
    fn describe(self, after: Duration) -> String {
        match self {
            TimeLimit::Attempt => {
                format!("the last attempt ran past its {after:?} timeout and was cancelled")
            }
            TimeLimit::Deadline => {
                format!(
                    "the call ran past its {after:?} deadline; the running attempt was cancelled"
                )
            }
        }
    }
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |after| format!(" (retry after {after:?})"))
}
