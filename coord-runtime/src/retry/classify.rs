//! How a failed attempt is judged: retryable or not, how severe, and how it reads in logs.
//!
//! Generated code builds a [`FailureView`] per failure with the probes below, which pick by
//! type (autoref specialisation) whether the error implements [`Classify`], `Display` or
//! `Debug`, so none of them is required.

use std::fmt;
use std::time::Duration;

use crate::base::escape::EscapedDisplay;
use crate::values::severity::Severity;

/// What one failure means for the call and for the dependency behind it.
///
/// | class | retried | counts against the breaker |
/// | --- | --- | --- |
/// | [`Permanent`](ErrorClass::Permanent) | no | no |
/// | [`Transient`](ErrorClass::Transient) (the default) | yes | yes (unless its severity is `Low`) |
/// | [`TransientAfter(d)`](ErrorClass::TransientAfter) | yes, no sooner than `d` | yes (unless its severity is `Low`) |
///
/// A *permanent* error is an answer, not an outage: a declined card, a 404, a 4xx. Retrying it
/// cannot help, and counting it would let ordinary business outcomes open a breaker and refuse
/// every caller. `retry_if` / `record_if` on the attribute override either column.
///
/// ```
/// use coord::ErrorClass;
/// use std::time::Duration;
///
/// assert!(!ErrorClass::Permanent.is_retried());
/// assert!(!ErrorClass::Permanent.is_dependency_failure());
/// assert!(ErrorClass::TransientAfter(Duration::from_secs(1)).is_retried());
/// assert_eq!(ErrorClass::TransientAfter(Duration::from_secs(1)).retry_after(), Some(Duration::from_secs(1)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorClass {
    /// Retrying cannot help and the dependency is healthy: not retried, not a breaker failure.
    Permanent,
    /// Another attempt may succeed; a failure of the dependency: retried, counted.
    #[default]
    Transient,
    /// Transient, and the dependency said when to come back (an HTTP `Retry-After`, a gRPC
    /// `RetryInfo`): the next attempt waits at least this long — more if the backoff says so,
    /// never more than the policy's `max_delay` — and none starts that would end past the
    /// `deadline`.
    TransientAfter(Duration),
}

impl ErrorClass {
    /// Whether a failure of this class is retried (unless `retry_if` says otherwise).
    #[must_use]
    pub const fn is_retried(self) -> bool {
        !matches!(self, ErrorClass::Permanent)
    }

    /// Whether a failure of this class counts against a circuit breaker (unless `record_if`
    /// says otherwise, or its severity is `Low`).
    #[must_use]
    pub const fn is_dependency_failure(self) -> bool {
        !matches!(self, ErrorClass::Permanent)
    }

    /// The delay the dependency asked for, if any.
    #[must_use]
    pub const fn retry_after(self) -> Option<Duration> {
        match self {
            ErrorClass::TransientAfter(delay) => Some(delay),
            _ => None,
        }
    }
}

/// Lets an error type say which of its failures are worth retrying and which count against a
/// circuit breaker, and how severe each is.
///
/// **Without an implementation every `Err` is transient**: retried, and counted against the
/// breaker. Implement [`class`](Classify::class) (or its shorthand
/// [`is_transient`](Classify::is_transient), `false` meaning [`ErrorClass::Permanent`]) so that
/// business errors neither burn retries nor open breakers. `retry_if = path` and
/// `record_if = path` on the attribute override the two decisions one by one.
///
/// ```
/// use coord::{Classify, ErrorClass};
/// use std::time::Duration;
///
/// #[derive(Debug)]
/// enum PayError {
///     Declined,                 // the bank's answer: permanent
///     Busy { retry_after_s: u64 }, // the bank asked us to come back later
///     Unavailable(coord::Error),   // a timeout, an open breaker
/// }
///
/// impl From<coord::Error> for PayError {
///     fn from(err: coord::Error) -> Self {
///         PayError::Unavailable(err)
///     }
/// }
///
/// impl Classify for PayError {
///     fn class(&self) -> ErrorClass {
///         match self {
///             PayError::Declined => ErrorClass::Permanent,
///             PayError::Busy { retry_after_s } => ErrorClass::TransientAfter(Duration::from_secs(*retry_after_s)),
///             PayError::Unavailable(_) => ErrorClass::Transient,
///         }
///     }
/// }
///
/// static ATTEMPTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
///
/// #[coord::handle_errors(max_retries = 3, base_delay = "1ms", circuit_breaker(name = "docs.classify", consecutive_failures = 2))]
/// fn charge(card: &str) -> Result<u32, PayError> {
///     ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///     Err(PayError::Declined)
/// }
///
/// for _ in 0..5 {
///     assert!(matches!(charge("4000-0000-0000-0002"), Err(PayError::Declined)));
/// }
/// assert_eq!(ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst), 5, "never retried");
/// assert_eq!(coord::breaker("docs.classify").state(), coord::breaker::BreakerState::Closed, "never counted");
/// ```
pub trait Classify {
    /// How this failure is treated; defaults to [`ErrorClass::Transient`], or
    /// [`ErrorClass::Permanent`] when [`is_transient`](Classify::is_transient) says `false`.
    fn class(&self) -> ErrorClass {
        if self.is_transient() {
            ErrorClass::Transient
        } else {
            ErrorClass::Permanent
        }
    }

    /// Shorthand for [`class`](Classify::class): `false` makes the failure permanent (not
    /// retried, not counted against a breaker). Defaults to `true`.
    fn is_transient(&self) -> bool {
        true
    }

    /// This error's severity, overriding the policy's for logging and breaker accounting
    /// (`Low` never counts against a breaker).
    fn severity(&self) -> Option<Severity> {
        None
    }
}

/// What the retry loop needs to know about one failure.
pub struct FailureView<'a> {
    /// Whether to retry: `retry_if`'s answer if there is one, else the class's.
    pub retryable: bool,
    /// The error's class (its [`Classify`] impl's, else transient).
    pub class: ErrorClass,
    /// `record_if`'s answer, if there is one: whether the failure counts against the breaker.
    pub recorded: Option<bool>,
    /// The error's own severity, if it has one.
    pub severity: Option<Severity>,
    /// How to show it in logs.
    pub text: ErrorText<'a>,
}

/// An error as logs show it: its `Display`, else its `Debug`, else its type name, with
/// control characters escaped (the text may carry input, and must not forge a log line).
pub enum ErrorText<'a> {
    /// Shown with `Display`.
    Display(&'a dyn fmt::Display),
    /// Shown with `Debug`.
    Debug(&'a dyn fmt::Debug),
    /// Neither is implemented.
    Opaque(&'static str),
}

impl fmt::Display for ErrorText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorText::Display(error) => EscapedDisplay(*error).fmt(f),
            ErrorText::Debug(error) => EscapedDisplay(&format_args!("{error:?}")).fmt(f),
            ErrorText::Opaque(type_name) => write!(f, "<{type_name}>"),
        }
    }
}

/// Wraps an error for the probes; see the module docs.
pub struct ErrorProbe<'a, E>(pub &'a E);

/// Picks [`Classify`] when the error implements it.
pub trait ClassifiedError {
    /// [`Classify::class`].
    fn coord_class(&self) -> ErrorClass;
    /// [`Classify::severity`].
    fn coord_severity(&self) -> Option<Severity>;
}

// Called as `(&ErrorProbe(e)).coord_is_transient()`: the by-value step finds this impl when
// `E: Classify`; otherwise the auto-referenced step finds the fallback below.
impl<E: Classify> ClassifiedError for ErrorProbe<'_, E> {
    fn coord_class(&self) -> ErrorClass {
        self.0.class()
    }
    fn coord_severity(&self) -> Option<Severity> {
        self.0.severity()
    }
}

/// The fallback when the error does not implement [`Classify`].
pub trait UnclassifiedError {
    /// Always [`ErrorClass::Transient`].
    fn coord_class(&self) -> ErrorClass;
    /// Always `None`.
    fn coord_severity(&self) -> Option<Severity>;
}

impl<E> UnclassifiedError for &ErrorProbe<'_, E> {
    fn coord_class(&self) -> ErrorClass {
        ErrorClass::Transient
    }
    fn coord_severity(&self) -> Option<Severity> {
        None
    }
}

/// Shows the error with `Display` when it has it.
pub trait DisplayedError<'a> {
    /// The error's text.
    fn coord_text(&self) -> ErrorText<'a>;
}

// Text probes are called as `(&&&ErrorProbe(e)).coord_text()`: each autoderef step tries one
// impl, the most references first, so `Display` wins over `Debug` over the type name.
impl<'a, E: fmt::Display> DisplayedError<'a> for &&ErrorProbe<'a, E> {
    fn coord_text(&self) -> ErrorText<'a> {
        ErrorText::Display(self.0)
    }
}

/// Falls back to `Debug`.
pub trait DebuggedError<'a> {
    /// The error's text.
    fn coord_text(&self) -> ErrorText<'a>;
}

impl<'a, E: fmt::Debug> DebuggedError<'a> for &ErrorProbe<'a, E> {
    fn coord_text(&self) -> ErrorText<'a> {
        ErrorText::Debug(self.0)
    }
}

/// Falls back to the type name.
pub trait OpaqueError<'a> {
    /// The error's type name.
    fn coord_text(&self) -> ErrorText<'a>;
}

impl<'a, E> OpaqueError<'a> for ErrorProbe<'a, E> {
    fn coord_text(&self) -> ErrorText<'a> {
        ErrorText::Opaque(std::any::type_name::<E>())
    }
}

#[cfg(test)]
// The explicit borrows are what select the fallback impls.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::*;

    struct Plain;
    #[derive(Debug)]
    struct OnlyDebug;
    struct Transient(bool);
    impl Classify for Transient {
        fn is_transient(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn probes_pick_the_most_specific_impl() {
        assert_eq!((&&&ErrorProbe(&"text")).coord_text().to_string(), "text");
        assert_eq!(
            (&&&ErrorProbe(&OnlyDebug)).coord_text().to_string(),
            "OnlyDebug"
        );
        assert!(
            (&&&ErrorProbe(&Plain))
                .coord_text()
                .to_string()
                .ends_with("Plain>")
        );
        assert_eq!(
            (&ErrorProbe(&Transient(false))).coord_class(),
            ErrorClass::Permanent
        );
        assert_eq!(
            (&ErrorProbe(&Transient(true))).coord_class(),
            ErrorClass::Transient
        );
        assert_eq!((&ErrorProbe(&Plain)).coord_class(), ErrorClass::Transient);
        assert_eq!((&ErrorProbe(&Plain)).coord_severity(), None);
    }
}
