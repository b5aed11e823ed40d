//! Every rule kind, valid and invalid, through the public API; wire names; scores; sensitive
//! values; failing `Serialize` impls.

use serde::Serialize;
use serde_json::json;

use coord::validation::{ErrorCode, ValidationResult};

fn rules(name: &str, spec: serde_json::Value) {
    let spec: coord::validation::RuleSetSpec = serde_json::from_value(spec).expect("a rule set");
    coord::validation::register_rule_set(name, &spec).expect("rules compile");
}

fn check(name: &str, value: &impl Serialize) -> ValidationResult {
    coord::validate(name, value).expect("rule set registered")
}

fn codes(result: &ValidationResult) -> Vec<(String, ErrorCode)> {
    result
        .errors
        .iter()
        .map(|e| (e.path.clone(), e.code))
        .collect()
}

fn one_error(result: &ValidationResult) -> (String, ErrorCode) {
    assert_eq!(result.errors.len(), 1, "{result:#?}");
    codes(result).remove(0)
}

#[test]
fn types() {
    let cases: &[(&str, serde_json::Value, serde_json::Value)] = &[
        ("string", json!("x"), json!(1)),
        ("integer", json!(3), json!(3.5)),
        ("number", json!(3.5), json!("3.5")),
        ("boolean", json!(true), json!("true")),
        ("email", json!("a@b.co"), json!("a@")),
        ("url", json!("https://x.io/a"), json!("x.io")),
        (
            "uuid",
            json!("123e4567-e89b-12d3-a456-426614174000"),
            json!("123"),
        ),
        (
            "datetime",
            json!("2026-11-28T19:41:09Z"),
            json!("2026-11-28"),
        ),
        ("array", json!([1]), json!({"a": 1})),
        ("object", json!({"a": 1}), json!([1])),
    ];
    for (kind, good, bad) in cases {
        let name = format!("types.{kind}");
        rules(&name, json!({"field_validations": {"v": {"type": kind}}}));
        assert!(check(&name, &json!({"v": good})).is_valid, "{kind}: {good}");
        let result = check(&name, &json!({"v": bad}));
        let (path, code) = one_error(&result);
        assert_eq!(path, "v");
        let expected = match *kind {
            "email" => ErrorCode::InvalidEmail,
            "url" => ErrorCode::InvalidUrl,
            "uuid" => ErrorCode::InvalidUuid,
            "datetime" => ErrorCode::InvalidDatetime,
            _ => ErrorCode::TypeMismatch,
        };
        assert_eq!(code, expected, "{kind}: {bad}");
    }
}

#[test]
fn one_point_zero_is_an_integer_as_in_json_schema() {
    rules(
        "ints",
        json!({"field_validations": {"n": {"type": "integer"}}}),
    );
    assert!(check("ints", &json!({"n": 1.0})).is_valid);
    assert!(!check("ints", &json!({"n": 1.5})).is_valid);
}

#[test]
fn limits_lengths_patterns_and_allowed_values() {
    rules(
        "limits",
        json!({"field_validations": {
            "age": {"type": "integer", "min": 18, "max": 120},
            "name": {"type": "string", "min_length": 2, "max_length": 5},
            "tags": {"type": "array", "min_length": 1, "max_length": 2},
            "code": {"type": "string", "pattern": "[0-9]{3}"},
            "priority": {"allowed": ["low", "high"]},
            "level": {"type": "integer", "allowed": [1, 2, 3]},
        }}),
    );
    let good = json!({"age": 30, "name": "Ada", "tags": ["a"], "code": "ab123", "priority": "low", "level": 2});
    let result = check("limits", &good);
    assert!(result.is_valid, "{result:#?}");
    assert_eq!(result.score, 100.0);

    let cases = [
        (json!({"age": 17}), "age", ErrorCode::BelowMinimum),
        (json!({"age": 121}), "age", ErrorCode::AboveMaximum),
        (json!({"name": "A"}), "name", ErrorCode::TooShort),
        (json!({"name": "Ada Lovelace"}), "name", ErrorCode::TooLong),
        (json!({"tags": []}), "tags", ErrorCode::TooShort),
        (json!({"tags": [1, 2, 3]}), "tags", ErrorCode::TooLong),
        (json!({"code": "12"}), "code", ErrorCode::PatternMismatch),
        (
            json!({"priority": "urgent"}),
            "priority",
            ErrorCode::NotAllowed,
        ),
        (json!({"level": 4}), "level", ErrorCode::NotAllowed),
    ];
    for (input, path, code) in cases {
        let result = check("limits", &input);
        assert_eq!(one_error(&result), (path.to_owned(), code), "{input}");
        assert!(result.score < 100.0);
    }
    let min = &check("limits", &json!({"age": 17})).errors[0];
    assert_eq!(min.params["min"], json!(18.0));
    assert_eq!(min.message, "`age` must be at least 18 (got 17)");
}

#[test]
fn string_length_counts_characters_not_bytes() {
    rules(
        "chars",
        json!({"field_validations": {"s": {"type": "string", "max_length": 3}}}),
    );
    assert!(
        check("chars", &json!({"s": "héé"})).is_valid,
        "3 code points, 5 bytes"
    );
    assert!(!check("chars", &json!({"s": "héél"})).is_valid);
}

#[test]
fn pattern_matches_anywhere_unless_anchored() {
    rules(
        "anchors",
        json!({"field_validations": {
            "loose": {"pattern": "[0-9]+"},
            "strict": {"pattern": "^[0-9]+$"},
        }}),
    );
    assert!(check("anchors", &json!({"loose": "abc123def"})).is_valid);
    assert_eq!(
        one_error(&check("anchors", &json!({"strict": "abc123"}))).1,
        ErrorCode::PatternMismatch
    );
}

#[test]
fn a_wrong_type_reports_only_the_type() {
    rules(
        "wrong_type",
        json!({"field_validations": {"n": {"type": "integer", "min": 5, "max": 10}}}),
    );
    let result = check("wrong_type", &json!({"n": "seven"}));
    assert_eq!(
        codes(&result),
        vec![("n".to_owned(), ErrorCode::TypeMismatch)]
    );
}

#[derive(Serialize)]
struct Address {
    #[serde(rename = "postalCode")]
    zip: String,
}

#[derive(Serialize)]
struct Customer {
    #[serde(rename = "fullName")]
    name: Option<String>,
    address: Address,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    emails: Vec<String>,
}

#[test]
fn nested_paths_required_fields_array_items_and_wire_names() {
    rules(
        "customer",
        json!({
            "required_fields": ["fullName", "address.postalCode", "emails"],
            "field_validations": {
                "address.postalCode": {"type": "string", "pattern": "^[0-9]{5}$"},
                "emails": {"type": "array", "items": {"type": "email"}},
            }
        }),
    );
    let good = Customer {
        name: Some("Ada".into()),
        address: Address {
            zip: "12345".into(),
        },
        emails: vec!["a@b.co".into()],
    };
    assert!(check("customer", &good).is_valid);

    let bad = Customer {
        name: None,
        address: Address { zip: "1234".into() },
        emails: vec![],
    };
    let result = check("customer", &bad);
    assert_eq!(
        codes(&result),
        vec![
            ("address.postalCode".to_owned(), ErrorCode::PatternMismatch),
            ("emails".to_owned(), ErrorCode::Required),
            ("fullName".to_owned(), ErrorCode::Required),
        ],
        "None counts as missing; a skipped field is missing; paths use serde's names"
    );

    let items = Customer {
        name: Some("Ada".into()),
        address: Address {
            zip: "12345".into(),
        },
        emails: vec!["a@b.co".into(), "nope".into()],
    };
    assert_eq!(
        one_error(&check("customer", &items)),
        ("emails[1]".to_owned(), ErrorCode::InvalidEmail)
    );
}

#[test]
fn security_limits_apply_to_every_string_and_level() {
    rules(
        "security",
        json!({"forbidden_patterns": ["(?i)<script"], "max_depth": 3, "max_string_length": 10}),
    );
    assert!(check("security", &json!({"a": {"b": "fine"}})).is_valid);
    assert_eq!(
        one_error(&check("security", &json!({"a": {"b": ["x<SCRIPT>"]}}))),
        ("a.b[0]".to_owned(), ErrorCode::ForbiddenPattern)
    );
    assert_eq!(
        one_error(&check("security", &json!({"a": {"b": [[1]]}}))).1,
        ErrorCode::TooDeep
    );
    assert_eq!(
        one_error(&check("security", &json!({"k": "01234567890"}))).1,
        ErrorCode::StringTooLong
    );
    assert_eq!(
        one_error(&check("security", &json!({"<script>": 1}))).1,
        ErrorCode::ForbiddenPattern,
        "keys too"
    );
}

#[test]
fn deep_input_is_bounded_not_a_stack_overflow() {
    rules("bounded", json!({"field_validations": {}}));
    let mut value = json!(1);
    for _ in 0..5_000 {
        // Not `json!([value])`: that re-serializes the whole value each time.
        value = serde_json::Value::Array(vec![value]);
    }
    let result = check("bounded", &value);
    assert_eq!(
        one_error(&result).1,
        ErrorCode::TooDeep,
        "the default max_depth of 64 applies"
    );
    // serde_json's own drop of 5 000 levels is recursive; leak the value to keep the test about us.
    std::mem::forget(value);
}

#[test]
fn sensitive_values_never_appear_in_errors() {
    rules(
        "secret",
        json!({"field_validations": {"pin": {"type": "integer", "min": 1000, "sensitive": true}}}),
    );
    let result = check("secret", &json!({"pin": 42}));
    let shown = format!(
        "{result:?} {result} {}",
        serde_json::to_string(&result).unwrap()
    );
    assert!(!shown.contains("42"), "{shown}");
    assert_eq!(one_error(&result).1, ErrorCode::BelowMinimum);
}

struct Broken;

impl Serialize for Broken {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "database handle cannot be serialized",
        ))
    }
}

#[test]
fn a_failing_serialize_impl_is_an_error_never_valid() {
    rules("broken", json!({}));
    let result = check("broken", &json!({"ok": 1}));
    assert!(result.is_valid);
    let result = coord::validate("broken", &Broken).unwrap();
    assert!(!result.is_valid);
    assert_eq!(one_error(&result).1, ErrorCode::SerializeFailed);
    assert!(result.errors[0].message.contains("database handle"));
}

#[test]
fn score_is_the_share_of_checks_passed_and_never_100_when_invalid() {
    rules(
        "score",
        json!({"field_validations": {
            "a": {"type": "integer", "min": 0},
            "b": {"type": "integer", "min": 0},
        }}),
    );
    let result = check("score", &json!({"a": 1, "b": -1}));
    // 6 checks: the input is an object (it has field rules), a type, a min, b type, b min,
    // max_depth; one failed.
    assert!(
        (result.score - 500.0 / 6.0).abs() < 1e-9,
        "{}",
        result.score
    );
    let many: serde_json::Map<String, serde_json::Value> =
        (0..300).map(|i| (format!("f{i}"), json!(1))).collect();
    rules(
        "score_many",
        json!({"field_validations": {"bad": {"type": "string"}}}),
    );
    let mut input = serde_json::Value::Object(many);
    input["bad"] = json!(1);
    let result = check("score_many", &input);
    assert!(!result.is_valid && result.score < 100.0);
}

#[test]
fn unknown_rule_sets_are_an_error_naming_the_known_ones() {
    rules("known_one", json!({}));
    let err = coord::validate("no_such_rules", &json!({})).unwrap_err();
    assert!(matches!(err, coord::Error::UnknownRuleSet { .. }));
    assert!(err.to_string().contains("no_such_rules") && err.to_string().contains("known_one"));
}

#[test]
fn the_report_counts_validations_scores_and_frequent_failures() {
    rules(
        "reported",
        json!({"field_validations": {"n": {"type": "integer", "max": 5}}}),
    );
    for n in [1, 9, 9, 2] {
        check("reported", &json!({"n": n}));
    }
    let report = coord::validation::validation_report();
    let reported = report
        .rule_sets
        .iter()
        .find(|r| r.rule_set == "reported")
        .unwrap();
    assert_eq!((reported.validations, reported.valid), (4, 2));
    assert!(
        (reported.valid_percent - 50.0).abs() < f64::EPSILON,
        "{reported:?}"
    );
    // Two valid at 100; two invalid at 3 of 4 checks (the input is an object, type, max,
    // max_depth) = 75.
    assert!(
        (reported.mean_score - (200.0 + 2.0 * 75.0) / 4.0).abs() < 0.01,
        "{reported:?}"
    );
    assert_eq!(reported.top_failures[0].path, "n");
    assert_eq!(reported.top_failures[0].code, ErrorCode::AboveMaximum);
    assert_eq!(reported.top_failures[0].count, 2);
    assert!(report.validations >= 4 && report.mean_score <= 100.0);
    let json = serde_json::to_value(&report).unwrap();
    assert!(
        json["rule_sets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule_set"] == "reported")
    );
}

#[test]
fn frequent_failures_count_array_items_under_one_rule() {
    rules(
        "items_report",
        json!({"field_validations": {"xs": {"items": {"type": "integer", "max": 1}}}}),
    );
    check("items_report", &json!({"xs": [5, 1, 7]}));
    check("items_report", &json!({"xs": [1, 9]}));
    let report = coord::validation::validation_report();
    let items = report
        .rule_sets
        .iter()
        .find(|r| r.rule_set == "items_report")
        .unwrap();
    assert_eq!(items.top_failures.len(), 1, "{items:?}");
    assert_eq!(
        (
            items.top_failures[0].path.as_str(),
            items.top_failures[0].count
        ),
        ("xs[]", 3)
    );
}

#[test]
fn hostile_input_gets_a_bounded_result() {
    rules(
        "bounded_errors",
        json!({"forbidden_patterns": ["(?i)drop\\s+table"], "max_string_length": 1000}),
    );
    // 100 000 keys, each value breaking the rule: 100 errors listed, the rest counted.
    let many: serde_json::Map<String, serde_json::Value> = (0..100_000)
        .map(|i| (format!("k{i}"), json!("DROP TABLE x")))
        .collect();
    let result = check("bounded_errors", &serde_json::Value::Object(many));
    assert_eq!(result.errors.len(), 101);
    let last = result.errors.last().unwrap();
    assert_eq!(last.code, ErrorCode::TooManyErrors);
    assert_eq!(last.params["omitted"], json!(99_900));
    assert_eq!(last.params["max_errors"], json!(100));

    // A 10 MB string: one error, whose message does not repeat the string.
    let result = check("bounded_errors", &json!({"s": "y".repeat(10_000_000)}));
    let (path, code) = one_error(&result);
    assert_eq!((path.as_str(), code), ("s", ErrorCode::StringTooLong));
    assert!(
        result.errors[0].message.len() < 200,
        "{}",
        result.errors[0].message
    );

    rules(
        "three_errors",
        json!({"forbidden_patterns": ["x"], "max_errors": 3}),
    );
    let result = check("three_errors", &json!(["x", "x", "x", "x", "x"]));
    assert_eq!(
        codes(&result).last().unwrap(),
        &(String::new(), ErrorCode::TooManyErrors)
    );
    assert_eq!(result.errors.len(), 4);

    let spec: coord::validation::RuleSetSpec =
        serde_json::from_value(json!({"max_errors": 0})).unwrap();
    let err = coord::validation::register_rule_set("no_errors", &spec).unwrap_err();
    assert!(
        err.to_string().contains("`max_errors` must be at least 1"),
        "{err}"
    );
}

#[test]
fn required_fields_reject_a_value_that_is_not_an_object() {
    rules("not_an_object", json!({"required_fields": ["name"]}));
    for value in [json!(42), json!([]), json!("Ada"), json!(true)] {
        let result = check("not_an_object", &value);
        assert!(!result.is_valid, "{value} has no fields to be present");
        assert_eq!(
            (result.errors[0].path.as_str(), result.errors[0].code),
            ("", ErrorCode::TypeMismatch),
            "{value}: {result:?}"
        );
    }
    // `None`/null is the absent input: every required field is missing.
    let result = check("not_an_object", &serde_json::Value::Null);
    assert_eq!(
        (result.errors[0].path.as_str(), result.errors[0].code),
        ("name", ErrorCode::Required)
    );
    assert!(check("not_an_object", &json!({"name": "Ada"})).is_valid);
}

#[test]
fn a_null_array_item_is_not_a_missing_field_and_fails_the_items_type() {
    rules(
        "null_items",
        json!({"field_validations": {"links": {"type": "array", "items": {"type": "url"}}}}),
    );
    let result = check(
        "null_items",
        &json!({"links": ["https://a.example/x", null]}),
    );
    assert!(!result.is_valid, "{result:?}");
    assert_eq!(
        one_error(&result),
        ("links[1]".to_owned(), ErrorCode::TypeMismatch)
    );
    assert!(check("null_items", &json!({"links": ["https://a.example/x"]})).is_valid);
}

/// `pattern` is the `regex` crate's syntax, where `\d`, `\w` and `\s` are Unicode classes;
/// `(?-u:\d)` (or `[0-9]`) is the ASCII class, and works in rule files and inline rules.
#[test]
fn pattern_classes_are_unicode_unless_asked_for_ascii() {
    rules(
        "digit_classes",
        json!({"field_validations": {
            "unicode": {"pattern": "^\\d+$"},
            "ascii": {"pattern": "^(?-u:\\d)+$"},
            "ascii_everywhere": {"pattern": "(?-u)^\\d+$"},
        }}),
    );
    let bengali = "১২৩";
    assert!(check("digit_classes", &json!({"unicode": bengali})).is_valid);
    assert!(
        check(
            "digit_classes",
            &json!({"ascii": "123", "ascii_everywhere": "123"})
        )
        .is_valid
    );
    for field in ["ascii", "ascii_everywhere"] {
        assert_eq!(
            one_error(&check("digit_classes", &json!({ field: bengali }))),
            (field.to_owned(), ErrorCode::PatternMismatch)
        );
    }
}

#[coord::validate_input(field(code, pattern = "^(?-u:\\d){4}$"))]
fn ascii_code(code: &str) -> Result<(), coord::Error> {
    let _ = code;
    Ok(())
}

#[test]
fn inline_patterns_take_ascii_classes_too() {
    assert!(ascii_code("2026").is_ok());
    assert!(ascii_code("২০২৬").is_err());
}

/// `allowed: []` could never pass: refused when the rule set loads, naming the field.
#[test]
fn an_empty_allowed_list_is_refused_at_load() {
    let spec: coord::validation::RuleSetSpec =
        serde_json::from_value(json!({"field_validations": {"level": {"allowed": []}}}))
            .expect("parses");
    let err = coord::validation::register_rule_set("empty_allowed", &spec)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("level") && err.contains("`allowed` is empty"),
        "{err}"
    );
}
