//! Rules about several fields at once, written at the rule set's level: `compare` (`"end >=
//! start"`) and `one_of_required` (`[email, phone]`). Parsed and checked here so an attribute
//! and a rule file refuse the same mistakes with the same words.

use std::cmp::Ordering;

/// How two values compare in a `compare` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonOp {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
}

impl ComparisonOp {
    /// The operator as written.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ComparisonOp::Less => "<",
            ComparisonOp::LessOrEqual => "<=",
            ComparisonOp::Greater => ">",
            ComparisonOp::GreaterOrEqual => ">=",
            ComparisonOp::Equal => "==",
            ComparisonOp::NotEqual => "!=",
        }
    }

    /// Whether `left op right` holds when `left` compares to `right` as `ordering`.
    ///
    /// ```
    /// use std::cmp::Ordering;
    /// use coord_text::ComparisonOp;
    ///
    /// assert!(ComparisonOp::GreaterOrEqual.holds(Ordering::Equal));
    /// assert!(!ComparisonOp::Less.holds(Ordering::Greater));
    /// ```
    #[must_use]
    pub const fn holds(self, ordering: Ordering) -> bool {
        match self {
            ComparisonOp::Less => matches!(ordering, Ordering::Less),
            ComparisonOp::LessOrEqual => !matches!(ordering, Ordering::Greater),
            ComparisonOp::Greater => matches!(ordering, Ordering::Greater),
            ComparisonOp::GreaterOrEqual => !matches!(ordering, Ordering::Less),
            ComparisonOp::Equal => matches!(ordering, Ordering::Equal),
            ComparisonOp::NotEqual => !matches!(ordering, Ordering::Equal),
        }
    }
}

/// A parsed `compare` rule: `left op right`, both dotted field paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison<'a> {
    /// The field the rule is about (errors are reported at it).
    pub left: &'a str,
    /// How it must compare.
    pub op: ComparisonOp,
    /// The field it is compared with.
    pub right: &'a str,
}

/// Parses `"end >= start"`.
///
/// # Errors
/// A sentence naming what is wrong: no operator, a side that is not a dotted field path, the
/// same field on both sides.
///
/// ```
/// use coord_text::{ComparisonOp, parse_comparison};
///
/// let rule = parse_comparison("stay.end >= stay.start").unwrap();
/// assert_eq!((rule.left, rule.op, rule.right), ("stay.end", ComparisonOp::GreaterOrEqual, "stay.start"));
/// assert!(parse_comparison("end => start").unwrap_err().contains("operator"));
/// ```
pub fn parse_comparison(text: &str) -> Result<Comparison<'_>, String> {
    // Two-character operators first, so `>=` is not read as `>` followed by `=start`.
    const OPS: [(&str, ComparisonOp); 6] = [
        ("<=", ComparisonOp::LessOrEqual),
        (">=", ComparisonOp::GreaterOrEqual),
        ("==", ComparisonOp::Equal),
        ("!=", ComparisonOp::NotEqual),
        ("<", ComparisonOp::Less),
        (">", ComparisonOp::Greater),
    ];
    let found = OPS
        .iter()
        .filter_map(|(written, op)| text.find(written).map(|at| (at, *written, *op)))
        .min_by_key(|(at, written, _)| (*at, usize::MAX - written.len()));
    let Some((at, written, op)) = found else {
        return Err(format!(
            "`compare` rule `{text}` has no operator: write `field <op> other_field` with one of `<`, `<=`, `>`, `>=`, `==`, `!=`"
        ));
    };
    let (left, right) = (text[..at].trim(), text[at + written.len()..].trim());
    for side in [left, right] {
        if let Some(problem) = path_problem(side) {
            return Err(format!(
                "`compare` rule `{text}`: {problem} (each side is a dotted field path; operators are `<`, `<=`, `>`, `>=`, `==`, `!=`)"
            ));
        }
    }
    if left == right {
        return Err(format!(
            "`compare` rule `{text}` compares `{left}` with itself"
        ));
    }
    Ok(Comparison { left, op, right })
}

/// What is wrong with `paths` as a `one_of_required` list, if anything.
///
/// ```
/// assert!(coord_text::one_of_problem(&["email", "phone"]).is_none());
/// assert!(coord_text::one_of_problem(&["email"]).unwrap().contains("two"));
/// ```
#[must_use]
pub fn one_of_problem(paths: &[&str]) -> Option<String> {
    if paths.len() < 2 {
        return Some(
            "`one_of_required` needs at least two fields (for one, use `required`)".to_owned(),
        );
    }
    for (index, path) in paths.iter().enumerate() {
        if let Some(problem) = path_problem(path) {
            return Some(format!("`one_of_required`: {problem}"));
        }
        if paths[..index].contains(path) {
            return Some(format!("`one_of_required` names `{path}` twice"));
        }
    }
    None
}

/// What is wrong with `path` as a dotted field path, if anything.
fn path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("a side is empty".to_owned());
    }
    if path.split('.').any(str::is_empty) {
        return Some(format!("field path `{path}` has an empty segment"));
    }
    if let Some(bad) = path
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '<' | '>' | '=' | '!' | '[' | ']'))
    {
        return Some(format!("field path `{path}` contains `{bad}`"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_read_longest_first() {
        for (text, op) in [
            ("a<b", ComparisonOp::Less),
            ("a <= b", ComparisonOp::LessOrEqual),
            ("a>b", ComparisonOp::Greater),
            ("a >= b", ComparisonOp::GreaterOrEqual),
            ("a == b", ComparisonOp::Equal),
            ("a != b", ComparisonOp::NotEqual),
        ] {
            let parsed = parse_comparison(text).unwrap();
            assert_eq!(
                (parsed.left, parsed.op, parsed.right),
                ("a", op, "b"),
                "{text}"
            );
        }
    }

    #[test]
    fn mistakes_are_named() {
        assert!(parse_comparison("a b").unwrap_err().contains("no operator"));
        assert!(parse_comparison(">= b").unwrap_err().contains("empty"));
        assert!(
            parse_comparison("a >= b c")
                .unwrap_err()
                .contains("contains ` `")
        );
        assert!(parse_comparison("a => b").unwrap_err().contains("`a =`"));
        assert!(
            parse_comparison("a..b > c")
                .unwrap_err()
                .contains("empty segment")
        );
        assert!(parse_comparison("a > a").unwrap_err().contains("itself"));
        assert!(one_of_problem(&["a", "a"]).unwrap().contains("twice"));
    }
}
