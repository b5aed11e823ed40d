//! Why rules could not be loaded: every problem, each with its file, line and column.

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
/// let err = coord::load_rules(&dir).unwrap_err();
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

/// Finds the line and column of the key at the end of `keys` in YAML `text`, searching for
/// each key after the previous one, so `[order, field_validations, qty, min]` finds the `min`
/// of `qty` in `order`. Falls back to the last key found.
pub fn locate(text: &str, keys: &[&str]) -> (Option<usize>, Option<usize>) {
    let mut from = 0;
    let mut found = None;
    for key in keys {
        match find_key(text, key, from) {
            Some(at) => {
                found = Some(at);
                from = at + key.len();
            }
            None => break,
        }
    }
    let Some(at) = found else {
        return (None, None);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |line| line.chars().count())
        + 1;
    (Some(line), Some(column))
}

/// The byte offset of `key` used as a mapping key (followed by `:`, possibly quoted) at or
/// after `from`.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    // An empty key (serde_yaml reports "`` is given twice" for two empty keys) matches
    // everywhere without advancing: found by fuzzing as an endless loop.
    if key.is_empty() {
        return None;
    }
    let mut start = from;
    while let Some(offset) = text.get(start..)?.find(key) {
        let at = start + offset;
        let before = text[..at].chars().next_back();
        let after = text[at + key.len()..]
            .trim_start_matches(['"', '\''])
            .trim_start();
        let starts_token = before.is_none_or(|c| c.is_whitespace() || "{,\"'-[".contains(c));
        if starts_token && after.starts_with(':') {
            return Some(at);
        }
        start = at + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_nested_keys_in_order() {
        let text = "order:\n  field_validations:\n    qty: {type: integer, min: 5}\n    price:\n      min: 1\n";
        assert_eq!(
            locate(text, &["order", "field_validations", "qty", "min"]),
            (Some(3), Some(26))
        );
        assert_eq!(
            locate(text, &["order", "field_validations", "price", "min"]),
            (Some(5), Some(7))
        );
        assert_eq!(locate(text, &["order", "missing"]), (Some(1), Some(1)));
        assert_eq!(locate(text, &["nothing"]), (None, None));
    }

    #[test]
    fn an_empty_key_is_not_found_and_does_not_loop() {
        assert_eq!(locate("a:\n: 1\n: 2\n", &["", ""]), (None, None));
        assert_eq!(locate("a:\n  : 1\n", &["a", ""]), (Some(1), Some(1)));
    }
}
