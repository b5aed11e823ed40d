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
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// let spec = RuleSetSpec::new().describe("a message posted by a user");
    /// assert_eq!(spec.description.as_deref(), Some("a message posted by a user"));
    /// ```
    #[must_use]
    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Requires the field at the dotted `path` to be present and not `None`.
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// coord::validation::register_rule_set("docs.require", &RuleSetSpec::new().require("customer.id"))?;
    /// let result = coord::validate("docs.require", &serde_json::json!({"customer": {}}))?;
    /// assert_eq!(result.errors[0].path, "customer.id");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn require(mut self, path: impl Into<String>) -> Self {
        self.required_fields.push(path.into());
        self
    }

    /// Sets the rules of the field at the dotted `path`, replacing any set before.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
    ///
    /// let spec = RuleSetSpec::new().field("customer.email", FieldSpec::of(FieldType::Email));
    /// coord::validation::register_rule_set("docs.field", &spec)?;
    /// let result = coord::validate("docs.field", &serde_json::json!({"customer": {"email": "nope"}}))?;
    /// assert!(!result.is_valid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn field(mut self, path: impl Into<String>, rules: FieldSpec) -> Self {
        self.field_validations.insert(path.into(), rules);
        self
    }

    /// Rejects every string anywhere in the input that matches the regex `pattern`.
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// coord::validation::register_rule_set("docs.forbid", &RuleSetSpec::new().forbid(r"(?i)<script"))?;
    /// let result = coord::validate("docs.forbid", &serde_json::json!({"note": ["<SCRIPT>x"]}))?;
    /// assert!(!result.is_valid); // anywhere in the input
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn forbid(mut self, pattern: impl Into<String>) -> Self {
        self.forbidden_patterns.push(pattern.into());
        self
    }

    /// Limits how deeply the input may nest (the input itself is depth 1).
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// coord::validation::register_rule_set("docs.max_depth", &RuleSetSpec::new().max_depth(2))?;
    /// assert!(coord::validate("docs.max_depth", &serde_json::json!({"a": 1}))?.is_valid);
    /// assert!(!coord::validate("docs.max_depth", &serde_json::json!({"a": {"b": {"c": 1}}}))?.is_valid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// Limits every string in the input to `characters`.
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// coord::validation::register_rule_set("docs.max_string", &RuleSetSpec::new().max_string_length(5))?;
    /// assert!(!coord::validate("docs.max_string", &serde_json::json!({"tags": ["far too long"]}))?.is_valid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_string_length(mut self, characters: u64) -> Self {
        self.max_string_length = Some(characters);
        self
    }

    /// Lists at most `errors` errors per validation (default 100).
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
    ///
    /// let spec = RuleSetSpec::new()
    ///     .field("items", FieldSpec::of(FieldType::Array).items(FieldSpec::of(FieldType::Integer)))
    ///     .max_errors(2);
    /// coord::validation::register_rule_set("docs.max_errors", &spec)?;
    /// let result = coord::validate("docs.max_errors", &serde_json::json!({"items": ["a", "b", "c", "d"]}))?;
    /// assert_eq!(result.errors.len(), 3); // two listed, then one saying how many more
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn max_errors(mut self, errors: u32) -> Self {
        self.max_errors = Some(errors);
        self
    }

    /// Adds a comparison between two fields, `"end >= start"` (operators `<`, `<=`, `>`,
    /// `>=`, `==`, `!=`). Numbers compare as numbers, RFC 3339 date-times as instants; when
    /// either field is absent the comparison is skipped (require them separately). A failure
    /// is a `comparison_failed` error at the left field.
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// let stay = RuleSetSpec::new().compare("check_out > check_in");
    /// coord::validation::register_rule_set("docs.compare", &stay)?;
    /// let result = coord::validate("docs.compare", &serde_json::json!({
    ///     "check_in": "2026-12-06T15:00:00+01:00",
    ///     "check_out": "2026-12-06T14:30:00Z",
    /// }))?;
    /// assert!(result.is_valid); // 14:30 UTC is after 14:00 UTC
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn compare(mut self, comparison: impl Into<String>) -> Self {
        self.compare.push(comparison.into());
        self
    }

    /// Requires at least one of `paths` to be present (and not `None`); otherwise one
    /// `required_one_of` error at the input, listing them.
    ///
    /// ```
    /// use coord::validation::RuleSetSpec;
    ///
    /// let contact = RuleSetSpec::new().one_of_required(["email", "phone"]);
    /// coord::validation::register_rule_set("docs.one_of", &contact)?;
    /// let result = coord::validate("docs.one_of", &serde_json::json!({"name": "Ada"}))?;
    /// assert_eq!(result.errors[0].code, coord::validation::ErrorCode::RequiredOneOf);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn one_of_required(mut self, paths: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.one_of_required
            .push(paths.into_iter().map(Into::into).collect());
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
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// assert!(FieldSpec::of(FieldType::String).required().required);
    /// ```
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Allows numbers from `min` to `max`, both included.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// let age = FieldSpec::of(FieldType::Integer).range(13.0, 130.0);
    /// assert_eq!((age.min, age.max), (Some(13.0), Some(130.0)));
    /// ```
    #[must_use]
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    /// Allows numbers from `min` up.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// assert_eq!(FieldSpec::of(FieldType::Number).min(0.0).min, Some(0.0));
    /// ```
    #[must_use]
    pub fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }

    /// Allows numbers up to `max`.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// assert_eq!(FieldSpec::of(FieldType::Number).max(100.0).max, Some(100.0));
    /// ```
    #[must_use]
    pub fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }

    /// At least `length` characters (strings) or items (arrays).
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// assert_eq!(FieldSpec::of(FieldType::String).min_length(12).min_length, Some(12));
    /// ```
    #[must_use]
    pub fn min_length(mut self, length: u64) -> Self {
        self.min_length = Some(length);
        self
    }

    /// At most `length` characters (strings) or items (arrays).
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// assert_eq!(FieldSpec::of(FieldType::Array).max_length(5).max_length, Some(5));
    /// ```
    #[must_use]
    pub fn max_length(mut self, length: u64) -> Self {
        self.max_length = Some(length);
        self
    }

    /// Requires a match of the regex `pattern` (unanchored; write `^…$` for a whole match).
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// let sku = FieldSpec::of(FieldType::String).pattern("^[A-Z]{3}-[0-9]{4}$");
    /// assert_eq!(sku.pattern.as_deref(), Some("^[A-Z]{3}-[0-9]{4}$"));
    /// ```
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// Allows only these values.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// let priority = FieldSpec::of(FieldType::String).allowed(["low", "normal", "high"]);
    /// assert_eq!(priority.allowed.map(|values| values.len()), Some(3));
    /// ```
    #[must_use]
    pub fn allowed(mut self, values: impl IntoIterator<Item = impl Into<AllowedValue>>) -> Self {
        self.allowed = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// Never shows the value in errors, logs or metrics.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// assert!(FieldSpec::of(FieldType::String).min_length(12).sensitive().sensitive);
    /// ```
    #[must_use]
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Rules for every item of an array.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType};
    ///
    /// let links = FieldSpec::of(FieldType::Array).max_length(5).items(FieldSpec::of(FieldType::Url));
    /// assert!(links.items.is_some());
    /// ```
    #[must_use]
    pub fn items(mut self, rules: FieldSpec) -> Self {
        self.items = Some(Box::new(rules));
        self
    }

    /// Runs the custom check registered as `name` (see
    /// [`register_check`](crate::validation::checks::register_check)) on the value.
    ///
    /// ```
    /// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
    ///
    /// coord::validation::register_check("docs.even", |n: i64| n % 2 == 0)?;
    /// let spec = RuleSetSpec::new().field("seats", FieldSpec::of(FieldType::Integer).check("docs.even"));
    /// coord::validation::register_rule_set("docs.check", &spec)?;
    /// assert!(!coord::validate("docs.check", &serde_json::json!({"seats": 3}))?.is_valid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn check(mut self, name: impl Into<String>) -> Self {
        self.check = Some(name.into());
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
