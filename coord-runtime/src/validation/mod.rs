//! Input validation: the rule language, loading and compiling rule files, the streaming
//! serializer that checks values, results, the registry of loaded rule sets and its report.

mod builder;
pub(crate) mod checks;
pub(crate) mod formats;
pub(crate) mod inline;
pub(crate) mod path;
pub(crate) mod plan;
pub(crate) mod references;
pub(crate) mod registry;
pub(crate) mod rule_set;
pub(crate) mod serializer;
pub(crate) mod shape;
pub(crate) mod spec;
pub(crate) mod survey;
pub(crate) mod validated;
pub(crate) mod walk;

use serde::Serialize;

use crate::values::error::Error;
use crate::values::validation_result::ValidationResult;
use rule_set::{RuleSetReport, rule_set_reports};

/// Validations per rule set and overall; see [`validation_report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    /// Validations run with any rule set.
    pub validations: u64,
    /// Of which valid.
    pub valid: u64,
    /// The share of valid inputs, in percent (100 when none ran): what "compliance" means in
    /// the report and the service example's progress line.
    #[serde(serialize_with = "crate::base::json_numbers::two")]
    pub valid_percent: f64,
    /// The mean of the validations' scores, 0–100 (100 when none ran): a score is the share of
    /// applicable checks an input passed, so mostly-good invalid inputs keep it high. Read
    /// [`valid_percent`](Self::valid_percent) for how many inputs were valid.
    #[serde(serialize_with = "crate::base::json_numbers::two")]
    pub mean_score: f64,
    /// Per rule set, by name.
    pub rule_sets: Vec<RuleSetReport>,
}

/// The validation report now.
///
/// ```
/// let report = coord::validation::validation_report();
/// assert!(report.valid_percent <= 100.0 && report.mean_score <= 100.0);
/// ```
#[must_use]
pub fn validation_report() -> ValidationReport {
    let rule_sets = rule_set_reports();
    let validations: u64 = rule_sets.iter().map(|r| r.validations).sum();
    let valid = rule_sets.iter().map(|r| r.valid).sum();
    let mean_score = crate::values::score::weighted_mean(
        rule_sets.iter().map(|r| (r.mean_score, r.validations)),
    );
    ValidationReport {
        validations,
        valid,
        valid_percent: percent_valid(valid, validations),
        mean_score,
        rule_sets,
    }
}

/// `Ok(())` for a valid result; the invalid result or the lookup error otherwise.
///
/// # Errors
/// [`Error::Validation`] with the result when invalid, or the error looking the rules up.
pub fn outcome(result: Result<ValidationResult, Error>) -> Result<(), Error> {
    match result {
        Ok(result) if result.is_valid => Ok(()),
        Ok(result) => Err(Error::Validation(Box::new(result))),
        Err(err) => Err(err),
    }
}

/// `valid` of `validations` in percent, rounded to a hundredth; 100 when none ran.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
pub(crate) fn percent_valid(valid: u64, validations: u64) -> f64 {
    if validations == 0 {
        100.0
    } else {
        (valid as f64 * 10_000.0 / validations as f64).round() / 100.0
    }
}
