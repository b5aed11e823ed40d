//! Building rule sets in Rust instead of YAML: chained constructors on [`RuleSetSpec`] and
//! [`FieldSpec`], the same values a rule file deserializes into, registered with
//! [`register_rule_set`](crate::register_rule_set).

use super::spec::{AllowedValue, FieldSpec, FieldType, RuleSetSpec};

impl RuleSetSpec {
    /// An empty rule set: accepts everything until rules are added.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
    ///
    /// let signup = RuleSetSpec::new()
    ///     .describe("a new account")
    ///     .require("email")
    ///     .field("email", FieldSpec::of(FieldType::Email).max_length(254))
    ///     .field("age", FieldSpec::of(FieldType::Integer).range(13.0, 130.0))
    ///     .field("password", FieldSpec::of(FieldType::String).min_length(12).sensitive())
    ///     .forbid(r"(?i)<script");
    /// coord::validation::register_rule_set("docs.signup", &signup)?;
    /// assert!(coord::validation::rule_sets().contains(&"docs.signup".to_owned()));
    ///
    /// #[derive(serde::Serialize)]
    /// struct Signup<'a> { email: &'a str, age: u8, password: &'a str }
    /// let result = coord::validate("docs.signup", &Signup { email: "a@example.com", age: 9, password: "short" })?;
    /// assert_eq!(result.errors.len(), 2); // age below 13, password too short
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Says what the rule set is for (shown in reports).
    #[must_use]
    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Requires the field at the dotted `path` to be present and not `None`.
    #[must_use]
    pub fn require(mut self, path: impl Into<String>) -> Self {
        self.required_fields.push(path.into());
        self
    }

    /// Sets the rules of the field at the dotted `path`, replacing any set before.
    #[must_use]
    pub fn field(mut self, path: impl Into<String>, rules: FieldSpec) -> Self {
        self.field_validations.insert(path.into(), rules);
        self
    }

    /// Rejects every string anywhere in the input that matches the regex `pattern`.
    #[must_use]
    pub fn forbid(mut self, pattern: impl Into<String>) -> Self {
        self.forbidden_patterns.push(pattern.into());
        self
    }

    /// Limits how deeply the input may nest (the input itself is depth 1).
    #[must_use]
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// Limits every string in the input to `characters`.
    #[must_use]
    pub fn max_string_length(mut self, characters: u64) -> Self {
        self.max_string_length = Some(characters);
        self
    }

    /// Lists at most `errors` errors per validation (default 100).
    #[must_use]
    pub fn max_errors(mut self, errors: u32) -> Self {
        self.max_errors = Some(errors);
        self
    }
}

impl FieldSpec {
    /// Rules for a field holding a `kind`.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// let quantity = FieldSpec::of(FieldType::Integer).range(1.0, 99.0).required();
    /// assert_eq!((quantity.min, quantity.max, quantity.required), (Some(1.0), Some(99.0), true));
    /// ```
    #[must_use]
    pub fn of(kind: FieldType) -> Self {
        Self {
            kind: Some(kind),
            ..Self::default()
        }
    }

    /// Requires the field to be present and not `None`.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Allows numbers from `min` to `max`, both included.
    #[must_use]
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    /// Allows numbers from `min` up.
    #[must_use]
    pub fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }

    /// Allows numbers up to `max`.
    #[must_use]
    pub fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }

    /// At least `length` characters (strings) or items (arrays).
    #[must_use]
    pub fn min_length(mut self, length: u64) -> Self {
        self.min_length = Some(length);
        self
    }

    /// At most `length` characters (strings) or items (arrays).
    #[must_use]
    pub fn max_length(mut self, length: u64) -> Self {
        self.max_length = Some(length);
        self
    }

    /// Requires a match of the regex `pattern` (unanchored; write `^…$` for a whole match).
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// Allows only these values.
    #[must_use]
    pub fn allowed(mut self, values: impl IntoIterator<Item = impl Into<AllowedValue>>) -> Self {
        self.allowed = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// Never shows the value in errors, logs or metrics.
    #[must_use]
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Rules for every item of an array.
    #[must_use]
    pub fn items(mut self, rules: FieldSpec) -> Self {
        self.items = Some(Box::new(rules));
        self
    }
}

impl From<&str> for AllowedValue {
    fn from(value: &str) -> Self {
        AllowedValue::String(value.to_owned())
    }
}

impl From<String> for AllowedValue {
    fn from(value: String) -> Self {
        AllowedValue::String(value)
    }
}

impl From<f64> for AllowedValue {
    fn from(value: f64) -> Self {
        AllowedValue::Number(value)
    }
}

impl From<bool> for AllowedValue {
    fn from(value: bool) -> Self {
        AllowedValue::Bool(value)
    }
}
