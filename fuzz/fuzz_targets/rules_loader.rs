//! Any bytes as a rule file: loading must return rules or an error naming the file, never
//! panic, hang or exhaust memory; rules that load must validate without panicking.

#![no_main]

#[path = "scratch.rs"]
mod scratch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    scratch::write("rules.yaml", data);
    match coord::validation::load_rules(&*scratch::DIR) {
        Ok(summary) => {
            let inputs = [
                serde_json::json!({}),
                serde_json::json!({"a": 1, "b": "x", "c": [1, "y", null], "d": {"e": true}}),
                serde_json::json!(["a", 1.5, {"k": "v"}]),
            ];
            for rule_set in &summary.rule_sets {
                for input in &inputs {
                    let result = coord::validate(rule_set, input).expect("a loaded rule set");
                    assert_eq!(result.is_valid, result.errors.is_empty());
                }
            }
        }
        Err(err) => {
            let message = err.to_string();
            assert!(
                message.contains("rules.yaml"),
                "the error names the file: {message}"
            );
        }
    }
});
