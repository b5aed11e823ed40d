//! Why rules could not be loaded: every problem, each with its file, line and column.
//!
//! A plain value: the rules loader builds it, [`Error`](super::error::Error) and the
//! configuration's errors carry it.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The file (or `<inline>` for rules written in an attribute).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Rules could not be loaded; nothing was changed. Lists every problem found.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coord-doc-rules-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("bad.yaml"), "order:\n  field_validations:\n    qty: {type: integer, min: 5, max: 1}\n").unwrap();
/// let err = coord::validation::load_rules(&dir).unwrap_err();
/// assert!(err.to_string().contains("bad.yaml:3:"), "{err}");
/// assert!(err.to_string().contains("min"), "{err}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", list(.problems))]
pub struct RulesError {
    /// Every problem, in file order.
    pub problems: Vec<RuleProblem>,
}

fn list(problems: &[RuleProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    lines.join("\n")
}
