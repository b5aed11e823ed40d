//! `#[derive(coord::Validate)]`: rules on struct fields, serde's wire names, nested structs,
//! rules about the whole value, checks by path, and the struct named by `#[validate_input]`
//! and `#[coordinate_operation]`.

use serde::Serialize;

use coord::validation::{ErrorCode, Validated as _, ValidationResult};

fn found(result: &ValidationResult) -> Vec<(&str, ErrorCode)> {
    result
        .errors
        .iter()
        .map(|e| (e.path.as_str(), e.code))
        .collect()
}

mod checks {
    pub fn sku(value: &str) -> Result<(), String> {
        if value.starts_with("SKU-") {
            Ok(())
        } else {
            Err("a SKU starts with `SKU-`".to_owned())
        }
    }
}

#[derive(Serialize, coord::Validate)]
#[serde(rename_all = "camelCase")]
struct Address {
    #[rule(required, min_length = 1)]
    city: String,
    #[rule(pattern = "^(?-u:\\d){5}$")]
    postal_code: String,
}

#[derive(Serialize, coord::Validate)]
#[rule(compare = ["deliver_by > placed_at"], one_of_required = [email, phone])]
struct Order {
    #[rule(required, check = checks::sku)]
    sku: String,
    #[rule(type = "integer", min = 1, max = 99)]
    quantity: u32,
    #[rule(type = "email", max_length = 254)]
    email: Option<String>,
    #[rule(min_length = 6)]
    phone: Option<String>,
    #[serde(rename = "tagList")]
    #[rule(max_length = 3, items(pattern = "^[a-z]+$"))]
    tags: Vec<String>,
    #[rule(nested)]
    address: Option<Address>,
    #[rule(type = "datetime")]
    placed_at: String,
    #[rule(type = "datetime")]
    deliver_by: String,
    #[serde(skip)]
    #[allow(dead_code)]
    internal: u8,
}

fn order() -> Order {
    Order {
        sku: "SKU-1".into(),
        quantity: 2,
        email: Some("ada@example.com".into()),
        phone: None,
        tags: vec!["gift".into()],
        address: Some(Address {
            city: "London".into(),
            postal_code: "12345".into(),
        }),
        placed_at: "2026-12-06T10:00:00Z".into(),
        deliver_by: "2026-12-08T10:00:00+01:00".into(),
        internal: 0,
    }
}

#[test]
fn a_valid_struct_passes() {
    let result = order().validation().unwrap();
    assert!(result.is_valid, "{result:#?}");
    assert_eq!(result.rule_set, "Order");
}

#[test]
fn each_field_rule_reports_at_the_wire_name() {
    let bad = Order {
        sku: "ABC".into(),
        quantity: 0,
        email: Some("not-an-email".into()),
        tags: vec!["ok".into(), "Not-OK".into()],
        address: Some(Address {
            city: String::new(),
            postal_code: "১২৩৪৫".into(),
        }),
        deliver_by: "2026-12-06T09:00:00Z".into(),
        ..order()
    };
    let result = bad.validation().unwrap();
    assert_eq!(
        found(&result),
        [
            ("sku", ErrorCode::CheckFailed),
            ("quantity", ErrorCode::BelowMinimum),
            ("email", ErrorCode::InvalidEmail),
            ("tagList[1]", ErrorCode::PatternMismatch),
            ("address.city", ErrorCode::TooShort),
            ("address.postalCode", ErrorCode::PatternMismatch),
            ("deliver_by", ErrorCode::ComparisonFailed),
        ],
        "{result:#?}"
    );
    assert_eq!(
        result.errors[0].message,
        "`sku` fails check `checks::sku`: a SKU starts with `SKU-`"
    );
}

#[test]
fn required_one_of_and_nested_required_fields() {
    let result = Order {
        email: None,
        phone: None,
        ..order()
    }
    .validation()
    .unwrap();
    assert_eq!(found(&result), [("", ErrorCode::RequiredOneOf)]);
    // A nested struct that is `None` is a missing field: its own rules do not run.
    assert!(
        Order {
            address: None,
            ..order()
        }
        .validation()
        .unwrap()
        .is_valid
    );
}

#[coord::validate_input(arg = order)]
fn place(order: &Order) -> Result<u32, coord::Error> {
    Ok(order.quantity)
}

#[coord::coordinate_operation(name = "derive_place_coordinated", validate(arg = order))]
fn place_coordinated(order: Order) -> Result<u32, coord::Error> {
    Ok(order.quantity)
}

#[test]
fn attributes_validate_an_argument_by_its_own_rules() {
    assert_eq!(place(&order()).unwrap(), 2);
    let err = place(&Order {
        quantity: 100,
        ..order()
    })
    .unwrap_err();
    let coord::Error::Validation(result) = err else {
        panic!("{err:?}")
    };
    assert_eq!(found(&result), [("quantity", ErrorCode::AboveMaximum)]);
    assert_eq!(place_coordinated(order()).unwrap(), 2);
    assert!(
        place_coordinated(Order {
            quantity: 0,
            ..order()
        })
        .is_err()
    );
}

/// A generic struct gets the bounds serde's derive chose.
#[derive(Serialize, coord::Validate)]
struct Page<T> {
    #[rule(type = "integer", min = 1)]
    page: u32,
    items: Vec<T>,
}

#[test]
fn generic_structs_derive_too() {
    assert!(
        Page {
            page: 1,
            items: vec![1, 2]
        }
        .validation()
        .unwrap()
        .is_valid
    );
    assert!(
        !Page::<u8> {
            page: 0,
            items: vec![]
        }
        .validation()
        .unwrap()
        .is_valid
    );
}

#[derive(Serialize, coord::Validate)]
struct Contact {
    #[rule(required, type = "email")]
    email: Option<String>,
}

#[derive(Serialize, coord::Validate)]
struct Profile {
    #[rule(min_length = 2)]
    nickname: String,
}

#[derive(Serialize, coord::Validate)]
struct Signup {
    #[rule(nested)]
    contact: Option<Contact>,
    #[serde(flatten)]
    #[rule(nested)]
    profile: Profile,
}

#[test]
fn nested_required_fields_apply_where_the_nested_value_is() {
    let profile = || Profile {
        nickname: "ada".into(),
    };
    let missing_email = Signup {
        contact: Some(Contact { email: None }),
        profile: profile(),
    };
    assert_eq!(
        found(&missing_email.validation().unwrap()),
        [("contact.email", ErrorCode::Required)]
    );
    let no_contact = Signup {
        contact: None,
        profile: profile(),
    };
    assert!(no_contact.validation().unwrap().is_valid);
    // A flattened field's rules sit at the outer value's level, as serde writes its fields.
    let short = Signup {
        contact: None,
        profile: Profile {
            nickname: "a".into(),
        },
    };
    assert_eq!(
        found(&short.validation().unwrap()),
        [("nickname", ErrorCode::TooShort)]
    );
}

/// Two types naming different functions by the same path: each runs its own.
mod parent_checks {
    pub fn sku(value: &str) -> bool {
        value.starts_with("P-")
    }

    #[derive(serde::Serialize, coord::Validate)]
    pub struct Parent {
        #[rule(check = sku)]
        pub sku: String,
        #[rule(nested)]
        pub child: super::child_checks::Child,
    }
}

mod child_checks {
    pub fn sku(value: &str) -> bool {
        value.starts_with("C-")
    }

    #[derive(serde::Serialize, coord::Validate)]
    pub struct Child {
        #[rule(check = sku)]
        pub sku: String,
    }
}

#[test]
fn checks_named_alike_in_two_types_each_run_their_own_function() {
    use child_checks::Child;
    use parent_checks::Parent;
    let valid = Parent {
        sku: "P-1".into(),
        child: Child { sku: "C-1".into() },
    };
    assert!(valid.validation().unwrap().is_valid);
    let swapped = Parent {
        sku: "C-1".into(),
        child: Child { sku: "P-1".into() },
    };
    let result = swapped.validation().unwrap();
    let failed: Vec<(&str, &str)> = result
        .errors
        .iter()
        .map(|e| (e.path.as_str(), e.params["check"].as_str().unwrap()))
        .collect();
    assert_eq!(failed, [("sku", "sku"), ("child.sku", "sku (Child)")]);
}
