//! Metric labels carry only names written in code or configuration, never values from function
//! arguments: thousands of calls with distinct arguments (valid and invalid, succeeding and
//! failing) leave the number of series where the first calls put it, and the validation
//! failure counts kept in process stay bounded when the input brings ever-new map keys.

mod support;

use std::collections::BTreeMap;

use serde::Serialize;
use support::test_recorder;

#[derive(Debug)]
enum Fail {
    Unknown(String),
    Coord(coord::Error),
}

impl From<coord::Error> for Fail {
    fn from(err: coord::Error) -> Self {
        Fail::Coord(err)
    }
}

#[coord::track_performance]
fn lookup(user: &str) -> Result<usize, Fail> {
    if user.ends_with('7') {
        Err(Fail::Unknown(user.to_owned()))
    } else {
        Ok(user.len())
    }
}

#[coord::handle_errors(
    max_retries = 1,
    base_delay = "1us",
    jitter = "none",
    circuit_breaker(name = "cardinality", consecutive_failures = 1000)
)]
fn fetch(user: &str) -> Result<usize, Fail> {
    lookup(user)
}

/// Tags are free-form: their keys come from the caller.
#[derive(Serialize)]
struct Tagged {
    tags: BTreeMap<String, String>,
}

#[coord::validate_input(rules = "cardinality_tags", arg = request)]
fn tag(request: &Tagged) -> Result<(), Fail> {
    let _ = request;
    Ok(())
}

fn call_everything(i: u32) {
    let user = format!("user-{i}");
    match fetch(&user) {
        Ok(len) => assert_eq!(len, user.len()),
        Err(Fail::Unknown(name)) => assert_eq!(name, user),
        Err(Fail::Coord(err)) => panic!("the breaker never opens here: {err}"),
    }
    let value = if i.is_multiple_of(2) {
        "fine"
    } else {
        "DROP TABLE users"
    };
    let tags = BTreeMap::from([(format!("key-{i}"), value.to_owned())]);
    let _ = tag(&Tagged { tags });
}

#[test]
fn distinct_argument_values_add_no_series_and_failure_paths_stay_bounded() {
    let recorder = test_recorder::global();
    let spec: coord::validation::RuleSetSpec =
        serde_yaml::from_str("forbidden_patterns: ['(?i)drop\\s+table']\n").unwrap();
    coord::validation::register_rule_set("cardinality_tags", &spec).unwrap();

    // The first calls meet every outcome: ok, error (after a retry), valid, invalid.
    for i in 0..20 {
        call_everything(i);
    }
    let series = recorder.all_series();
    assert!(
        series
            .iter()
            .any(|name| name.contains("operation=\"lookup\"")),
        "{series:#?}"
    );

    for i in 20..5_000 {
        call_everything(i);
    }
    assert_eq!(recorder.all_series(), series, "no series was added");
    for name in &series {
        assert!(
            !name.contains("user-") && !name.contains("key-"),
            "an argument value became a label: {name}"
        );
    }

    // Every invalid call failed at a new path (`tags.key-N`): the kept counts are bounded and
    // the overflow is counted, not dropped.
    let report = coord::validation::validation_report();
    let tags = report
        .rule_sets
        .iter()
        .find(|rule_set| rule_set.rule_set == "cardinality_tags")
        .unwrap();
    assert_eq!(tags.validations - tags.valid, 2_500);
    let top = &tags.top_failures[0];
    assert_eq!(top.path, "(other paths)");
    assert_eq!(top.count, 2_500 - 1_000);
}
