//! The performance score (0–100) and class of operations, from thresholds that
//! `rules/quality.yaml` sets under `performance_thresholds`.
//!
//! Formula: each operation gets points for its p95 latency and for its error rate — 100 at or
//! under the `excellent` threshold, 75 at or under `good`, 50 at or under `fair`, 25 above — and
//! its score is the weaker of the two: an operation failing 69 % of its calls in a millisecond
//! scores 25 (POOR), not the 62.5 (FAIR) an average would give it. The overall score is the mean of the operations' scores
//! weighted by their calls (100 when nothing ran). Classes: EXCELLENT from 90, GOOD from 70,
//! FAIR from 50, POOR below.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The `excellent` / `good` / `fair` limits of one figure (lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// At or under this: 100 points.
    pub excellent: f64,
    /// At or under this: 75 points.
    pub good: f64,
    /// At or under this: 50 points; above: 25.
    pub fair: f64,
}

impl Limits {
    fn points(&self, value: f64) -> f64 {
        if value <= self.excellent {
            100.0
        } else if value <= self.good {
            75.0
        } else if value <= self.fair {
            50.0
        } else {
            25.0
        }
    }

    fn is_ordered(&self) -> bool {
        self.excellent >= 0.0 && self.excellent <= self.good && self.good <= self.fair
    }
}

/// The thresholds of the performance score.
///
/// ```
/// let thresholds = coord::report::PerformanceThresholds::default();
/// assert_eq!(thresholds.p95_ms.excellent, 50.0);
/// assert_eq!(thresholds.error_rate.fair, 0.05);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceThresholds {
    /// Limits of the 95th percentile latency, in milliseconds.
    pub p95_ms: Limits,
    /// Limits of the error rate, as a fraction of calls.
    pub error_rate: Limits,
}

impl Default for PerformanceThresholds {
    /// The thresholds used when no rule file sets any: p95 50 / 200 / 1000 ms, error rate
    /// 0.1 % / 1 % / 5 %.
    fn default() -> Self {
        Self {
            p95_ms: Limits {
                excellent: 50.0,
                good: 200.0,
                fair: 1000.0,
            },
            error_rate: Limits {
                excellent: 0.001,
                good: 0.01,
                fair: 0.05,
            },
        }
    }
}

impl PerformanceThresholds {
    /// Why these thresholds are unusable, if they are.
    pub fn problem(&self) -> Option<String> {
        for (name, limits) in [("p95_ms", self.p95_ms), ("error_rate", self.error_rate)] {
            if !limits.is_ordered() {
                return Some(format!(
                    "`{name}` must satisfy 0 <= excellent <= good <= fair, got {} / {} / {}",
                    limits.excellent, limits.good, limits.fair
                ));
            }
        }
        None
    }

    /// The score of an operation with this p95 (ms) and error rate: the weaker figure's
    /// points.
    ///
    /// ```
    /// let thresholds = coord::report::PerformanceThresholds::default();
    /// assert_eq!(thresholds.score(1.0, 0.69), 25.0); // fast, but failing: POOR
    /// assert_eq!(thresholds.score(120.0, 0.0), 75.0);
    /// ```
    #[must_use]
    pub fn score(&self, p95_ms: f64, error_rate: f64) -> f64 {
        self.p95_ms
            .points(p95_ms)
            .min(self.error_rate.points(error_rate))
    }
}

/// The mean of `scores` weighted by their counts, or 100 when the counts add up to nothing
/// (no evidence of a problem).
pub(crate) fn weighted_mean(scores: impl Iterator<Item = (f64, u64)> + Clone) -> f64 {
    let total: u64 = scores.clone().map(|(_, count)| count).sum();
    if total == 0 {
        return 100.0;
    }
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let sum: f64 = scores
        .map(|(score, count)| score * count as f64)
        .sum::<f64>()
        / total as f64;
    sum
}

/// What a score means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PerformanceClass {
    /// Score of 90 or more.
    Excellent,
    /// 70 or more.
    Good,
    /// 50 or more.
    Fair,
    /// Below 50.
    Poor,
}

impl PerformanceClass {
    /// The class of `score`.
    #[must_use]
    pub fn of(score: f64) -> Self {
        if score >= 90.0 {
            PerformanceClass::Excellent
        } else if score >= 70.0 {
            PerformanceClass::Good
        } else if score >= 50.0 {
            PerformanceClass::Fair
        } else {
            PerformanceClass::Poor
        }
    }
}

impl fmt::Display for PerformanceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PerformanceClass::Excellent => "EXCELLENT",
            PerformanceClass::Good => "GOOD",
            PerformanceClass::Fair => "FAIR",
            PerformanceClass::Poor => "POOR",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_threshold_boundary_belongs_to_the_better_grade() {
        let t = PerformanceThresholds::default();
        assert_eq!(t.score(50.0, 0.001), 100.0);
        assert_eq!(t.score(50.000_1, 0.001), 75.0);
        assert_eq!(t.score(50.0, 0.69), 25.0);
        assert_eq!(t.score(200.0, 0.01), 75.0);
        assert_eq!(t.score(1000.0, 0.05), 50.0);
        assert_eq!(t.score(1000.1, 0.051), 25.0);
    }

    #[test]
    fn classes_start_at_90_70_50() {
        assert_eq!(PerformanceClass::of(90.0), PerformanceClass::Excellent);
        assert_eq!(PerformanceClass::of(89.99), PerformanceClass::Good);
        assert_eq!(PerformanceClass::of(70.0), PerformanceClass::Good);
        assert_eq!(PerformanceClass::of(69.99), PerformanceClass::Fair);
        assert_eq!(PerformanceClass::of(50.0), PerformanceClass::Fair);
        assert_eq!(PerformanceClass::of(49.99), PerformanceClass::Poor);
    }

    #[test]
    fn unordered_limits_are_a_problem() {
        let mut t = PerformanceThresholds::default();
        assert!(t.problem().is_none());
        t.p95_ms.good = 10.0;
        assert!(t.problem().unwrap().contains("p95_ms"));
    }
}
