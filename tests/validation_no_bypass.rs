//! No value gets past a rule by being of a shape the rule does not check: `allowed` rejects
//! every array and object (at any depth, from JSON or from Rust types, through the attribute
//! too), a typeless rule rejects values none of its keywords can check, rules below a field
//! make it an object, and a required nested field needs its parents.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use coord::validation::{ErrorCode, ValidationResult};

fn rules(name: &str, spec: Value) {
    let spec: coord::validation::RuleSetSpec = serde_json::from_value(spec).expect("a rule set");
    coord::validation::register_rule_set(name, &spec).expect("rules compile");
}

fn check(name: &str, value: &impl Serialize) -> ValidationResult {
    coord::validate(name, value).expect("rule set registered")
}

fn errors(result: &ValidationResult) -> Vec<(String, ErrorCode)> {
    result
        .errors
        .iter()
        .map(|e| (e.path.clone(), e.code))
        .collect()
}

/// Containers of every kind, including ones holding an allowed value.
fn containers() -> Vec<Value> {
    vec![
        json!([]),
        json!(["user"]),
        json!(["x"]),
        json!([["user"]]),
        json!({}),
        json!({"k": "v"}),
        json!({"$ne": null}),
        json!({"user": "user"}),
        json!({"a": {"b": "user"}}),
    ]
}

#[test]
fn allowed_rejects_every_array_and_object() {
    rules(
        "bypass.allowed",
        json!({"field_validations": {"role": {"allowed": ["user", "admin"]}}}),
    );
    assert!(check("bypass.allowed", &json!({"role": "user"})).is_valid);
    assert!(
        check("bypass.allowed", &json!({})).is_valid,
        "absent stays fine"
    );
    for value in containers() {
        let result = check("bypass.allowed", &json!({ "role": value }));
        assert_eq!(
            errors(&result),
            [("role".to_owned(), ErrorCode::NotAllowed)],
            "{value}"
        );
    }
}

#[test]
fn allowed_rejects_containers_of_numbers_and_booleans_too() {
    rules(
        "bypass.allowed_scalars",
        json!({"field_validations": {
            "level": {"allowed": [1, 2, 3]},
            "flag": {"allowed": [true]},
            "mixed": {"allowed": ["low", 3, false]},
        }}),
    );
    for field in ["level", "flag", "mixed"] {
        for value in [json!([1]), json!([true]), json!({"1": 1}), json!([[3]])] {
            let result = check("bypass.allowed_scalars", &json!({ field: value }));
            assert_eq!(
                errors(&result),
                [(field.to_owned(), ErrorCode::NotAllowed)],
                "{field}: {value}"
            );
        }
    }
}

#[test]
fn allowed_holds_on_nested_paths_and_typed_rules() {
    rules(
        "bypass.nested",
        json!({"field_validations": {
            "user.role": {"allowed": ["user", "admin"]},
            "plan": {"type": "string", "allowed": ["free", "pro"]},
        }}),
    );
    for value in containers() {
        let result = check("bypass.nested", &json!({"user": {"role": value}}));
        assert_eq!(
            errors(&result),
            [("user.role".to_owned(), ErrorCode::NotAllowed)],
            "{value}"
        );
        // With a declared type, a container is the wrong type (and only that is reported).
        let result = check("bypass.nested", &json!({ "plan": value }));
        assert_eq!(
            errors(&result),
            [("plan".to_owned(), ErrorCode::TypeMismatch)],
            "{value}"
        );
    }
}

#[derive(Serialize)]
struct Account {
    role: Role,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Role {
    Name(&'static str),
    Names(Vec<&'static str>),
    Map(BTreeMap<&'static str, &'static str>),
    Tuple(&'static str, &'static str),
}

#[derive(Serialize)]
enum Tagged {
    Admin { level: u8 },
    Pair(&'static str, &'static str),
}

#[test]
fn allowed_rejects_rust_sequences_maps_tuples_and_enum_variants_with_data() {
    rules(
        "bypass.rust",
        json!({"field_validations": {"role": {"allowed": ["user", "admin", "Admin"]}}}),
    );
    assert!(
        check(
            "bypass.rust",
            &Account {
                role: Role::Name("admin")
            }
        )
        .is_valid
    );
    let bypasses = [
        Account {
            role: Role::Names(vec!["admin"]),
        },
        Account {
            role: Role::Map(BTreeMap::from([("admin", "admin")])),
        },
        Account {
            role: Role::Tuple("admin", "user"),
        },
    ];
    for account in &bypasses {
        assert_eq!(
            errors(&check("bypass.rust", account)),
            [("role".to_owned(), ErrorCode::NotAllowed)]
        );
    }
    // `{"Admin": {...}}` is an object, not the string "Admin".
    for role in [Tagged::Admin { level: 9 }, Tagged::Pair("admin", "user")] {
        let result = check("bypass.rust", &BTreeMap::from([("role", role)]));
        assert_eq!(
            errors(&result),
            [("role".to_owned(), ErrorCode::NotAllowed)]
        );
    }
}

#[derive(Debug)]
struct Invalid(coord::Error);

impl From<coord::Error> for Invalid {
    fn from(err: coord::Error) -> Self {
        Invalid(err)
    }
}

#[coord::validate_input(field(role, allowed = ["user", "admin"]))]
fn set_role(role: &Value) -> Result<(), Invalid> {
    let _ = role;
    Ok(())
}

#[test]
fn the_attribute_rejects_the_same_bypasses() {
    assert!(set_role(&json!("admin")).is_ok());
    for value in containers() {
        match set_role(&value) {
            Err(Invalid(coord::Error::Validation(result))) => {
                assert_eq!(
                    errors(&result),
                    [("role".to_owned(), ErrorCode::NotAllowed)]
                );
            }
            other => panic!("{value}: {other:?}"),
        }
    }
}

#[test]
fn items_allowed_is_the_explicit_every_item_rule() {
    rules(
        "bypass.items",
        json!({"field_validations": {
            "tags": {"type": "array", "items": {"allowed": ["a", "b"]}},
        }}),
    );
    assert!(check("bypass.items", &json!({"tags": ["a", "b", "a"]})).is_valid);
    assert!(check("bypass.items", &json!({"tags": []})).is_valid);
    assert_eq!(
        errors(&check("bypass.items", &json!({"tags": ["a", "c"]}))),
        [("tags[1]".to_owned(), ErrorCode::NotAllowed)]
    );
    assert_eq!(
        errors(&check(
            "bypass.items",
            &json!({"tags": [["a"], {"a": "a"}]})
        )),
        [
            ("tags[0]".to_owned(), ErrorCode::NotAllowed),
            ("tags[1]".to_owned(), ErrorCode::NotAllowed)
        ]
    );
}

/// Each typeless rule with a value of every shape: `true` where one of its keywords checks
/// that shape (and the value passes it), `false` where nothing could check the value.
#[test]
fn a_typeless_rule_rejects_what_none_of_its_keywords_can_check() {
    let shapes = [
        ("string", json!("abc")),
        ("number", json!(20)),
        ("boolean", json!(true)),
        ("array", json!(["abc"])),
        ("object", json!({"abc": 1})),
    ];
    let table: &[(Value, &[&str])] = &[
        (json!({"min": 18}), &["number"]),
        (json!({"max": 30}), &["number"]),
        (json!({"pattern": "^a"}), &["string"]),
        (json!({"min_length": 1}), &["string", "array"]),
        (json!({"max_length": 3}), &["string", "array"]),
        (json!({"items": {"type": "string"}}), &["array"]),
        (json!({"min": 18, "pattern": "^a"}), &["string", "number"]),
        // An allowed value is a shape the position can hold.
        (
            json!({"min": 18, "allowed": ["abc", 20]}),
            &["string", "number"],
        ),
        // Nothing constrains the shape: every value is checked only by `allowed`/`required`.
        (
            json!({"sensitive": true}),
            &["string", "number", "boolean", "array", "object"],
        ),
    ];
    for (index, (rule, accepted)) in table.iter().enumerate() {
        let name = format!("bypass.typeless.{index}");
        rules(&name, json!({"field_validations": {"v": rule}}));
        for (shape, value) in &shapes {
            let result = check(&name, &json!({ "v": value }));
            if accepted.contains(shape) {
                assert!(result.is_valid, "{rule} should check {value}: {result:#?}");
            } else {
                assert_eq!(
                    errors(&result),
                    [("v".to_owned(), ErrorCode::TypeMismatch)],
                    "{rule} cannot check {value}"
                );
            }
        }
    }
    let result = check("bypass.typeless.6", &json!({"v": [20]}));
    assert_eq!(
        result.errors[0].message,
        "`v` must be a string or a number (what its rules can check), not an array"
    );
    assert_eq!(result.errors[0].params["type"], json!(["string", "number"]));
}

#[test]
fn rules_below_a_field_make_it_an_object() {
    rules(
        "bypass.parent",
        json!({"field_validations": {"customer.id": {"type": "string", "min_length": 3}}}),
    );
    assert!(check("bypass.parent", &json!({"customer": {"id": "abc"}})).is_valid);
    assert!(
        check("bypass.parent", &json!({})).is_valid,
        "nothing required"
    );
    for value in [
        json!("abc"),
        json!(7),
        json!(true),
        json!(["abc"]),
        json!([{"id": "a"}]),
    ] {
        let result = check("bypass.parent", &json!({ "customer": value }));
        assert_eq!(
            errors(&result),
            [("customer".to_owned(), ErrorCode::TypeMismatch)],
            "{value}"
        );
    }
}

#[test]
fn a_required_nested_field_needs_its_parents() {
    rules(
        "bypass.required_nested",
        json!({"required_fields": ["order.customer.id"]}),
    );
    let ok = json!({"order": {"customer": {"id": 1}}});
    assert!(check("bypass.required_nested", &ok).is_valid);
    let cases = [
        (json!({}), "order", ErrorCode::Required),
        (json!({"order": null}), "order", ErrorCode::Required),
        (json!({"order": {}}), "order.customer", ErrorCode::Required),
        (
            json!({"order": {"customer": {}}}),
            "order.customer.id",
            ErrorCode::Required,
        ),
        (json!({"order": 5}), "order", ErrorCode::TypeMismatch),
        (
            json!({"order": [{"customer": {"id": 1}}]}),
            "order",
            ErrorCode::TypeMismatch,
        ),
        (
            json!({"order": {"customer": "Ada"}}),
            "order.customer",
            ErrorCode::TypeMismatch,
        ),
    ];
    for (input, path, code) in cases {
        let result = check("bypass.required_nested", &input);
        assert_eq!(errors(&result), [(path.to_owned(), code)], "{input}");
    }
}

#[test]
fn required_fields_reject_an_input_that_is_not_an_object() {
    rules(
        "bypass.root",
        json!({"required_fields": ["name"], "field_validations": {"name": {"type": "string"}}}),
    );
    assert!(check("bypass.root", &json!({"name": "Ada"})).is_valid);
    for input in [
        json!(42),
        json!("Ada"),
        json!([]),
        json!([{"name": "Ada"}]),
        json!(true),
    ] {
        let result = check("bypass.root", &input);
        assert_eq!(
            errors(&result),
            [(String::new(), ErrorCode::TypeMismatch)],
            "{input}"
        );
        assert!(
            result.errors[0]
                .message
                .starts_with("the input must be an object")
        );
    }
    let result = check("bypass.root", &Option::<u8>::None);
    assert_eq!(errors(&result), [("name".to_owned(), ErrorCode::Required)]);
    let result = check("bypass.root", &json!(null));
    assert_eq!(errors(&result), [("name".to_owned(), ErrorCode::Required)]);
}
