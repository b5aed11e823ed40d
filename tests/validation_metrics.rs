//! `coord_validations_total{rule_set, outcome}` from the test recorder.

mod support;

use serde_json::json;
use support::test_recorder;

#[test]
fn validations_are_counted_by_rule_set_and_outcome() {
    let recorder = test_recorder::global();
    let spec: coord::validation::RuleSetSpec =
        serde_json::from_value(json!({"field_validations": {"n": {"type": "integer", "min": 0}}}))
            .unwrap();
    coord::validation::register_rule_set("metrics_rules", &spec).unwrap();
    for n in [1, -1, 2] {
        coord::validate("metrics_rules", &json!({"n": n})).unwrap();
    }
    let counters = recorder.counters_named("coord_validations_total");
    assert_eq!(
        counters[r#"coord_validations_total{rule_set="metrics_rules",outcome="valid"}"#],
        2
    );
    assert_eq!(
        counters[r#"coord_validations_total{rule_set="metrics_rules",outcome="invalid"}"#],
        1
    );
}
