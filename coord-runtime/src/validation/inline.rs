//! Rules written in an attribute: the macro checks them at compile time and embeds them as a
//! rule-set document, which is compiled here once, on first use, by the same compiler as files.

use std::path::Path;
use std::sync::OnceLock;

use super::plan::compile;
use super::rule_set::RuleSet;
use super::spec::RuleSetSpec;
use crate::values::error::Error;
use crate::values::rules_error::{RuleProblem, RulesError};

/// One function's inline rules. Not a stable API: generated code builds one per function.
pub struct InlineRules {
    name: &'static str,
    source: &'static str,
    compiled: OnceLock<Result<RuleSet, RulesError>>,
}

impl InlineRules {
    /// Rules named `name` (the function's), written as a JSON rule-set document.
    pub const fn new(name: &'static str, source: &'static str) -> Self {
        Self {
            name,
            source,
            compiled: OnceLock::new(),
        }
    }

    /// Runs `with` on the compiled rules.
    ///
    /// # Errors
    /// [`Error::InvalidRules`] if they do not compile (the macro checks them first, so this
    /// means a coord bug).
    pub fn with<R>(&self, with: impl FnOnce(&RuleSet) -> R) -> Result<R, Error> {
        let compiled = self.compiled.get_or_init(|| {
            let problem = |message: String| RulesError {
                problems: vec![RuleProblem {
                    file: Path::new("<inline>").to_path_buf(),
                    line: None,
                    column: None,
                    message,
                }],
            };
            let spec: RuleSetSpec =
                serde_json::from_str(self.source).map_err(|err| problem(err.to_string()))?;
            compile(self.name, &spec)
                .map(RuleSet::new)
                .map_err(|problems| {
                    problem(
                        problems
                            .into_iter()
                            .map(|p| p.message)
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })
        });
        match compiled {
            Ok(rule_set) => Ok(with(rule_set)),
            Err(err) => Err(Error::InvalidRules(err.clone())),
        }
    }
}
