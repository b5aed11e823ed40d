//! Validating valid input allocates nothing, through the plain API and through the attribute:
//! a counting global allocator sees zero allocations across thousands of validations.

mod support;

use serde::Serialize;
use support::counting_allocator::{CountingAllocator, allocations};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[derive(Serialize)]
struct Address<'a> {
    city: &'a str,
    #[serde(rename = "postalCode")]
    zip: &'a str,
}

#[derive(Serialize)]
struct Order<'a> {
    id: u64,
    customer: &'a str,
    email: &'a str,
    items: &'a [u32],
    priority: &'a str,
    placed_at: &'a str,
    due_at: &'a str,
    callback: &'a str,
    request_id: &'a str,
    address: Address<'a>,
    note: Option<&'a str>,
}

#[coord::validate_input(
    required = [order],
    field(order.id, type = "integer", min = 1),
    field(order.customer, type = "string", min_length = 1, max_length = 100),
    field(order.email, type = "email"),
    field(order.items, type = "array", min_length = 1, items(type = "integer", max = 1000)),
    field(order.priority, allowed = ["low", "normal", "high"]),
    field(order.placed_at, type = "datetime"),
    field(order.callback, type = "url"),
    field(order.request_id, type = "uuid"),
    field(order.address.postalCode, pattern = "^[0-9]{5}$"),
    forbidden_patterns = ["(?i)<script"],
    max_string_length = 200,
)]
fn place(order: &Order<'_>) -> Result<u64, coord::Error> {
    Ok(order.id)
}

#[test]
fn valid_input_allocates_nothing() {
    let order = Order {
        id: 7,
        customer: "Ada Lovelace",
        email: "ada@example.com",
        items: &[1, 2, 3],
        priority: "high",
        placed_at: "2026-11-28T19:41:09Z",
        due_at: "2026-12-01T09:00:00+01:00",
        callback: "https://[2001:db8::7]/hooks/orders?v=2",
        request_id: "123e4567-e89b-12d3-a456-426614174000",
        address: Address {
            city: "London",
            zip: "12345",
        },
        note: None,
    };
    // A custom check and relations across fields keep the valid path allocation-free too.
    coord::validation::register_check("zero_alloc_name", |name: &str| !name.trim().is_empty())
        .unwrap();
    let spec: coord::validation::RuleSetSpec = serde_json::from_value(serde_json::json!({
        "required_fields": ["id", "customer"],
        "field_validations": {
            "id": {"type": "integer", "min": 1},
            "email": {"type": "email"},
            "callback": {"type": "url"},
            "customer": {"type": "string", "check": "zero_alloc_name"},
            "address.postalCode": {"type": "string", "pattern": "^[0-9]{5}$"},
            "items": {"type": "array", "items": {"type": "integer"}},
        },
        "forbidden_patterns": ["(?i)<script"],
        "compare": ["due_at > placed_at"],
        "one_of_required": [["email", "callback"]],
    }))
    .unwrap();
    coord::validation::register_rule_set("zero_alloc_order", &spec).unwrap();

    // Warm up: first use compiles inline rules, registers metric handles and statistics.
    assert!(
        coord::validate("zero_alloc_order", &order)
            .unwrap()
            .is_valid
    );
    assert_eq!(place(&order).unwrap(), 7);

    let before = allocations();
    for _ in 0..5_000 {
        assert!(
            coord::validate("zero_alloc_order", &order)
                .unwrap()
                .is_valid
        );
        assert_eq!(place(&order).unwrap(), 7);
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "allocations in 10 000 validations of valid input");

    // And invalid input does allocate (its errors), which shows the counter counts.
    let bad = Order { id: 0, ..order };
    let before = allocations();
    assert!(place(&bad).is_err());
    assert!(allocations() > before);
}

/// Rules on struct fields (`#[derive(coord::Validate)]`), a nested type's included, run on the
/// same engine: nothing allocated for valid input either.
#[derive(Serialize, coord::Validate)]
struct Signup<'a> {
    #[rule(type = "string", min_length = 2, max_length = 50)]
    name: &'a str,
    #[rule(type = "email")]
    email: &'a str,
    #[rule(type = "integer", min = 18, max = 120)]
    age: u32,
    #[rule(min_length = 8, max_length = 64, sensitive)]
    password: &'a str,
    #[rule(type = "url")]
    website: &'a str,
    #[rule(nested)]
    address: Option<Postal>,
}

#[derive(Serialize, coord::Validate)]
struct Postal {
    #[rule(required, pattern = "^(?-u:\\d){5}$")]
    zip: &'static str,
}

#[test]
fn valid_input_to_a_derived_struct_allocates_nothing() {
    use coord::validation::Validated as _;
    let signup = Signup {
        name: "Ada Lovelace",
        email: "ada@example.com",
        age: 36,
        password: "correct horse battery",
        website: "https://example.com/ada",
        address: Some(Postal { zip: "12345" }),
    };
    assert!(signup.validation().unwrap().is_valid);
    let before = allocations();
    for _ in 0..10_000 {
        assert!(signup.validation().unwrap().is_valid);
    }
    assert_eq!(
        allocations() - before,
        0,
        "allocations in 10 000 validations"
    );
    let bad = Signup { age: 7, ..signup };
    let before = allocations();
    assert!(!bad.validation().unwrap().is_valid);
    assert!(allocations() > before);
}
