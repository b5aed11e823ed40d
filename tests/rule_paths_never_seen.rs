//! A rule whose path the value never has checks nothing, silently: `field(user.emial, ...)`
//! given a `user.email`. The first validation of a rule set reports such paths once, at WARN,
//! with the closest key the value had, and the validation report lists them.

mod support;

use serde::Serialize;
use tracing::Level;

use coord::validation::{FieldSpec, FieldType, RuleSetSpec, UnmatchedPath};
use support::captured_logs::logged_at;

#[derive(Serialize)]
struct User {
    email: String,
    name: String,
    nickname: Option<String>,
}

#[derive(Serialize)]
struct Signup {
    user: User,
    lines: Vec<Line>,
}

#[derive(Serialize)]
struct Line {
    sku: String,
}

fn signup() -> Signup {
    Signup {
        user: User {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            nickname: None,
        },
        lines: vec![Line { sku: "A-1".into() }],
    }
}

fn unmatched(rule_set: &str) -> Vec<UnmatchedPath> {
    coord::validation::validation_report()
        .rule_sets
        .into_iter()
        .find(|r| r.rule_set == rule_set)
        .expect("the rule set has run")
        .unmatched_paths
}

#[test]
fn a_misspelt_path_is_logged_once_with_the_key_the_value_had() {
    let spec = RuleSetSpec::new()
        .field("user.emial", FieldSpec::of(FieldType::Email))
        .field("user.name", FieldSpec::of(FieldType::String).max_length(50))
        .field("user.nickname", FieldSpec::of(FieldType::String))
        .field("lines", FieldSpec::of(FieldType::Array))
        .field("linez", FieldSpec::of(FieldType::Array));
    coord::validation::register_rule_set("never_seen.signup", &spec).expect("compiles");

    let (results, log) = logged_at(Level::WARN, || {
        (0..3)
            .map(|_| coord::validate("never_seen.signup", &signup()).expect("known"))
            .collect::<Vec<_>>()
    });
    assert!(
        results.iter().all(|r| r.is_valid),
        "the typo checks nothing"
    );
    assert_eq!(log.matches("WARN").count(), 1, "once: {log}");
    for expected in [
        "never_seen.signup",
        "`user.emial` (did you mean `user.email`?)",
        "`linez`,",
    ] {
        assert!(log.contains(expected), "{expected:?} in {log}");
    }
    assert!(
        !log.contains("user.nickname"),
        "a None field is a field: {log}"
    );
    assert!(
        !log.contains("`lines`"),
        "a key with rules is no suggestion: {log}"
    );
    assert_eq!(
        unmatched("never_seen.signup"),
        [
            UnmatchedPath {
                path: "linez".into(),
                did_you_mean: None,
            },
            UnmatchedPath {
                path: "user.emial".into(),
                did_you_mean: Some("user.email".into()),
            },
        ]
    );
}

#[test]
fn paths_that_match_report_nothing() {
    let spec = RuleSetSpec::new()
        .field("user.email", FieldSpec::of(FieldType::Email))
        .field(
            "lines",
            FieldSpec::of(FieldType::Array).items(FieldSpec::of(FieldType::Object)),
        );
    coord::validation::register_rule_set("never_seen.correct", &spec).expect("compiles");
    let (result, log) = logged_at(Level::WARN, || {
        coord::validate("never_seen.correct", &signup()).expect("known")
    });
    assert!(result.is_valid);
    assert!(log.is_empty(), "{log}");
    assert!(unmatched("never_seen.correct").is_empty());
}

#[test]
fn a_value_that_is_no_object_leaves_the_survey_to_the_next_one() {
    let spec = RuleSetSpec::new().field("user.emial", FieldSpec::of(FieldType::Email));
    coord::validation::register_rule_set("never_seen.later", &spec).expect("compiles");
    let (_, log) = logged_at(Level::WARN, || {
        coord::validate("never_seen.later", &42).expect("known")
    });
    assert!(
        log.is_empty(),
        "a number says nothing about field paths: {log}"
    );
    let (_, log) = logged_at(Level::WARN, || {
        coord::validate("never_seen.later", &signup()).expect("known")
    });
    assert!(
        log.contains("`user.emial` (did you mean `user.email`?)"),
        "{log}"
    );
}

#[coord::validate_input(field(user.emial, type = "email"))]
fn sign_up(user: &User) -> Result<(), coord::Error> {
    let _ = user;
    Ok(())
}

#[test]
fn inline_rules_on_parameters_are_surveyed_too() {
    let (result, log) = logged_at(Level::WARN, || sign_up(&signup().user));
    assert!(result.is_ok());
    assert!(
        log.contains("`user.emial` (did you mean `user.email`?)"),
        "{log}"
    );
}
