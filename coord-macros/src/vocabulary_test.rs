//! One list of snippets, each written as attribute arguments and as the equivalent YAML, given
//! to the macros' checks and to the runtime's (a rules directory, a configuration file): both
//! must give the same verdict, and a rejection the same reason. Both sides call `coord-text`,
//! so this test fails when a check is written a second time and drifts.

use std::path::PathBuf;

use proc_macro2::TokenStream;

use crate::errors::Errors;
use crate::handle_args::HandleArgs;
use crate::validate_args::ValidateInput;

/// `(attribute arguments of #[validate_input], the same field's rules in YAML, accepted?)`.
const FIELD_SNIPPETS: &[(&str, &str, bool)] = &[
    (
        r#"field(age, type = "integer", min = 18)"#,
        "{type: integer, min: 18}",
        true,
    ),
    (
        r#"field(age, type = "integer", allowed = ["old", "young"])"#,
        "{type: integer, allowed: [old, young]}",
        false,
    ),
    (
        r#"field(age, type = "integer", allowed = [1, 2])"#,
        "{type: integer, allowed: [1, 2]}",
        true,
    ),
    (
        r#"field(age, type = "boolean", allowed = [1])"#,
        "{type: boolean, allowed: [1]}",
        false,
    ),
    (
        r#"field(age, allowed = ["a", 1, true])"#,
        "{allowed: [a, 1, true]}",
        true,
    ),
    (
        r#"field(age, type = "string", min = 1)"#,
        "{type: string, min: 1}",
        false,
    ),
    (
        r#"field(age, type = "array", min_length = 1)"#,
        "{type: array, min_length: 1}",
        true,
    ),
    (
        r#"field(age, type = "boolean", max_length = 3)"#,
        "{type: boolean, max_length: 3}",
        false,
    ),
    (
        r#"field(age, type = "integer", pattern = "^[0-9]+$")"#,
        "{type: integer, pattern: '^[0-9]+$'}",
        false,
    ),
    (
        r#"field(age, type = "email", pattern = "@example")"#,
        "{type: email, pattern: '@example'}",
        true,
    ),
    (
        r#"field(age, type = "object", items(type = "string"))"#,
        "{type: object, items: {type: string}}",
        false,
    ),
    (
        r#"field(age, type = "array", items(type = "string"))"#,
        "{type: array, items: {type: string}}",
        true,
    ),
    (r#"field(age, min = 5, max = 1)"#, "{min: 5, max: 1}", false),
    (
        r#"field(age, min_length = 5, max_length = 1)"#,
        "{min_length: 5, max_length: 1}",
        false,
    ),
    (
        r#"field(age, min = -5, max = 5)"#,
        "{min: -5, max: 5}",
        true,
    ),
    (
        r#"field(age, type = "number", items(min = 5, max = 1))"#,
        "{type: number, items: {min: 5, max: 1}}",
        false,
    ),
];

/// `(attribute arguments of #[handle_errors], the same options in a configuration file,
/// accepted?)`.
const OPTION_SNIPPETS: &[(&str, &str, bool)] = &[
    (
        r#"circuit_breaker(name = "b", open_for = "0s")"#,
        "breakers: {b: {open_for: 0s}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", open_for = "30s")"#,
        "breakers: {b: {open_for: 30s}}",
        true,
    ),
    (
        r#"circuit_breaker(name = "b", open_for = "8d")"#,
        "breakers: {b: {open_for: 8d}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", min_calls = 0)"#,
        "breakers: {b: {min_calls: 0}}",
        true,
    ),
    (
        r#"circuit_breaker(name = "b", window = 0)"#,
        "breakers: {b: {window: 0}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", window = 4294967295)"#,
        "breakers: {b: {window: 4294967295}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", window = 100000)"#,
        "breakers: {b: {window: 100000}}",
        true,
    ),
    (
        r#"circuit_breaker(name = "b", window = 10, min_calls = 20)"#,
        "breakers: {b: {window: 10, min_calls: 20}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", failure_rate = 0.0)"#,
        "breakers: {b: {failure_rate: 0.0}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", failure_rate = 1)"#,
        "breakers: {b: {failure_rate: 1}}",
        true,
    ),
    (
        r#"circuit_breaker(name = "b", failure_rate = 1.5)"#,
        "breakers: {b: {failure_rate: 1.5}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", half_open_permits = 65536)"#,
        "breakers: {b: {half_open_permits: 65536}}",
        false,
    ),
    (
        r#"circuit_breaker(name = "b", close_after = 65535)"#,
        "breakers: {b: {close_after: 65535}}",
        true,
    ),
    (
        r#"circuit_breaker(name = "b", consecutive_failures = 0)"#,
        "breakers: {b: {consecutive_failures: 0}}",
        false,
    ),
    ("max_retries = 1000", "max_retries: 1000", true),
    ("max_retries = 1001", "max_retries: 1001", false),
    (r#"base_delay = "0s""#, "base_delay: 0s", true),
    (r#"base_delay = "2d""#, "base_delay: 2d", false),
    ("multiplier = 0.5", "backoff_multiplier: 0.5", false),
    ("multiplier = 1e7", "backoff_multiplier: 1e7", false),
    ("multiplier = 3", "backoff_multiplier: 3", true),
];

#[test]
fn field_rules_get_one_verdict() {
    for (index, (attribute, yaml, accepted)) in FIELD_SNIPPETS.iter().enumerate() {
        let tokens: TokenStream = attribute.parse().expect("snippet tokens");
        let mut errors = Errors::default();
        let input = ValidateInput::parse(tokens, &mut errors);
        let function: syn::ItemFn = syn::parse_quote!(
            fn snippet(age: u32) -> Result<(), coord::Error> {
                Ok(())
            }
        );
        input
            .validate
            .check(&function, proc_macro2::Span::call_site(), &mut errors);
        let macro_verdict = errors.finish();

        let dir = temp_dir(&format!("rules-{index}"));
        std::fs::write(
            dir.join("snippet.yaml"),
            format!("snippet:\n  field_validations:\n    age: {yaml}\n"),
        )
        .expect("write rules");
        let runtime_verdict = coord_runtime::load_rules(&dir);
        std::fs::remove_dir_all(&dir).expect("remove rules dir");

        same_verdict(
            attribute,
            yaml,
            *accepted,
            macro_verdict,
            runtime_verdict,
            |message| message.to_owned(),
        );
    }
}

/// Both sides accept exactly when `accepted`, and each of the macro's messages (as `reason`
/// reduces it) appears in the runtime's.
fn same_verdict<E: std::fmt::Debug + std::fmt::Display>(
    attribute: &str,
    yaml: &str,
    accepted: bool,
    macro_verdict: Result<(), syn::Error>,
    runtime_verdict: Result<impl std::fmt::Debug, E>,
    reason: impl Fn(&str) -> String,
) {
    assert_eq!(
        macro_verdict.is_ok(),
        accepted,
        "macro on `{attribute}`: {macro_verdict:?}"
    );
    assert_eq!(
        runtime_verdict.is_ok(),
        accepted,
        "runtime on `{yaml}`: {runtime_verdict:?}"
    );
    if let (Err(macro_error), Err(runtime_error)) = (macro_verdict, runtime_verdict) {
        let runtime_text = runtime_error.to_string();
        for message in macro_error {
            let message = message.to_string();
            assert!(
                runtime_text.contains(&reason(&message)),
                "`{attribute}`: the macro says `{message}`, the runtime `{runtime_text}`"
            );
        }
    }
}

#[test]
fn retry_and_breaker_options_get_one_verdict() {
    for (index, (attribute, yaml, accepted)) in OPTION_SNIPPETS.iter().enumerate() {
        let tokens: TokenStream = attribute.parse().expect("snippet tokens");
        let mut errors = Errors::default();
        let _ = HandleArgs::parse(tokens, &mut errors);
        let macro_verdict = errors.finish();

        let dir = temp_dir(&format!("options-{index}"));
        let file = dir.join("coordination.yaml");
        std::fs::write(&file, format!("{yaml}\n")).expect("write config");
        let runtime_verdict = coord_runtime::CoordinationConfig::builder()
            .file(&file)
            .env(Vec::<(String, String)>::new())
            .load();
        std::fs::remove_dir_all(&dir).expect("remove config dir");

        // The reason after the key: "must be at least 1", "... exceeds `window` ...".
        same_verdict(
            attribute,
            yaml,
            *accepted,
            macro_verdict,
            runtime_verdict,
            |message| {
                let reason = message
                    .split_once("` ")
                    .map_or(message, |(_, reason)| reason);
                reason.split(", found").next().unwrap_or(reason).to_owned()
            },
        );
    }
}

#[test]
fn the_builders_enforce_the_same_bounds() {
    use coord_runtime::{BreakerConfig, RetryPolicy};
    use std::panic::catch_unwind;
    use std::time::Duration;

    assert!(catch_unwind(|| BreakerConfig::new().open_for(Duration::ZERO)).is_err());
    assert!(catch_unwind(|| BreakerConfig::new().window(0)).is_err());
    assert!(catch_unwind(|| BreakerConfig::new().window(4_294_967_295)).is_err());
    assert!(catch_unwind(|| BreakerConfig::new().failure_rate(f64::NAN)).is_err());
    assert!(catch_unwind(|| BreakerConfig::new().half_open_permits(65_536)).is_err());
    assert!(catch_unwind(|| BreakerConfig::new().min_calls(0).close_after(65_535)).is_ok());
    assert!(catch_unwind(|| RetryPolicy::default().multiplier(0.5)).is_err());
    assert!(catch_unwind(|| RetryPolicy::default().max_retries(1_001)).is_err());
    assert!(catch_unwind(|| RetryPolicy::default().deadline(Duration::ZERO)).is_err());
    assert!(catch_unwind(|| RetryPolicy::default().base_delay(Duration::ZERO)).is_ok());
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coord-vocabulary-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
