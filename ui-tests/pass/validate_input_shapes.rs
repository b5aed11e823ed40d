//! Shapes `#[validate_input]` accepts: named rules, one argument, inline rules of every kind,
//! async functions, methods, generics and borrowed returns.

use serde::Serialize;

#[derive(Serialize)]
struct User {
    name: String,
    age: u32,
}

#[coord::validate_input(rules = "user_profile")]
fn named(name: &str, age: u32) -> Result<(), coord::Error> {
    Ok(())
}

#[coord::validate_input(rules = "user_profile", arg = user)]
async fn one_arg(user: &User, attempts: u8) -> Result<u8, coord::Error> {
    Ok(attempts)
}

#[coord::validate_input(
    required = [user, user.name],
    field(user.name, type = "string", min_length = 1, max_length = 50, pattern = "^[A-Z]"),
    field(user.age, type = "number", min = -1.5, max = 200, allowed = [18, 21, 30]),
    field(tags, type = "array", max_length = 3, items(type = "string", allowed = ["a", "b"])),
    field("flags.admin", type = "boolean", sensitive),
    forbidden_patterns = ["(?i)<script"],
    max_depth = 4,
    max_string_length = 100,
)]
fn inline<T: Serialize>(user: &User, tags: &[&str], flags: T) -> Result<usize, coord::Error> {
    Ok(tags.len())
}

struct Store {
    prefix: String,
}

impl Store {
    #[coord::validate_input(field(key, type = "string", min_length = 1))]
    fn get<'a>(&'a self, key: &str) -> Result<&'a str, coord::Error> {
        Ok(self.prefix.as_str())
    }
}

fn main() {
    let _ = named("Ada", 30);
    let user = User { name: "Ada".into(), age: 30 };
    drop(one_arg(&user, 1));
    #[derive(Serialize)]
    struct Flags {
        admin: bool,
    }
    assert_eq!(inline(&user, &["a"], Flags { admin: true }).unwrap(), 1);
    let store = Store { prefix: "p".into() };
    assert_eq!(store.get("k").unwrap(), "p");
    assert!(store.get("").is_err());
}
