//! How a failed attempt is judged: retryable or not, how severe, and how it reads in logs.
//!
//! Generated code builds a [`FailureView`] per failure with the probes below, which pick by
//! type (autoref specialisation) whether the error implements [`Classify`], `Display` or
//! `Debug`, so none of them is required.

use std::fmt;

use crate::base::escape::EscapedDisplay;
use crate::values::severity::Severity;

/// Lets an error type say whether retrying can help and how severe it is.
///
/// Without an implementation every `Err` is retried and has the severity of the function's
/// policy. `retry_if = path::to::fn` on the attribute overrides [`Classify::is_transient`].
///
/// ```
/// use coord::{Classify, Severity};
///
/// #[derive(Debug)]
/// enum DbError {
///     Timeout,
///     NotFound,
/// }
///
/// impl Classify for DbError {
///     fn is_transient(&self) -> bool {
///         matches!(self, DbError::Timeout)
///     }
///     fn severity(&self) -> Option<Severity> {
///         match self {
///             DbError::NotFound => Some(Severity::Low), // expected; never trips a breaker
///             DbError::Timeout => None,                 // the policy's severity
///         }
///     }
/// }
///
/// static ATTEMPTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
///
/// #[coord::handle_errors(max_retries = 3, base_delay = "1ms")]
/// fn find(id: u32) -> Result<String, DbError> {
///     ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///     Err(DbError::NotFound)
/// }
///
/// assert!(find(7).is_err());
/// assert_eq!(ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst), 1, "not transient: no retry");
/// ```
pub trait Classify {
    /// Whether another attempt might succeed. Defaults to `true`.
    fn is_transient(&self) -> bool {
        true
    }

    /// This error's severity, overriding the policy's for logging and breaker accounting.
    fn severity(&self) -> Option<Severity> {
        None
    }
}

/// What the retry loop needs to know about one failure.
pub struct FailureView<'a> {
    /// Whether to retry.
    pub retryable: bool,
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
    /// [`Classify::is_transient`].
    fn coord_is_transient(&self) -> bool;
    /// [`Classify::severity`].
    fn coord_severity(&self) -> Option<Severity>;
}

// Called as `(&ErrorProbe(e)).coord_is_transient()`: the by-value step finds this impl when
// `E: Classify`; otherwise the auto-referenced step finds the fallback below.
impl<E: Classify> ClassifiedError for ErrorProbe<'_, E> {
    fn coord_is_transient(&self) -> bool {
        self.0.is_transient()
    }
    fn coord_severity(&self) -> Option<Severity> {
        self.0.severity()
    }
}

/// The fallback when the error does not implement [`Classify`].
pub trait UnclassifiedError {
    /// Always `true`.
    fn coord_is_transient(&self) -> bool;
    /// Always `None`.
    fn coord_severity(&self) -> Option<Severity>;
}

impl<E> UnclassifiedError for &ErrorProbe<'_, E> {
    fn coord_is_transient(&self) -> bool {
        true
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
        assert!(!(&ErrorProbe(&Transient(false))).coord_is_transient());
        assert!((&ErrorProbe(&Transient(true))).coord_is_transient());
        assert!((&ErrorProbe(&Plain)).coord_is_transient());
        assert_eq!((&ErrorProbe(&Plain)).coord_severity(), None);
    }
}
