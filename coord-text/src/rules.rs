//! The rule language's vocabulary and the checks of one field's rules: which types and keywords
//! exist, which keyword applies to which type, and the rules that no value could pass. The
//! attributes run [`check_field`] at compile time on inline rules and the runtime runs it on
//! every rule set it compiles (files and code alike), so a rule gets one verdict wherever it is
//! written, with one message.

/// The field types, as written after `type`.
pub const FIELD_TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "email", "url", "uuid", "datetime", "array", "object",
];

/// The keywords of one field's rules.
pub const FIELD_KEYWORDS: &[&str] = &[
    "type",
    "required",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "allowed",
    "sensitive",
    "items",
    "check",
];

/// One value of an `allowed` list, as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal<'a> {
    /// A string.
    String(&'a str),
    /// A number.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
}

/// One field's rules, as far as the checks need them, whoever parsed them (a YAML file, a
/// builder, an attribute).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldRules<'a> {
    /// `type`, one of [`FIELD_TYPES`] (or `None`: any type).
    pub kind: Option<&'a str>,
    /// `min`.
    pub min: Option<f64>,
    /// `max`.
    pub max: Option<f64>,
    /// `min_length`.
    pub min_length: Option<u64>,
    /// `max_length`.
    pub max_length: Option<u64>,
    /// Whether `pattern` is given.
    pub pattern: bool,
    /// Whether `items` is given.
    pub items: bool,
    /// `allowed`.
    pub allowed: Option<Vec<Literal<'a>>>,
    /// Whether `check` (a custom check) is given.
    pub check: bool,
}

/// One thing wrong with a field's rules: the keyword it is about, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The keyword to point at.
    pub keyword: &'static str,
    /// What is wrong.
    pub message: String,
}

/// Whether values of type `kind` are strings.
///
/// ```
/// assert!(coord_text::is_string_type("email"));
/// assert!(!coord_text::is_string_type("array"));
/// ```
#[must_use]
pub fn is_string_type(kind: &str) -> bool {
    matches!(kind, "string" | "email" | "url" | "uuid" | "datetime")
}

fn is_number_type(kind: &str) -> bool {
    matches!(kind, "integer" | "number")
}

/// Whether `keyword` applies to values of type `kind` (`None`: a field without a type, to
/// which every keyword applies and checks the values it can).
///
/// ```
/// assert!(coord_text::keyword_applies("min_length", Some("array")));
/// assert!(!coord_text::keyword_applies("min", Some("string")));
/// assert!(coord_text::keyword_applies("pattern", None));
/// ```
#[must_use]
pub fn keyword_applies(keyword: &str, kind: Option<&str>) -> bool {
    let Some(kind) = kind else {
        return true;
    };
    match keyword {
        "min" | "max" => is_number_type(kind),
        "min_length" | "max_length" => is_string_type(kind) || kind == "array",
        "pattern" => is_string_type(kind),
        "items" => kind == "array",
        // A custom check takes a string, a number or a boolean.
        "check" => !matches!(kind, "array" | "object"),
        _ => true,
    }
}

/// Every problem with one field's rules: a keyword that does not apply to the type, bounds
/// that no value could meet, an empty `allowed`, an `allowed` value not of the type.
///
/// ```
/// use coord_text::{FieldRules, Literal, check_field};
///
/// let rules = FieldRules {
///     kind: Some("integer"),
///     allowed: Some(vec![Literal::String("old")]),
///     ..FieldRules::default()
/// };
/// let problems = check_field(&rules);
/// assert_eq!(problems[0].keyword, "allowed");
/// assert_eq!(problems[0].message, "`allowed` value \"old\" is not of type `integer`");
/// ```
#[must_use]
pub fn check_field(rules: &FieldRules<'_>) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let mut problem = |keyword: &'static str, message: String| {
        problems.push(FieldProblem { keyword, message });
    };
    let kind = rules.kind;
    let type_name = kind.unwrap_or("any");
    if let (Some(min), Some(max)) = (rules.min, rules.max)
        && min > max
    {
        problem(
            "min",
            format!("`min` ({min}) is greater than `max` ({max}): no value could pass"),
        );
    }
    if let (Some(min), Some(max)) = (rules.min_length, rules.max_length)
        && min > max
    {
        problem(
            "min_length",
            format!(
                "`min_length` ({min}) is greater than `max_length` ({max}): no value could pass"
            ),
        );
    }
    for (keyword, given) in [("min", rules.min.is_some()), ("max", rules.max.is_some())] {
        if given && !keyword_applies(keyword, kind) {
            problem(
                keyword,
                format!(
                    "`{keyword}` applies to numbers, not to type `{type_name}`; use `{keyword}_length` for lengths"
                ),
            );
        }
    }
    for (keyword, given) in [
        ("min_length", rules.min_length.is_some()),
        ("max_length", rules.max_length.is_some()),
    ] {
        if given && !keyword_applies(keyword, kind) {
            problem(
                keyword,
                format!("`{keyword}` applies to strings and arrays, not to type `{type_name}`"),
            );
        }
    }
    if rules.pattern && !keyword_applies("pattern", kind) {
        problem(
            "pattern",
            format!("`pattern` applies to strings, not to type `{type_name}`"),
        );
    }
    if rules.check && !keyword_applies("check", kind) {
        problem(
            "check",
            format!(
                "`check` applies to strings, numbers and booleans, not to type `{type_name}` (check each item with `items(check = ...)`)"
            ),
        );
    }
    if rules.items && !keyword_applies("items", kind) {
        problem(
            "items",
            format!("`items` applies to arrays, not to type `{type_name}`"),
        );
    }
    if let Some(allowed) = &rules.allowed {
        if allowed.is_empty() {
            problem(
                "allowed",
                "`allowed` is empty: no value could pass".to_owned(),
            );
        }
        for value in allowed {
            let fits = match (value, kind) {
                (_, None) => true,
                (Literal::String(_), Some(kind)) => is_string_type(kind),
                (Literal::Number(_), Some(kind)) => is_number_type(kind),
                (Literal::Bool(_), Some(kind)) => kind == "boolean",
            };
            if !fits {
                let written = match value {
                    Literal::String(text) => format!("{text:?}"),
                    Literal::Number(number) => number.to_string(),
                    Literal::Bool(flag) => flag.to_string(),
                };
                problem(
                    "allowed",
                    format!("`allowed` value {written} is not of type `{type_name}`"),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_and_keyword_is_judged() {
        for kind in FIELD_TYPES {
            for keyword in FIELD_KEYWORDS {
                // No panic, and the untyped field accepts every keyword.
                let _ = keyword_applies(keyword, Some(kind));
                assert!(keyword_applies(keyword, None));
            }
        }
    }

    #[test]
    fn impossible_rules_are_found() {
        let rules = FieldRules {
            kind: Some("string"),
            min: Some(1.0),
            min_length: Some(5),
            max_length: Some(2),
            items: true,
            allowed: Some(Vec::new()),
            ..FieldRules::default()
        };
        let keywords: Vec<&str> = check_field(&rules).iter().map(|p| p.keyword).collect();
        assert_eq!(keywords, ["min_length", "min", "items", "allowed"]);
    }
}
