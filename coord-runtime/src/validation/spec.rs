//! The rule language as written in YAML (and as inline attribute rules expand to): rule sets,
//! field rules and the rule-set-wide security limits. Parsing only; meaning lives in `plan.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One named rule set.
///
/// ```
/// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
///
/// // The same rule set as `order: {required_fields: [sku], field_validations: {quantity: ...}}`.
/// let order = RuleSetSpec::new()
///     .require("sku")
///     .field("quantity", FieldSpec::of(FieldType::Integer).range(1.0, 99.0));
/// coord::validation::register_rule_set("docs.spec.order", &order)?;
/// # Ok::<(), coord::validation::RulesError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetSpec {
    /// What the rule set is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields that must be present (and not `None`), by dotted path; `a.b` requires `a` too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_fields: Vec<String>,
    /// Rules per field, by dotted path (`customer.address.zip`).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_keys"
    )]
    pub field_validations: BTreeMap<String, FieldSpec>,
    /// Regexes that no string anywhere in the input may match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_patterns: Vec<String>,
    /// How deeply objects and arrays may nest (the input itself is depth 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    /// The longest string allowed anywhere in the input, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_string_length: Option<u64>,
    /// The most errors one validation lists (default 100); past it, one `too_many_errors` error
    /// says how many more there were, so a hostile input cannot make the result much larger
    /// than the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_errors: Option<u32>,
    /// Comparisons between two fields, `"end >= start"`: numbers as numbers, RFC 3339
    /// date-times as instants; skipped when either field is absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compare: Vec<String>,
    /// Lists of fields of which at least one must be present (and not `None`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of_required: Vec<Vec<String>>,
}

/// The rules of one field.
///
/// Without a `type`, each keyword checks the values it applies to (`min`/`max` numbers, `pattern`
/// strings, `min_length`/`max_length` strings and arrays, `items` arrays) and a value that none
/// of them can check is a `type_mismatch`, so no value passes a rule unchecked.
///
/// ```
/// use coord::validation::{FieldSpec, FieldType};
///
/// let email = FieldSpec::of(FieldType::Email).max_length(254).required();
/// assert!(email.required);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The kind of value expected.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<FieldType>,
    /// Whether the field must be present (and not `None`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Smallest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Fewest characters (strings) or items (arrays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Most characters (strings) or items (arrays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// A regex the string must contain a match of (unanchored; write `^…$` for a whole match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The only values allowed. No array or object is ever one of them (they are scalars); for
    /// "every item of an array is one of", put `allowed` under `items`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<AllowedValue>>,
    /// Never show this field's value in errors, logs or metrics.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// Rules for every item of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<FieldSpec>>,
    /// The name of a custom check run on the value (registered with
    /// [`register_check`](crate::validation::checks::register_check), or a function's path in
    /// an attribute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

/// The kinds of value a field can be required to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Any string.
    String,
    /// A whole number (`1.0` counts, as in JSON Schema).
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An e-mail address, by the WHATWG HTML "valid e-mail address" rule.
    Email,
    /// An absolute URL: `scheme://host` with an optional port, path, query and fragment.
    Url,
    /// A hyphenated UUID (`8-4-4-4-12` hex digits).
    Uuid,
    /// An RFC 3339 date-time (`2026-11-28T19:41:09Z`, offsets allowed).
    Datetime,
    /// A sequence.
    Array,
    /// A struct or map.
    Object,
}

impl FieldType {
    /// Every type, for messages.
    pub const ALL: [FieldType; 10] = [
        FieldType::String,
        FieldType::Integer,
        FieldType::Number,
        FieldType::Boolean,
        FieldType::Email,
        FieldType::Url,
        FieldType::Uuid,
        FieldType::Datetime,
        FieldType::Array,
        FieldType::Object,
    ];

    /// Its name in rule files.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Email => "email",
            FieldType::Url => "url",
            FieldType::Uuid => "uuid",
            FieldType::Datetime => "datetime",
            FieldType::Array => "array",
            FieldType::Object => "object",
        }
    }

    /// Whether values of this type are strings.
    #[must_use]
    pub const fn is_string(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::Email
                | FieldType::Url
                | FieldType::Uuid
                | FieldType::Datetime
        )
    }
}

/// One value of an `allowed` list.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AllowedValue {
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
}

/// Deserializes a map, rejecting a key given twice (YAML parsers keep the last one silently).
pub(crate) fn unique_keys<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct UniqueKeys<V>(std::marker::PhantomData<V>);

    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for UniqueKeys<V> {
        type Value = BTreeMap<String, V>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("a map")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if entries.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("`{key}` is given twice")));
                }
                let value = map.next_value()?;
                entries.insert(key, value);
            }
            Ok(entries)
        }
    }

    deserializer.deserialize_map(UniqueKeys(std::marker::PhantomData))
}

/// The top-level key of a rule file that is not a rule set: the performance score's thresholds
/// (read by the report).
pub(crate) const PERFORMANCE_THRESHOLDS_KEY: &str = "performance_thresholds";

/// A whole rule file: rule sets by name, each name once (the performance thresholds skipped).
#[derive(Debug, Default)]
pub(crate) struct RuleFile(pub BTreeMap<String, RuleSetSpec>);

impl<'de> Deserialize<'de> for RuleFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RuleSets;

        impl<'de> serde::de::Visitor<'de> for RuleSets {
            type Value = RuleFile;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("rule sets by name")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RuleFile, A::Error> {
                let mut sets = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == PERFORMANCE_THRESHOLDS_KEY {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    }
                    if sets.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("`{key}` is given twice")));
                    }
                    sets.insert(key, map.next_value()?);
                }
                Ok(RuleFile(sets))
            }
        }

        deserializer.deserialize_map(RuleSets)
    }
}

/// The performance thresholds a rule file may set.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ThresholdsFile {
    /// The thresholds, when the file sets them.
    #[serde(default)]
    pub performance_thresholds: Option<crate::values::score::PerformanceThresholds>,
}
