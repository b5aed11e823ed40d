//! The validation comparison: one 5-field struct and the same five rules written for each
//! validator — a coord rule set, coord's derive (`#[rule(...)]`), a JSON Schema, and
//! `validator` derive attributes. Both derives sit on the one struct, so they validate exactly
//! the same value.

use std::sync::LazyLock;

use serde::Serialize;
use validator::Validate;

/// The name the coord rule set is registered under.
pub const RULE_SET: &str = "bench_signup";

/// A sign-up form: five fields, five rules.
#[derive(Debug, Clone, Serialize, Validate, coord::Validate)]
pub struct Signup {
    /// 2 to 50 characters.
    #[validate(length(min = 2, max = 50))]
    #[rule(type = "string", min_length = 2, max_length = 50)]
    pub name: String,
    /// An email address.
    #[validate(email)]
    #[rule(type = "email")]
    pub email: String,
    /// 18 to 120.
    #[validate(range(min = 18, max = 120))]
    #[rule(type = "integer", min = 18, max = 120)]
    pub age: u32,
    /// 8 to 64 characters.
    #[validate(length(min = 8, max = 64))]
    #[rule(type = "string", min_length = 8, max_length = 64)]
    pub password: String,
    /// A URL.
    #[validate(url)]
    #[rule(type = "url")]
    pub website: String,
}

/// Passes all five rules.
#[must_use]
pub fn valid() -> Signup {
    Signup {
        name: "Ada Lovelace".to_owned(),
        email: "ada@example.com".to_owned(),
        age: 36,
        password: "correct horse battery".to_owned(),
        website: "https://example.com/ada".to_owned(),
    }
}

/// Breaks all five rules (every validator is asked for all its errors).
#[must_use]
pub fn invalid() -> Signup {
    Signup {
        name: "A".to_owned(),
        email: "not an email".to_owned(),
        age: 7,
        password: "short".to_owned(),
        website: "not a url".to_owned(),
    }
}

/// The coord rule set, registered once.
pub fn register_coord_rules() {
    static REGISTERED: LazyLock<()> = LazyLock::new(|| {
        let spec: coord::validation::RuleSetSpec = serde_yaml::from_str(
            "required_fields: [name, email, age, password, website]\n\
             field_validations:\n  \
               name: {type: string, min_length: 2, max_length: 50}\n  \
               email: {type: email}\n  \
               age: {type: integer, min: 18, max: 120}\n  \
               password: {type: string, min_length: 8, max_length: 64}\n  \
               website: {type: url}\n",
        )
        .expect("the benchmark's rule set parses");
        coord::validation::register_rule_set(RULE_SET, &spec)
            .expect("the benchmark's rule set compiles");
    });
    LazyLock::force(&REGISTERED);
}

/// The same rules as a JSON Schema, with format validation on.
pub static JSON_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["name", "email", "age", "password", "website"],
        "properties": {
            "name": {"type": "string", "minLength": 2, "maxLength": 50},
            "email": {"type": "string", "format": "email"},
            "age": {"type": "integer", "minimum": 18, "maximum": 120},
            "password": {"type": "string", "minLength": 8, "maxLength": 64},
            "website": {"type": "string", "format": "uri"}
        }
    });
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the benchmark's schema compiles")
});

/// Validates through `#[validate_input]` against the registered rule set.
#[coord::validate_input(rules = "bench_signup", arg = signup)]
#[inline(never)]
pub fn coord_attribute(signup: &Signup) -> Result<(), coord::Error> {
    let _ = signup;
    Ok(())
}

/// Every error coord reports for `signup` (through the plain API).
#[must_use]
pub fn coord_errors(signup: &Signup) -> usize {
    coord::validate(RULE_SET, signup)
        .expect("registered")
        .errors
        .len()
}

/// Every error jsonschema reports for a pre-built value.
#[must_use]
pub fn jsonschema_errors(value: &serde_json::Value) -> usize {
    JSON_SCHEMA.iter_errors(value).count()
}

/// Every error `validator` reports.
#[must_use]
pub fn validator_errors(signup: &Signup) -> usize {
    signup
        .validate()
        .err()
        .map_or(0, |errors| errors.field_errors().len())
}

/// Whether `signup` passes the rules on its fields (`#[derive(coord::Validate)]`).
#[must_use]
#[inline(never)]
pub fn coord_derive(signup: &Signup) -> bool {
    coord::validation::Validated::validation(signup).is_ok_and(|result| result.is_valid)
}
