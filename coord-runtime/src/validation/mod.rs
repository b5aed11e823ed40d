//! Input validation: the rule language, loading and compiling rule files, the streaming
//! serializer that checks values, results, the registry of loaded rule sets and its report.

mod builder;
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
    /// Mean score of all validations, 0–100 (100 when none ran).
    pub compliance_score: f64,
    /// Per rule set, by name.
    pub rule_sets: Vec<RuleSetReport>,
}

/// The validation report now.
///
/// ```
/// let report = coord::validation::validation_report();
/// assert!(report.compliance_score <= 100.0);
/// ```
#[must_use]
pub fn validation_report() -> ValidationReport {
    let rule_sets = rule_set_reports();
    let validations: u64 = rule_sets.iter().map(|r| r.validations).sum();
    let valid = rule_sets.iter().map(|r| r.valid).sum();
    let compliance_score = crate::values::score::weighted_mean(
        rule_sets
            .iter()
            .map(|r| (r.compliance_score, r.validations)),
    );
    ValidationReport {
        validations,
        valid,
        compliance_score,
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
