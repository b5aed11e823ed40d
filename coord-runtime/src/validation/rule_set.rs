//! A loaded rule set: its plan plus the metrics and statistics of the validations run with it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use metrics::{Counter, Key, Label};
use serde::Serialize;

use super::plan::{Plan, ROOT};
use super::serializer::{Presence, check_value, child_of};
use super::survey::{Survey, UnmatchedPath};
use super::walk::Walk;
use crate::base::cells::{self, CellIndex};
use crate::base::named_registry::{Named, NamedRegistry};
use crate::telemetry::METADATA;
use crate::telemetry::metric_names::{
    OVERFLOW, RULE_SET_LABEL, VALIDATION_OUTCOME_LABEL, VALIDATIONS_TOTAL,
};
use crate::telemetry::publish::{self, Publish};
use crate::telemetry::recorder_cache::RecorderCache;
use crate::values::validation_result::{ErrorCode, ValidationResult};

/// Statistics of the validations run with one rule set name, across reloads.
pub(crate) struct RuleSetStats {
    name: Box<str>,
    /// Per-thread cells: validations run, valid ones, and the sum of scores in hundredths of
    /// a point (so it adds up exactly).
    cells: CellIndex,
    failures: Mutex<HashMap<(String, ErrorCode), u64>>,
    /// What the last survey found (see `survey.rs`).
    unmatched: Mutex<Vec<UnmatchedPath>>,
    metrics: RecorderCache<[Counter; 2]>,
}

/// Offsets of a rule set's cells.
const RUNS: u32 = 0;
const VALID: u32 = 1;
const SCORE_HUNDREDTHS: u32 = 2;

impl RuleSetStats {
    /// The name, borrowed for as long as the (never freed) statistics live.
    fn static_name(&'static self) -> &'static str {
        &self.name
    }

    /// Validations run, valid ones, and the sum of scores in hundredths.
    fn totals(&self) -> [u64; 3] {
        cells::sums(self.cells)
    }
}

impl Publish for RuleSetStats {
    fn publish(&self) {
        let counters = self.metrics.get(|recorder| {
            ["valid", "invalid"].map(|outcome| {
                let key = Key::from_parts(
                    VALIDATIONS_TOTAL,
                    vec![
                        Label::new(RULE_SET_LABEL, self.name.to_string()),
                        Label::new(VALIDATION_OUTCOME_LABEL, outcome),
                    ],
                );
                recorder.register_counter(&key, &METADATA)
            })
        });
        let [runs, valid, _] = self.totals();
        counters[0].absolute(valid);
        counters[1].absolute(runs.saturating_sub(valid));
    }
}

impl Named for RuleSetStats {
    fn name(&self) -> &str {
        &self.name
    }
}

/// The most rule sets whose validations are counted separately; further rule sets are
/// counted together as [`OVERFLOW`](crate::metric_names::OVERFLOW) (they still validate
/// with their own rules), with a warning logged once.
pub const MAX_RULE_SETS: usize = 10_000;

/// The counter cells of one rule set's statistics.
pub(crate) const CELLS_PER_RULE_SET: usize = 3;

static STATS: NamedRegistry<RuleSetStats> =
    NamedRegistry::new("rule sets", MAX_RULE_SETS, OVERFLOW);

/// A compiled rule set, ready to validate.
pub struct RuleSet {
    pub(crate) plan: Plan,
    stats: &'static RuleSetStats,
    /// Whether a validation has surveyed this plan's paths (see `survey.rs`).
    surveyed: AtomicBool,
}

impl RuleSet {
    pub(crate) fn new(plan: Plan) -> Self {
        let mut created = false;
        let stats = STATS.get_or_insert_with(&plan.name, |name| {
            created = true;
            RuleSetStats {
                name: name.into(),
                #[allow(clippy::cast_possible_truncation)] // 3
                cells: cells::allocate(CELLS_PER_RULE_SET as u32),
                failures: Mutex::new(HashMap::new()),
                unmatched: Mutex::new(Vec::new()),
                metrics: RecorderCache::new(),
            }
        });
        if created {
            publish::register(stats);
        }
        Self {
            plan,
            stats,
            surveyed: AtomicBool::new(false),
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.plan.name
    }

    /// Validates one value, recording the outcome.
    pub fn validate<T: Serialize + ?Sized>(&self, value: &T) -> ValidationResult {
        let mut walk = Walk::new(&self.plan);
        self.begin_survey(&mut walk);
        if check_value(&mut walk, Some(ROOT), value) == Presence::Absent {
            walk.absent_input(Some(ROOT));
        }
        self.end_survey(&mut walk);
        self.record(walk.finish(self.stats.static_name()))
    }

    /// On the plan's first validation, has `walk` note which rule paths the value has.
    #[inline]
    fn begin_survey(&self, walk: &mut Walk<'_>) {
        if !self.surveyed.load(Ordering::Relaxed) && !self.surveyed.swap(true, Ordering::Relaxed) {
            walk.survey = Some(Box::new(Survey::new(&self.plan)));
        }
    }

    /// Reports the paths the surveyed value lacked; a value with no object at the root says
    /// nothing about them, and leaves the survey to a later validation.
    #[cold]
    fn judge_survey(&self, survey: &Survey) {
        if !survey.saw_an_object() {
            self.surveyed.store(false, Ordering::Relaxed);
            return;
        }
        let unmatched = survey.unmatched(&self.plan);
        if !unmatched.is_empty() {
            let paths: Vec<String> = unmatched.iter().map(ToString::to_string).collect();
            tracing::warn!(
                rule_set = %self.plan.name,
                paths = %paths.join(", "),
                "coord: rules at these paths checked nothing: the validated value has no such field (a typo in the rule's path, or a field left out when it has no value)"
            );
        }
        *self
            .stats
            .unmatched
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = unmatched;
    }

    #[inline]
    fn end_survey(&self, walk: &mut Walk<'_>) {
        if let Some(survey) = walk.survey.take() {
            self.judge_survey(&survey);
        }
    }

    /// Starts validating a function's parameters as one object keyed by parameter name.
    #[inline]
    pub fn params(&self) -> ParamsValidation<'_> {
        let mut walk = Walk::new(&self.plan);
        self.begin_survey(&mut walk);
        walk.enter(Some(ROOT), false);
        ParamsValidation {
            rule_set: self,
            walk,
            seen: 0,
            position: 0,
        }
    }

    fn record(&self, result: ValidationResult) -> ValidationResult {
        let stats = self.stats;
        // Rounded by adding a half: the score is never negative, and `f64::round` is a libm call.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..=10_000
        let hundredths = (result.score * 100.0 + 0.5) as u64;
        cells::add_each([
            (stats.cells + RUNS, 1),
            (stats.cells + VALID, u64::from(result.is_valid)),
            (stats.cells + SCORE_HUNDREDTHS, hundredths),
        ]);
        if !result.is_valid {
            let mut failures = stats
                .failures
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for error in &result.errors {
                count_failure(&mut failures, error.rule_path(), error.code);
            }
        }
        result
    }
}

/// Distinct (path, code) pairs a rule set's failure counts keep. Paths can hold map keys from
/// the input, so without a limit a caller sending ever-new keys would grow them forever.
pub(crate) const MAX_FAILURE_PATHS: usize = 1_000;

/// The path failures past [`MAX_FAILURE_PATHS`] are counted under (one entry per code).
pub(crate) const OTHER_PATHS: &str = "(other paths)";

/// Counts one failure, under [`OTHER_PATHS`] once the distinct paths have reached the limit.
fn count_failure(failures: &mut HashMap<(String, ErrorCode), u64>, path: String, code: ErrorCode) {
    let key = (path, code);
    if let Some(count) = failures.get_mut(&key) {
        *count += 1;
    } else if failures.len() < MAX_FAILURE_PATHS {
        failures.insert(key, 1);
    } else {
        *failures.entry((OTHER_PATHS.to_owned(), code)).or_insert(0) += 1;
    }
}

/// A function's parameters being validated; see [`RuleSet::params`].
pub struct ParamsValidation<'r> {
    rule_set: &'r RuleSet,
    walk: Walk<'r>,
    seen: u64,
    /// Parameters met so far: where the next one probably is among the rules.
    position: usize,
}

impl ParamsValidation<'_> {
    /// Checks parameter `name`.
    pub fn param<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        let child = child_of(self.walk.node(Some(ROOT)), name, self.position);
        self.position += 1;
        if let Some(survey) = self.walk.survey.as_deref_mut() {
            survey.key(Some(ROOT), child.map(|(_, id)| id), name);
        }
        let mark = self.walk.path.mark();
        self.walk.path.push_field(name);
        let presence = check_value(&mut self.walk, child.map(|(_, id)| id), value);
        self.walk.path.truncate(mark);
        if presence == Presence::Present
            && let Some((index, _)) = child
            && index < 64
        {
            self.seen |= 1 << index;
        }
        self
    }

    /// The result, with required parameters checked.
    pub fn finish(mut self) -> ValidationResult {
        self.walk.leave(Some(ROOT), false, 0, self.seen);
        self.rule_set.end_survey(&mut self.walk);
        self.rule_set
            .record(self.walk.finish(self.rule_set.stats.static_name()))
    }
}

/// Validation statistics of one rule set; see [`validation_report`](crate::validation_report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSetReport {
    /// The rule set.
    pub rule_set: String,
    /// Validations run.
    pub validations: u64,
    /// Of which valid.
    pub valid: u64,
    /// The share of valid inputs, in percent (100 when none ran).
    #[serde(serialize_with = "crate::base::json_numbers::two")]
    pub valid_percent: f64,
    /// The mean of the validations' scores, 0–100 (100 when none ran); see
    /// [`ValidationReport::mean_score`](super::ValidationReport::mean_score).
    #[serde(serialize_with = "crate::base::json_numbers::two")]
    pub mean_score: f64,
    /// The most frequent failures, most frequent first (at most 5); array indices in paths are
    /// written `[]` so every item counts under one rule. At most 1 000 distinct
    /// paths are kept (map keys from the input make paths unbounded); failures at paths met
    /// after that count under `"(other paths)"`.
    pub top_failures: Vec<FailureCount>,
    /// Rule paths the first validated value did not have (a typo such as `user.emial`, or a
    /// field left out of the serialization), each with the closest key it did have.
    pub unmatched_paths: Vec<UnmatchedPath>,
}

/// How often one rule failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureCount {
    /// Where.
    pub path: String,
    /// What.
    pub code: ErrorCode,
    /// How many times.
    pub count: u64,
}

/// Per rule set statistics, by name.
pub(crate) fn rule_set_reports() -> Vec<RuleSetReport> {
    STATS
        .all()
        .iter()
        .map(|stats| {
            let [validations, valid, hundredths] = stats.totals();
            #[allow(clippy::cast_precision_loss)]
            let mean_score = if validations == 0 {
                100.0
            } else {
                hundredths as f64 / 100.0 / validations as f64
            };
            let mut top_failures: Vec<FailureCount> = stats
                .failures
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .map(|((path, code), count)| FailureCount {
                    path: path.clone(),
                    code: *code,
                    count: *count,
                })
                .collect();
            top_failures.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));
            top_failures.truncate(5);
            RuleSetReport {
                rule_set: stats.name.to_string(),
                validations,
                valid,
                valid_percent: super::percent_valid(valid, validations),
                mean_score,
                top_failures,
                unmatched_paths: stats
                    .unmatched
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_paths_are_bounded_and_the_rest_count_as_other() {
        let mut failures = HashMap::new();
        for key in 0..5_000 {
            count_failure(
                &mut failures,
                format!("tags.{key}"),
                ErrorCode::ForbiddenPattern,
            );
        }
        count_failure(
            &mut failures,
            "tags.0".to_owned(),
            ErrorCode::ForbiddenPattern,
        );
        assert_eq!(failures.len(), MAX_FAILURE_PATHS + 1);
        assert_eq!(
            failures[&("tags.0".to_owned(), ErrorCode::ForbiddenPattern)],
            2
        );
        let other = (OTHER_PATHS.to_owned(), ErrorCode::ForbiddenPattern);
        assert_eq!(failures[&other], 5_000 - MAX_FAILURE_PATHS as u64);
    }
}
