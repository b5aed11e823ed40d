//! How bad a failure is, and the retry policy, breaker accounting and log level that follow.

use std::fmt;

/// The severity of an operation's failures, which picks its default error handling.
///
/// | severity | retries | backoff | jitter | counts against a breaker | log level |
/// | --- | --- | --- | --- | --- | --- |
/// | `Low` | 1 | constant 50 ms | none | no | debug |
/// | `Medium` (default) | 3 | exponential 100 ms × 2, at most 2 s | full | yes | warn |
/// | `High` | 5 | exponential 200 ms × 2, at most 5 s | equal | yes | error |
/// | `Critical` | 0 (fail fast) | — | — | yes | error |
///
/// `Critical` does not retry: a critical failure should surface at once, not after seconds
/// of retries; give `max_retries` explicitly to change that.
///
/// ```
/// use coord::{Severity, retry::RetryPolicy};
///
/// let medium = RetryPolicy::for_severity(Severity::Medium);
/// assert_eq!(medium.max_retries_value(), 3);
/// assert!(Severity::Medium.counts_against_breaker());
/// assert!(!Severity::Low.counts_against_breaker());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Severity {
    /// Expected, harmless failures.
    Low,
    /// Ordinary failures of a dependency.
    #[default]
    Medium,
    /// Failures that hurt users.
    High,
    /// Failures that must surface immediately.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Its name as written in `severity = "..."`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Whether failures of this severity count towards opening a circuit breaker.
    #[must_use]
    pub const fn counts_against_breaker(self) -> bool {
        !matches!(self, Severity::Low)
    }

    /// The level of the "retries exhausted" event; "retry scheduled" is one step quieter.
    #[must_use]
    pub const fn log_level(self) -> tracing::Level {
        match self {
            Severity::Low => tracing::Level::DEBUG,
            Severity::Medium => tracing::Level::WARN,
            Severity::High | Severity::Critical => tracing::Level::ERROR,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
