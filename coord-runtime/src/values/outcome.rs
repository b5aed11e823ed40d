//! How a call ended, and how generated code tells an `Err` from an `Ok` without knowing the type.

use std::fmt;

/// How one call of an annotated function ended.
///
/// Every tracked operation has a `coord_operation_calls_total` series for each variant, created
/// (at zero) by its first call, so dashboards never miss a series that has not happened yet.
///
/// ```
/// use coord::Outcome;
///
/// assert_eq!(Outcome::Error.as_str(), "error");
/// assert_eq!(Outcome::ALL.len(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// The function returned normally; for a `Result`, it returned `Ok`.
    Ok,
    /// The function returned `Err`.
    Error,
    /// The function unwound with a panic (which coord lets propagate unchanged).
    Panic,
    /// An async call's future was dropped before it completed.
    Cancelled,
    /// Refused before the body ran: a circuit breaker, bulkhead or rate limiter said no (and no
    /// fallback answered). Counted, but kept out of the duration histogram and the latency
    /// quantiles, where its microseconds would drag p50 toward zero during an outage.
    Refused,
}

impl Outcome {
    /// Every outcome, in the order of their index.
    pub const ALL: [Outcome; 5] = [
        Outcome::Ok,
        Outcome::Error,
        Outcome::Panic,
        Outcome::Cancelled,
        Outcome::Refused,
    ];

    /// The value of the `outcome` label.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Panic => "panic",
            Outcome::Cancelled => "cancelled",
            Outcome::Refused => "refused",
        }
    }

    /// Position in [`Outcome::ALL`]; used to index per-outcome arrays.
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Wraps a return value so that method resolution can pick the outcome rule by type.
///
/// Generated code calls `(&OutcomeProbe(&value)).coord_outcome()` with both traits below in scope.
/// For a `Result` the by-value impl of [`ResultOutcome`] matches first; every other type only
/// matches [`PlainOutcome`] after one more auto-reference. This works for type aliases such as
/// `io::Result<T>` that a syntactic check on the return type would miss.
pub struct OutcomeProbe<'a, T>(pub &'a T);

/// Outcome of a `Result`: `Err` is an error.
pub trait ResultOutcome {
    /// `Ok` or `Error`.
    fn coord_outcome(&self) -> Outcome;
}

impl<T, E> ResultOutcome for OutcomeProbe<'_, Result<T, E>> {
    #[inline]
    fn coord_outcome(&self) -> Outcome {
        if self.0.is_err() {
            Outcome::Error
        } else {
            Outcome::Ok
        }
    }
}

/// Outcome of any value that is not a `Result`: returning is success.
pub trait PlainOutcome {
    /// Always `Ok`.
    fn coord_outcome(&self) -> Outcome;
}

impl<T> PlainOutcome for &OutcomeProbe<'_, T> {
    #[inline]
    fn coord_outcome(&self) -> Outcome {
        Outcome::Ok
    }
}

#[cfg(test)]
// The explicit `&` is the point: it is what lets method resolution fall back to `PlainOutcome`.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::{OutcomeProbe, PlainOutcome as _, ResultOutcome as _};
    use crate::values::outcome::Outcome;

    type IoResult<T> = std::io::Result<T>;

    #[test]
    fn results_are_classified_by_variant_even_through_aliases() {
        let ok: IoResult<u8> = Ok(1);
        let err: IoResult<u8> = Err(std::io::Error::other("boom"));
        assert_eq!((&OutcomeProbe(&ok)).coord_outcome(), Outcome::Ok);
        assert_eq!((&OutcomeProbe(&err)).coord_outcome(), Outcome::Error);
    }

    #[test]
    fn other_values_are_ok() {
        let none: Option<u8> = None;
        assert_eq!((&OutcomeProbe(&none)).coord_outcome(), Outcome::Ok);
        assert_eq!((&OutcomeProbe(&())).coord_outcome(), Outcome::Ok);
    }

    #[test]
    fn indices_follow_all() {
        for (i, outcome) in Outcome::ALL.iter().enumerate() {
            assert_eq!(outcome.index(), i);
        }
    }
}
