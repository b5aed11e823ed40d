//! The outcome of one validation: valid or not, a score, and every error with its path, code,
//! the rule's parameters and a message.

use std::fmt;

use serde::Serialize;

/// Stable, snake_case identifiers of what failed; safe to match on and to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A required field is absent or `None`.
    Required,
    /// The value is not of the field's `type`.
    TypeMismatch,
    /// Fewer characters or items than `min_length`.
    TooShort,
    /// More characters or items than `max_length`.
    TooLong,
    /// Below `min`.
    BelowMinimum,
    /// Above `max`.
    AboveMaximum,
    /// No match of `pattern`.
    PatternMismatch,
    /// Not one of `allowed`.
    NotAllowed,
    /// Not an e-mail address.
    InvalidEmail,
    /// Not an absolute URL.
    InvalidUrl,
    /// Not a UUID.
    InvalidUuid,
    /// Not an RFC 3339 date-time.
    InvalidDatetime,
    /// A string matches one of the rule set's `forbidden_patterns`.
    ForbiddenPattern,
    /// Nested deeper than `max_depth`.
    TooDeep,
    /// A string longer than `max_string_length`.
    StringTooLong,
    /// The value's `Serialize` implementation failed, so it could not be checked.
    SerializeFailed,
    /// More errors than the rule set's `max_errors`; the rest are not listed.
    TooManyErrors,
    /// A custom `check` refused the value (`params.check` names it).
    CheckFailed,
    /// A custom `check` panicked on the value (`params.check` names it); the panic was
    /// caught, so the value counts as invalid.
    CheckPanicked,
    /// A `compare` rule between two fields does not hold (`params.compare`).
    ComparisonFailed,
    /// None of a `one_of_required` list is present (`params.one_of`).
    RequiredOneOf,
}

impl ErrorCode {
    /// The code as a string (the `code` field of serialized errors).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::TypeMismatch => "type_mismatch",
            ErrorCode::TooShort => "too_short",
            ErrorCode::TooLong => "too_long",
            ErrorCode::BelowMinimum => "below_minimum",
            ErrorCode::AboveMaximum => "above_maximum",
            ErrorCode::PatternMismatch => "pattern_mismatch",
            ErrorCode::NotAllowed => "not_allowed",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidUrl => "invalid_url",
            ErrorCode::InvalidUuid => "invalid_uuid",
            ErrorCode::InvalidDatetime => "invalid_datetime",
            ErrorCode::ForbiddenPattern => "forbidden_pattern",
            ErrorCode::TooDeep => "too_deep",
            ErrorCode::StringTooLong => "string_too_long",
            ErrorCode::SerializeFailed => "serialize_failed",
            ErrorCode::TooManyErrors => "too_many_errors",
            ErrorCode::CheckFailed => "check_failed",
            ErrorCode::CheckPanicked => "check_panicked",
            ErrorCode::ComparisonFailed => "comparison_failed",
            ErrorCode::RequiredOneOf => "required_one_of",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationError {
    /// Where, by serde's wire names: `customer.address.zip`, `items[2].sku`; empty for the
    /// input as a whole.
    pub path: String,
    /// What failed.
    pub code: ErrorCode,
    /// The rule's parameters, e.g. `{"min": 18}` or `{"allowed": ["low", "high"]}`.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// A sentence for people. Never contains the value of a `sensitive` field.
    pub message: String,
}

impl ValidationError {
    /// The rule the failing value falls under: its path with array indices written `[]`, so
    /// `items[2]` and `items[7]` name one rule.
    ///
    /// ```
    /// let error = coord::validation::ValidationError {
    ///     path: "order.lines[12].sku".to_owned(),
    ///     code: coord::validation::ErrorCode::PatternMismatch,
    ///     params: Default::default(),
    ///     message: String::new(),
    /// };
    /// assert_eq!(error.rule_path(), "order.lines[].sku");
    /// ```
    #[must_use]
    pub fn rule_path(&self) -> String {
        let mut rule = String::with_capacity(self.path.len());
        let mut in_index = false;
        for c in self.path.chars() {
            match c {
                '[' => {
                    in_index = true;
                    rule.push('[');
                }
                ']' => {
                    in_index = false;
                    rule.push(']');
                }
                _ if in_index => {}
                c => rule.push(c),
            }
        }
        rule
    }
}

/// The outcome of validating one input against one rule set.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coord-doc-result-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("user.yaml"), "doc_user:\n  required_fields: [name]\n  field_validations:\n    age: {type: integer, min: 18}\n").unwrap();
/// coord::validation::load_rules(&dir).unwrap();
///
/// #[derive(serde::Serialize)]
/// struct User { name: Option<String>, age: u32 }
///
/// let result = coord::validate("doc_user", &User { name: None, age: 12 }).unwrap();
/// assert!(!result.is_valid);
/// let codes: Vec<&str> = result.errors.iter().map(|e| e.code.as_str()).collect();
/// assert_eq!(codes, ["below_minimum", "required"]);
/// assert!(result.score < 100.0);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationResult {
    /// The rule set used.
    pub rule_set: &'static str,
    /// Whether every check passed.
    pub is_valid: bool,
    /// `100 × passed checks ÷ applicable checks`, rounded down to below 100 when invalid.
    pub score: f64,
    /// Every failed check, in the order met.
    pub errors: Vec<ValidationError>,
}

impl fmt::Display for ValidationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_valid {
            return write!(f, "valid for rule set `{}`", self.rule_set);
        }
        write!(
            f,
            "invalid for rule set `{}` (score {:.0}):",
            self.rule_set, self.score
        )?;
        for error in &self.errors {
            write!(f, " {};", error.message)?;
        }
        Ok(())
    }
}
