//! Custom checks (`check`, registered by name or named by path) and rules across fields
//! (`compare`, `one_of_required`) in rule files and rule sets built in code: verdicts, error
//! shapes, load errors, and a panicking check that becomes a validation error.

use serde_json::json;

use coord::validation::{ErrorCode, RuleSetSpec, ValidationResult};

fn rules(name: &str, spec: serde_json::Value) {
    let spec: RuleSetSpec = serde_json::from_value(spec).expect("a rule set");
    coord::validation::register_rule_set(name, &spec).expect("rules compile");
}

fn check(name: &str, value: &serde_json::Value) -> ValidationResult {
    coord::validate(name, value).expect("rule set registered")
}

fn register_checks() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        coord::validation::register_check("sku", |sku: &str| {
            if sku.len() == 8 && sku.starts_with("SKU") {
                Ok(())
            } else {
                Err(format!("`{sku}` is not SKU and 5 more characters"))
            }
        })
        .unwrap();
        coord::validation::register_check("even", |n: i64| n % 2 == 0).unwrap();
        coord::validation::register_check("finite_ratio", |x: f64| (0.0..=1.0).contains(&x))
            .unwrap();
        coord::validation::register_check("must_be_true", |flag: bool| flag).unwrap();
        coord::validation::register_check("explodes", |text: &str| -> bool {
            assert!(!text.contains("boom"), "the check saw {text}");
            true
        })
        .unwrap();
    });
}

#[test]
fn registered_checks_pass_and_fail_with_their_reason() {
    register_checks();
    rules(
        "custom_checks",
        json!({"field_validations": {
            "sku": {"type": "string", "check": "sku"},
            "seats": {"type": "integer", "check": "even"},
            "ratio": {"type": "number", "check": "finite_ratio"},
            "agreed": {"type": "boolean", "check": "must_be_true"},
            "tags": {"type": "array", "items": {"check": "sku"}},
        }}),
    );
    let good =
        json!({"sku": "SKU12345", "seats": 4, "ratio": 0.5, "agreed": true, "tags": ["SKU00001"]});
    assert!(check("custom_checks", &good).is_valid);
    let bad =
        json!({"sku": "ABC", "seats": 3, "ratio": 2, "agreed": false, "tags": ["SKU00001", "x"]});
    let result = check("custom_checks", &bad);
    let found: Vec<(&str, ErrorCode, &str)> = result
        .errors
        .iter()
        .map(|e| (e.path.as_str(), e.code, e.params["check"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("agreed", ErrorCode::CheckFailed, "must_be_true"),
            ("ratio", ErrorCode::CheckFailed, "finite_ratio"),
            ("seats", ErrorCode::CheckFailed, "even"),
            ("sku", ErrorCode::CheckFailed, "sku"),
            ("tags[1]", ErrorCode::CheckFailed, "sku"),
        ]
    );
    let sku = result.errors.iter().find(|e| e.path == "sku").unwrap();
    assert_eq!(
        sku.message,
        "`sku` fails check `sku`: `ABC` is not SKU and 5 more characters"
    );
}

#[test]
fn a_check_given_another_kind_of_value_is_a_type_mismatch() {
    register_checks();
    rules(
        "custom_check_kinds",
        json!({"field_validations": {"seats": {"check": "even"}}}),
    );
    let result = check("custom_check_kinds", &json!({"seats": "four"}));
    assert_eq!(result.errors[0].code, ErrorCode::TypeMismatch);
    assert_eq!(
        result.errors[0].message,
        "`seats` must be an integer for check `even`"
    );
    // 4.0 is an integer (JSON Schema's rule), 4.5 is not.
    assert!(check("custom_check_kinds", &json!({"seats": 4.0})).is_valid);
    assert_eq!(
        check("custom_check_kinds", &json!({"seats": 4.5})).errors[0].code,
        ErrorCode::TypeMismatch
    );
}

#[test]
fn a_panicking_check_is_a_validation_error_naming_it() {
    register_checks();
    rules(
        "custom_check_panics",
        json!({"field_validations": {
            "note": {"type": "string", "check": "explodes"},
            "secret": {"type": "string", "check": "explodes", "sensitive": true},
            "age": {"type": "integer", "min": 18},
        }}),
    );
    let result = check(
        "custom_check_panics",
        &json!({"note": "boom", "secret": "boom-hunter2", "age": 12}),
    );
    let codes: Vec<(&str, ErrorCode)> = result
        .errors
        .iter()
        .map(|e| (e.path.as_str(), e.code))
        .collect();
    assert_eq!(
        codes,
        [
            ("age", ErrorCode::BelowMinimum),
            ("note", ErrorCode::CheckPanicked),
            ("secret", ErrorCode::CheckPanicked),
        ],
        "the other rules still ran"
    );
    assert_eq!(
        result.errors[1].message,
        "`note`: check `explodes` panicked: the check saw boom"
    );
    assert_eq!(
        result.errors[2].message,
        "`secret`: check `explodes` panicked"
    );
    assert!(!format!("{result:?}").contains("hunter2"));
    // The validator is still usable afterwards.
    assert!(check("custom_check_panics", &json!({"note": "fine", "age": 30})).is_valid);
}

#[test]
fn unknown_checks_and_checks_on_containers_are_refused_at_load() {
    register_checks();
    let dir = std::env::temp_dir().join(format!("coord-custom-checks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("orders.yaml"),
        "orders:\n  field_validations:\n    sku:\n      type: string\n      check: skuu\n    lines:\n      type: array\n      check: sku\n",
    )
    .unwrap();
    let err = coord::validation::load_rules(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.contains("orders.yaml:5:"), "{err}");
    assert!(
        err.contains("unknown check `skuu`; did you mean `sku`?"),
        "{err}"
    );
    assert!(err.contains("orders.yaml:8:"), "{err}");
    assert!(
        err.contains("`check` applies to strings, numbers and booleans, not to type `array`"),
        "{err}"
    );
    assert!(coord::validation::register_check("no spaces", |_: &str| true).is_err());
}

#[test]
fn compare_orders_numbers_and_instants_and_skips_absent_fields() {
    rules(
        "stay",
        json!({
            "compare": ["check_out > check_in", "guests <= rooms.capacity"],
            "field_validations": {"guests": {"type": "integer"}},
        }),
    );
    let ok = json!({
        "check_in": "2026-12-06T15:00:00+01:00",
        "check_out": "2026-12-06T14:30:00Z",
        "guests": 2, "rooms": {"capacity": 2},
    });
    assert!(check("stay", &ok).is_valid);
    // Only the comparison with both sides present is made.
    assert!(
        check(
            "stay",
            &json!({"check_in": "2026-12-06T15:00:00Z", "guests": 9})
        )
        .is_valid
    );

    let bad = json!({
        "check_in": "2026-12-06T15:00:00Z",
        "check_out": "2026-12-06T15:30:00+01:00",
        "guests": 3, "rooms": {"capacity": 2},
    });
    let result = check("stay", &bad);
    let first = &result.errors[0];
    assert_eq!(
        (first.path.as_str(), first.code, first.message.as_str()),
        (
            "check_out",
            ErrorCode::ComparisonFailed,
            "`check_out` must be > `check_in`"
        )
    );
    assert_eq!(first.params["compare"], "check_out > check_in");
    assert_eq!(first.params["other"], "check_in");
    assert_eq!(result.errors[1].path, "guests");
    assert_eq!(result.errors.len(), 2);

    let mixed = check(
        "stay",
        &json!({"check_in": 5, "check_out": "2026-12-06T15:00:00Z"}),
    );
    assert_eq!(mixed.errors[0].code, ErrorCode::TypeMismatch);
    assert!(mixed.errors[0].message.contains("cannot be compared"));
}

#[test]
fn one_of_required_counts_null_as_missing() {
    rules("contact", json!({"one_of_required": [["email", "phone"]]}));
    assert!(check("contact", &json!({"phone": "+44 20"})).is_valid);
    assert!(check("contact", &json!({"email": "a@b.c", "phone": null})).is_valid);
    let result = check("contact", &json!({"email": null, "name": "Ada"}));
    assert_eq!(result.errors.len(), 1);
    let error = &result.errors[0];
    assert_eq!(
        (error.path.as_str(), error.code, error.message.as_str()),
        (
            "",
            ErrorCode::RequiredOneOf,
            "one of `email`, `phone` is required"
        )
    );
    assert_eq!(error.params["one_of"], json!(["email", "phone"]));
}

#[test]
fn relation_mistakes_are_refused_at_load_with_their_line() {
    let dir = std::env::temp_dir().join(format!("coord-relations-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("booking.yaml"),
        "booking:\n  compare:\n    - end => start\n  one_of_required:\n    - [email]\n",
    )
    .unwrap();
    let err = coord::validation::load_rules(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(err.contains("booking.yaml:2:"), "{err}");
    assert!(err.contains("booking.yaml:4:"), "{err}");
    assert!(err.contains("`compare` rule `end => start`"), "{err}");
    assert!(
        err.contains("`one_of_required` needs at least two fields"),
        "{err}"
    );
}

/// Checks named by path in attributes: the compiler checks the function exists and has a
/// check's shape (see `ui-tests/fail/validate-check-*`).
mod checks {
    pub fn sku(value: &str) -> bool {
        value.starts_with("SKU")
    }

    pub fn even(seats: i64) -> Result<(), String> {
        if seats % 2 == 0 {
            Ok(())
        } else {
            Err(format!("{seats} seats cannot be paired"))
        }
    }
}

#[coord::validate_input(
    field(sku, type = "string", check = checks::sku),
    field(seats, check = checks::even),
    compare = ["end >= start"],
    one_of_required = [email, phone],
)]
fn book(
    sku: &str,
    seats: i64,
    start: &str,
    end: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(), coord::Error> {
    let _ = (sku, seats, start, end, email, phone);
    Ok(())
}

#[test]
fn inline_rules_take_checks_by_path_and_relations() {
    let start = "2026-12-06T10:00:00Z";
    assert!(
        book(
            "SKU1",
            2,
            start,
            "2026-12-06T12:00:00+01:00",
            Some("a@b.c"),
            None
        )
        .is_ok()
    );
    let Err(coord::Error::Validation(result)) =
        book("ABC", 3, start, "2026-12-06T10:30:00+01:00", None, None)
    else {
        panic!("invalid");
    };
    let found: Vec<(&str, ErrorCode)> = result
        .errors
        .iter()
        .map(|e| (e.path.as_str(), e.code))
        .collect();
    assert_eq!(
        found,
        [
            ("sku", ErrorCode::CheckFailed),
            ("seats", ErrorCode::CheckFailed),
            ("end", ErrorCode::ComparisonFailed),
            ("", ErrorCode::RequiredOneOf),
        ],
        "{result:#?}"
    );
    assert_eq!(result.errors[1].params["check"], "checks::even");
    assert_eq!(
        result.errors[1].message,
        "`seats` fails check `checks::even`: 3 seats cannot be paired"
    );
}
