//! The retry and circuit-breaker options: each option's name and the values it accepts, and
//! the checks between options. The attributes check them at compile time, the configuration
//! loader in files and environment variables, and the runtime's `const` builders in code, all
//! with these same tables, so a value gets one verdict wherever it is written.
//!
//! Every size-like option has an upper bound as well as a lower one: a breaker keeps `window`
//! outcomes in memory, and its half-open counters are 16 bits wide.

use std::fmt;

/// One day, the longest retry delay or deadline accepted.
const DAY_NANOS: u64 = 86_400 * 1_000_000_000;

/// What values an option accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// A whole number in `min..=max`.
    Count {
        /// The smallest value accepted.
        min: u64,
        /// The largest value accepted.
        max: u64,
    },
    /// A number in `min..=max`, or in `(0, max]` when `min` is `0.0` and zero is refused.
    Number {
        /// The smallest value accepted.
        min: f64,
        /// Whether `min` itself is accepted.
        min_included: bool,
        /// The largest value accepted.
        max: f64,
    },
    /// A duration of at most `max_nanos`; zero only when `zero_allowed`.
    Duration {
        /// Whether `0s` is accepted.
        zero_allowed: bool,
        /// The longest duration accepted, in nanoseconds.
        max_nanos: u64,
    },
    /// One of these spellings.
    Choice(&'static [&'static str]),
}

/// One option: its name as written and what it accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSpec {
    /// The name, as in an attribute, a configuration file and the builder method.
    pub name: &'static str,
    /// The values it accepts.
    pub limit: Limit,
}

/// Why a value does not fit its option.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionProblem {
    /// Below the smallest value accepted.
    #[error("must be at least {minimum}")]
    TooSmall {
        /// The smallest value accepted.
        minimum: f64,
    },
    /// Above the largest value accepted.
    #[error("must be at most {maximum}")]
    TooLarge {
        /// The largest value accepted.
        maximum: f64,
    },
    /// Zero where only a positive value makes sense.
    #[error("must be greater than zero")]
    NotPositive,
    /// A zero duration where one would make no sense.
    #[error("must be longer than zero")]
    ZeroDuration,
    /// A duration longer than the longest accepted.
    #[error("must be at most {}", describe_nanos(*maximum_nanos))]
    TooLong {
        /// The longest duration accepted, in nanoseconds.
        maximum_nanos: u64,
    },
    /// Not one of the spellings.
    #[error("must be one of {}", quoted(choices))]
    NotAChoice {
        /// The spellings accepted.
        choices: &'static [&'static str],
    },
    /// A value the option's kind cannot take (a number for a duration, …).
    #[error("takes {0}")]
    WrongKind(&'static str),
}

impl OptionSpec {
    /// Whether `value` fits a count option; `const`, for the runtime's `const` builders.
    ///
    /// ```
    /// assert!(coord_text::WINDOW.admits_count(20));
    /// assert!(!coord_text::WINDOW.admits_count(0));
    /// ```
    #[must_use]
    pub const fn admits_count(&self, value: u64) -> bool {
        match self.limit {
            Limit::Count { min, max } => value >= min && value <= max,
            _ => false,
        }
    }

    /// Whether `value` fits a number option; `const`, as [`admits_count`](Self::admits_count).
    #[must_use]
    pub const fn admits_number(&self, value: f64) -> bool {
        match self.limit {
            Limit::Number {
                min,
                min_included,
                max,
            } => {
                value.is_finite() && (value > min || (min_included && value == min)) && value <= max
            }
            _ => false,
        }
    }

    /// Whether `nanos` fits a duration option; `const`, as [`admits_count`](Self::admits_count).
    #[must_use]
    pub const fn admits_nanos(&self, nanos: u64) -> bool {
        match self.limit {
            Limit::Duration {
                zero_allowed,
                max_nanos,
            } => (nanos > 0 || zero_allowed) && nanos <= max_nanos,
            _ => false,
        }
    }

    /// Checks a whole number.
    ///
    /// # Errors
    /// [`OptionProblem`] when it is out of range, or the option is not a count.
    pub fn check_count(&self, value: u64) -> Result<u64, OptionProblem> {
        match self.limit {
            #[allow(clippy::cast_precision_loss)] // bounds are far below 2^53
            Limit::Count { min, .. } if value < min => Err(if min == 1 && value == 0 {
                OptionProblem::NotPositive
            } else {
                OptionProblem::TooSmall {
                    minimum: min as f64,
                }
            }),
            #[allow(clippy::cast_precision_loss)]
            Limit::Count { max, .. } if value > max => Err(OptionProblem::TooLarge {
                maximum: max as f64,
            }),
            Limit::Count { .. } => Ok(value),
            _ => Err(self.kind_problem()),
        }
    }

    /// Checks a number (a whole number written for a number option is a number too).
    ///
    /// # Errors
    /// [`OptionProblem`] when it is out of range, not finite, or the option takes no number.
    pub fn check_number(&self, value: f64) -> Result<f64, OptionProblem> {
        match self.limit {
            Limit::Number {
                min,
                min_included,
                max,
            } => {
                if !value.is_finite() {
                    Err(OptionProblem::WrongKind("a finite number"))
                } else if value < min || (!min_included && value == min) {
                    Err(if min == 0.0 && !min_included {
                        OptionProblem::NotPositive
                    } else {
                        OptionProblem::TooSmall { minimum: min }
                    })
                } else if value > max {
                    Err(OptionProblem::TooLarge { maximum: max })
                } else {
                    Ok(value)
                }
            }
            Limit::Count { .. } if value >= 0.0 && value.fract() == 0.0 =>
            {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                self.check_count(value as u64).map(|_| value)
            }
            _ => Err(self.kind_problem()),
        }
    }

    /// Checks a duration, in nanoseconds.
    ///
    /// # Errors
    /// [`OptionProblem`] when it is zero where zero makes no sense, too long, or the option
    /// takes no duration.
    pub fn check_nanos(&self, nanos: u64) -> Result<u64, OptionProblem> {
        match self.limit {
            Limit::Duration { zero_allowed, .. } if nanos == 0 && !zero_allowed => {
                Err(OptionProblem::ZeroDuration)
            }
            Limit::Duration { max_nanos, .. } if nanos > max_nanos => Err(OptionProblem::TooLong {
                maximum_nanos: max_nanos,
            }),
            Limit::Duration { .. } => Ok(nanos),
            _ => Err(self.kind_problem()),
        }
    }

    /// Checks a spelling, returning the table's own `&'static str`.
    ///
    /// # Errors
    /// [`OptionProblem::NotAChoice`] when it is not one of the spellings.
    pub fn check_choice(&self, value: &str) -> Result<&'static str, OptionProblem> {
        match self.limit {
            Limit::Choice(choices) => choices
                .iter()
                .find(|choice| **choice == value)
                .copied()
                .ok_or(OptionProblem::NotAChoice { choices }),
            _ => Err(self.kind_problem()),
        }
    }

    fn kind_problem(&self) -> OptionProblem {
        OptionProblem::WrongKind(match self.limit {
            Limit::Count { .. } => "a whole number",
            Limit::Number { .. } => "a number",
            Limit::Duration { .. } => "a duration such as \"250ms\"",
            Limit::Choice(_) => "one of its spellings",
        })
    }
}

/// The severity spellings (`severity = "high"`).
pub const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
/// The backoff spellings.
pub const BACKOFFS: &[&str] = &["exponential", "linear", "constant"];
/// The jitter spellings.
pub const JITTERS: &[&str] = &["full", "equal", "decorrelated", "none"];

/// `consecutive_failures`: failures in a row that open a breaker.
pub const CONSECUTIVE_FAILURES: OptionSpec = OptionSpec {
    name: "consecutive_failures",
    limit: Limit::Count {
        min: 1,
        max: 1_000_000,
    },
};
/// `failure_rate`: the share of failures in the window that opens a breaker, in `(0, 1]`.
pub const FAILURE_RATE: OptionSpec = OptionSpec {
    name: "failure_rate",
    limit: Limit::Number {
        min: 0.0,
        min_included: false,
        max: 1.0,
    },
};
/// `window`: the most recent calls the failure rate is computed over; each is kept in memory.
pub const WINDOW: OptionSpec = OptionSpec {
    name: "window",
    limit: Limit::Count {
        min: 1,
        max: 100_000,
    },
};
/// `min_calls`: calls in the window before the rate is considered (0 and 1 alike check it
/// from the first call); at most `window`.
pub const MIN_CALLS: OptionSpec = OptionSpec {
    name: "min_calls",
    limit: Limit::Count {
        min: 0,
        max: 100_000,
    },
};
/// `open_for`: how long an open breaker rejects calls, more than zero and at most a week.
pub const OPEN_FOR: OptionSpec = OptionSpec {
    name: "open_for",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: 7 * DAY_NANOS,
    },
};
/// `half_open_permits`: probes admitted at once while half-open (a 16-bit counter).
pub const HALF_OPEN_PERMITS: OptionSpec = OptionSpec {
    name: "half_open_permits",
    limit: Limit::Count {
        min: 1,
        max: 65_535,
    },
};
/// `close_after`: successful probes that close a breaker (a 16-bit counter).
pub const CLOSE_AFTER: OptionSpec = OptionSpec {
    name: "close_after",
    limit: Limit::Count {
        min: 1,
        max: 65_535,
    },
};

/// `slow_call_duration`: a call at least this long is slow; more than zero, at most a day.
pub const SLOW_CALL_DURATION: OptionSpec = OptionSpec {
    name: "slow_call_duration",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: DAY_NANOS,
    },
};
/// `slow_call_rate`: the share of slow calls in the window that opens a breaker, in `(0, 1]`.
pub const SLOW_CALL_RATE: OptionSpec = OptionSpec {
    name: "slow_call_rate",
    limit: Limit::Number {
        min: 0.0,
        min_included: false,
        max: 1.0,
    },
};

/// `time_window`: count the rates over the calls of this last stretch of time instead of the
/// last `window` calls; 1 s to a day.
pub const TIME_WINDOW: OptionSpec = OptionSpec {
    name: "time_window",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: DAY_NANOS,
    },
};

/// Every breaker option, in the order the docs list them.
pub const BREAKER_OPTIONS: &[OptionSpec] = &[
    CONSECUTIVE_FAILURES,
    FAILURE_RATE,
    SLOW_CALL_DURATION,
    SLOW_CALL_RATE,
    WINDOW,
    TIME_WINDOW,
    MIN_CALLS,
    OPEN_FOR,
    HALF_OPEN_PERMITS,
    CLOSE_AFTER,
];

/// `max_retries`: retries after the first call.
pub const MAX_RETRIES: OptionSpec = OptionSpec {
    name: "max_retries",
    limit: Limit::Count { min: 0, max: 1_000 },
};
/// `base_delay`: the delay before the first retry, at most a day.
pub const BASE_DELAY: OptionSpec = OptionSpec {
    name: "base_delay",
    limit: Limit::Duration {
        zero_allowed: true,
        max_nanos: DAY_NANOS,
    },
};
/// `max_delay`: the longest delay before any retry, at most a day.
pub const MAX_DELAY: OptionSpec = OptionSpec {
    name: "max_delay",
    limit: Limit::Duration {
        zero_allowed: true,
        max_nanos: DAY_NANOS,
    },
};
/// `multiplier`: the growth factor of exponential backoff, 1 to a million.
pub const MULTIPLIER: OptionSpec = OptionSpec {
    name: "multiplier",
    limit: Limit::Number {
        min: 1.0,
        min_included: true,
        max: 1e6,
    },
};
/// `deadline`: the budget of a whole call, more than zero and at most a day.
pub const DEADLINE: OptionSpec = OptionSpec {
    name: "deadline",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: DAY_NANOS,
    },
};
/// `ratio` of a retry budget: retries as a share of calls, 0 to 10.
pub const BUDGET_RATIO: OptionSpec = OptionSpec {
    name: "ratio",
    limit: Limit::Number {
        min: 0.0,
        min_included: true,
        max: 10.0,
    },
};
/// `min_per_second` of a retry budget: retries allowed a second whatever the traffic.
pub const MIN_RETRIES_PER_SECOND: OptionSpec = OptionSpec {
    name: "min_per_second",
    limit: Limit::Count {
        min: 0,
        max: 1_000_000,
    },
};
/// `max_concurrent` of a bulkhead: calls inside at once, 1 to 1 000 000.
pub const MAX_CONCURRENT: OptionSpec = OptionSpec {
    name: "max_concurrent",
    limit: Limit::Count {
        min: 1,
        max: 1_000_000,
    },
};
/// `max_wait` of a bulkhead: how long a call waits for a slot, at most a day (zero: no wait).
pub const MAX_WAIT: OptionSpec = OptionSpec {
    name: "max_wait",
    limit: Limit::Duration {
        zero_allowed: true,
        max_nanos: DAY_NANOS,
    },
};
/// `per_second` of a rate limiter: calls admitted a second on average, 1 to 1 000 000 000.
pub const PER_SECOND: OptionSpec = OptionSpec {
    name: "per_second",
    limit: Limit::Count {
        min: 1,
        max: 1_000_000_000,
    },
};
/// `burst` of a rate limiter: calls admitted back to back, 1 to 1 000 000 000.
pub const BURST: OptionSpec = OptionSpec {
    name: "burst",
    limit: Limit::Count {
        min: 1,
        max: 1_000_000_000,
    },
};
/// `timeout` of one attempt of a retried async function: past it the attempt is cancelled
/// and counts as a transient failure; more than zero and at most a day.
pub const ATTEMPT_TIMEOUT: OptionSpec = OptionSpec {
    name: "timeout",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: DAY_NANOS,
    },
};
/// `timeout` of a saga step: how long the step (all its attempts) may take before its
/// outcome counts as unknown; more than zero and at most a day.
pub const STEP_TIMEOUT: OptionSpec = OptionSpec {
    name: "timeout",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: DAY_NANOS,
    },
};
/// `ttl` of a distributed lock: how long a hold lasts without renewal (renewed every third of
/// it while held); more than zero and at most a day.
pub const LOCK_TTL: OptionSpec = OptionSpec {
    name: "ttl",
    limit: Limit::Duration {
        zero_allowed: false,
        max_nanos: DAY_NANOS,
    },
};
/// `wait` of a distributed lock: how long to wait for a held lock; `0s` tries once; at most
/// an hour.
pub const LOCK_WAIT: OptionSpec = OptionSpec {
    name: "wait",
    limit: Limit::Duration {
        zero_allowed: true,
        max_nanos: DAY_NANOS / 24,
    },
};
/// `severity`: the preset the other retry options default to.
pub const SEVERITY: OptionSpec = OptionSpec {
    name: "severity",
    limit: Limit::Choice(SEVERITIES),
};
/// `backoff`: how the delay grows.
pub const BACKOFF: OptionSpec = OptionSpec {
    name: "backoff",
    limit: Limit::Choice(BACKOFFS),
};
/// `jitter`: how delays are randomised.
pub const JITTER: OptionSpec = OptionSpec {
    name: "jitter",
    limit: Limit::Choice(JITTERS),
};

/// Every retry option that takes a value (not `retry_if`, which names a function).
pub const RETRY_OPTIONS: &[OptionSpec] = &[
    SEVERITY,
    MAX_RETRIES,
    BACKOFF,
    BASE_DELAY,
    MULTIPLIER,
    MAX_DELAY,
    JITTER,
    DEADLINE,
    ATTEMPT_TIMEOUT,
];

/// The breaker or retry option called `name`.
///
/// ```
/// assert_eq!(coord_text::option("window"), Some(&coord_text::WINDOW));
/// assert_eq!(coord_text::option("windows"), None);
/// ```
#[must_use]
pub fn option(name: &str) -> Option<&'static OptionSpec> {
    BREAKER_OPTIONS
        .iter()
        .chain(RETRY_OPTIONS)
        .find(|spec| spec.name == name)
}

/// What is wrong with a breaker's `min_calls` and `window` together, if anything.
///
/// ```
/// assert!(coord_text::breaker_combination_problem(Some(30), Some(20)).is_some());
/// assert!(coord_text::breaker_combination_problem(Some(10), None).is_none());
/// ```
#[must_use]
pub fn breaker_combination_problem(min_calls: Option<u64>, window: Option<u64>) -> Option<String> {
    match (min_calls, window) {
        (Some(min), Some(window)) if min > window => Some(format!(
            "`min_calls` ({min}) exceeds `window` ({window}): the failure rate would never be checked"
        )),
        _ => None,
    }
}

/// What is wrong with a retry's `base_delay` and `max_delay` together (nanoseconds), if anything.
#[must_use]
pub fn retry_combination_problem(
    base_delay: Option<u64>,
    max_delay: Option<u64>,
) -> Option<String> {
    match (base_delay, max_delay) {
        (Some(base), Some(max)) if base > max => Some(
            "`max_delay` is shorter than `base_delay`: no retry could wait as long as asked"
                .to_owned(),
        ),
        _ => None,
    }
}

fn quoted(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|choice| format!("\"{choice}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A whole number of the largest unit that divides `nanos` (`7d`, `24h`, `90s`).
fn describe_nanos(nanos: u64) -> String {
    const UNITS: &[(u64, &str)] = &[
        (86_400_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    UNITS
        .iter()
        .find(|(unit, _)| nanos.is_multiple_of(*unit))
        .map_or_else(
            || format!("{nanos}ns"),
            |(unit, name)| format!("{}{name}", nanos / unit),
        )
}

impl fmt::Display for OptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Limit::Count { min, max } => {
                write!(f, "`{}`: a whole number, {min} to {max}", self.name)
            }
            Limit::Number {
                min,
                min_included,
                max,
            } => {
                let low = if min_included { "[" } else { "(" };
                write!(f, "`{}`: a number in {low}{min}, {max}]", self.name)
            }
            Limit::Duration {
                zero_allowed,
                max_nanos,
            } => write!(
                f,
                "`{}`: a duration, {} to {}",
                self.name,
                if zero_allowed { "0s" } else { "more than 0s" },
                describe_nanos(max_nanos)
            ),
            Limit::Choice(choices) => write!(f, "`{}`: one of {}", self.name, quoted(choices)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_both_ways() {
        assert_eq!(WINDOW.check_count(0), Err(OptionProblem::NotPositive));
        assert_eq!(
            WINDOW.check_count(4_294_967_295),
            Err(OptionProblem::TooLarge { maximum: 100_000.0 })
        );
        assert_eq!(MIN_CALLS.check_count(0), Ok(0));
        assert_eq!(
            FAILURE_RATE.check_number(0.0),
            Err(OptionProblem::NotPositive)
        );
        assert_eq!(FAILURE_RATE.check_number(1.0), Ok(1.0));
        assert!(FAILURE_RATE.check_number(f64::NAN).is_err());
        assert_eq!(OPEN_FOR.check_nanos(0), Err(OptionProblem::ZeroDuration));
        assert_eq!(BASE_DELAY.check_nanos(0), Ok(0));
        assert_eq!(
            OPEN_FOR.check_nanos(8 * DAY_NANOS).unwrap_err().to_string(),
            "must be at most 7d"
        );
        assert_eq!(
            HALF_OPEN_PERMITS
                .check_count(65_536)
                .unwrap_err()
                .to_string(),
            "must be at most 65535"
        );
        assert_eq!(
            MULTIPLIER.check_number(0.5).unwrap_err().to_string(),
            "must be at least 1"
        );
        assert_eq!(BACKOFF.check_choice("linear"), Ok("linear"));
        assert!(
            BACKOFF
                .check_choice("fibonacci")
                .unwrap_err()
                .to_string()
                .contains("\"constant\"")
        );
    }

    #[test]
    fn the_const_checks_agree_with_the_checks() {
        for spec in BREAKER_OPTIONS.iter().chain(RETRY_OPTIONS) {
            for value in [
                0u64,
                1,
                2,
                1_000,
                65_535,
                65_536,
                100_000,
                100_001,
                u64::MAX,
            ] {
                assert_eq!(
                    spec.admits_count(value),
                    spec.check_count(value).is_ok(),
                    "{spec} {value}"
                );
                assert_eq!(
                    spec.admits_nanos(value),
                    spec.check_nanos(value).is_ok(),
                    "{spec} {value}"
                );
            }
            for value in [0.0, 0.5, 1.0, 2.0, 1e6, 1e7, f64::NAN, f64::INFINITY, -1.0] {
                if matches!(spec.limit, Limit::Number { .. }) {
                    assert_eq!(
                        spec.admits_number(value),
                        spec.check_number(value).is_ok(),
                        "{spec} {value}"
                    );
                }
            }
        }
    }
}
