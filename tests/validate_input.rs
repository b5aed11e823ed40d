//! `#[validate_input]` through the public API: named rule sets from the shipped `rules/`
//! directory (loaded on first use), one argument, inline rules, async functions, and the body
//! not running on invalid input.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;

#[derive(Debug)]
enum ApiError {
    Rejected(coord::Error),
}

impl From<coord::Error> for ApiError {
    fn from(err: coord::Error) -> Self {
        ApiError::Rejected(err)
    }
}

fn error_codes(result: Result<(), ApiError>) -> Vec<(String, &'static str)> {
    match result {
        Ok(()) => Vec::new(),
        Err(ApiError::Rejected(coord::Error::Validation(result))) => result
            .errors
            .iter()
            .map(|e| (e.path.clone(), e.code.as_str()))
            .collect(),
        Err(ApiError::Rejected(other)) => panic!("not a validation error: {other}"),
    }
}

static PROFILE_BODIES: AtomicU32 = AtomicU32::new(0);

/// `rules/quality.yaml`'s `user_profile`, over the parameters as one object.
#[coord::validate_input(rules = "user_profile")]
fn update_profile(
    name: &str,
    email: &str,
    age: u32,
    website: Option<&str>,
) -> Result<(), ApiError> {
    PROFILE_BODIES.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[test]
fn a_named_rule_set_from_the_rules_directory_validates_the_parameters() {
    assert!(update_profile("Ada", "ada@example.com", 36, Some("https://ada.dev")).is_ok());
    assert_eq!(PROFILE_BODIES.load(Ordering::SeqCst), 1);
    assert_eq!(
        error_codes(update_profile("A", "not-an-email", 12, Some("ada.dev"))),
        [
            ("name".to_owned(), "too_short"),
            ("email".to_owned(), "invalid_email"),
            ("age".to_owned(), "below_minimum"),
            ("website".to_owned(), "invalid_url"),
        ],
        "in the order the input was met"
    );
    assert_eq!(
        PROFILE_BODIES.load(Ordering::SeqCst),
        1,
        "the body did not run"
    );
}

#[derive(Serialize)]
struct Message<'a> {
    content: &'a str,
    user_id: &'a str,
    timestamp: &'a str,
    priority: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<&'a str>,
}

/// `rules/message.yaml`, over one argument.
#[coord::validate_input(rules = "message", arg = message)]
async fn post(message: &Message<'_>, retries: u8) -> Result<usize, ApiError> {
    Ok(message.content.len() + usize::from(retries))
}

#[tokio::test]
async fn one_argument_of_an_async_function() {
    let good = Message {
        content: "hello",
        user_id: "123e4567-e89b-12d3-a456-426614174000",
        timestamp: "2026-11-28T19:41:09Z",
        priority: "urgent",
        channel: Some("#general"),
    };
    assert_eq!(post(&good, 1).await.unwrap(), 6);
    let bad = Message {
        priority: "whenever",
        channel: Some("general"),
        ..good
    };
    let result = post(&bad, 0).await.map(drop);
    assert_eq!(
        error_codes(result),
        [
            ("priority".to_owned(), "not_allowed"),
            ("channel".to_owned(), "pattern_mismatch")
        ]
    );
}

#[coord::validate_input(
    required = [order_id, lines],
    field(order_id, type = "integer", min = 1),
    field(lines, type = "array", min_length = 1, items(type = "integer", min = 1, max = 99)),
    field(note, type = "string", max_length = 10),
    forbidden_patterns = ["(?i)<script"],
)]
fn place(order_id: Option<u64>, lines: &[u32], note: &str) -> Result<(), ApiError> {
    Ok(())
}

#[test]
fn inline_rules_mean_what_rule_files_mean() {
    assert!(place(Some(7), &[1, 2], "thanks").is_ok());
    assert_eq!(
        error_codes(place(None, &[1, 100], "<SCRIPT>alert")),
        [
            ("lines[1]".to_owned(), "above_maximum"),
            ("note".to_owned(), "forbidden_pattern"),
            ("note".to_owned(), "too_long"),
            ("order_id".to_owned(), "required"),
        ]
    );
}

struct Service {
    limit: usize,
}

impl Service {
    #[coord::validate_input(field(text, type = "string", min_length = 1))]
    fn echo<'a>(&self, text: &'a str) -> Result<&'a str, ApiError> {
        Ok(&text[..text.len().min(self.limit)])
    }
}

#[test]
fn methods_keep_self_out_and_borrowed_returns_compile() {
    let service = Service { limit: 3 };
    assert_eq!(service.echo("hello").unwrap(), "hel");
    assert_eq!(
        error_codes(service.echo("").map(drop)),
        [("text".to_owned(), "too_short")]
    );
}

#[coord::validate_input(rules = "no_such_rule_set")]
fn unknown(x: u8) -> Result<u8, ApiError> {
    Ok(x)
}

#[test]
fn an_unknown_rule_set_is_an_error_not_a_pass() {
    match unknown(1) {
        Err(ApiError::Rejected(coord::Error::UnknownRuleSet { rule_set, known })) => {
            assert_eq!(rule_set, "no_such_rule_set");
            assert!(known.contains(&"message".to_owned()), "{known:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[derive(Serialize)]
struct Comment<'a> {
    author: &'a str,
    body: &'a str,
    replies: Vec<Comment<'a>>,
}

/// `rules/security.yaml`'s `untrusted_input`, whatever the shape of the input.
#[coord::validate_input(rules = "untrusted_input", arg = comment)]
fn post_comment(comment: &Comment<'_>) -> Result<(), ApiError> {
    Ok(())
}

#[test]
fn the_shipped_security_rules_reject_injection_and_deep_nesting() {
    let plain = Comment {
        author: "ada",
        body: "Lovely proof.",
        replies: vec![],
    };
    assert!(post_comment(&plain).is_ok());
    let script = Comment {
        author: "eve",
        body: "<script>steal()</script>",
        replies: vec![],
    };
    assert_eq!(
        error_codes(post_comment(&script)),
        [("body".to_owned(), "forbidden_pattern")]
    );
    let sql = Comment {
        author: "x'; DROP TABLE users; --",
        body: "hi",
        replies: vec![],
    };
    assert_eq!(
        error_codes(post_comment(&sql)),
        [("author".to_owned(), "forbidden_pattern")]
    );
    let mut deep = Comment {
        author: "a",
        body: "b",
        replies: vec![],
    };
    for _ in 0..8 {
        deep = Comment {
            author: "a",
            body: "b",
            replies: vec![deep],
        };
    }
    let codes = error_codes(post_comment(&deep));
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert_eq!(codes[0].1, "too_deep");
}
