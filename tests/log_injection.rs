//! Text from outside cannot forge a log line: map keys of validated input reach validation
//! messages, and a failing call's error text reaches the retry loop's log; a key or message
//! holding `"\n<timestamp> ERROR …"` once started a line of its own there. Control characters
//! are now escaped in both.

mod support;

use std::collections::BTreeMap;

use support::captured_logs::logged_at;

const FORGED: &str = "x\n2026-12-06T00:00:00.000000Z ERROR coord: admin password reset";

#[derive(Debug)]
struct Rejected(String);

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rejected: {}", self.0)
    }
}

impl From<coord::Error> for Rejected {
    fn from(err: coord::Error) -> Self {
        Rejected(err.to_string())
    }
}

/// A call that fails with text taken from its input, retried once.
#[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
fn store(key: &str) -> Result<(), Rejected> {
    Err(Rejected(key.to_owned()))
}

#[test]
fn a_forged_line_in_an_error_stays_on_its_own_line() {
    let (result, log) = logged_at(tracing::Level::TRACE, || store(FORGED));
    assert!(result.is_err());
    assert!(log.contains("coord: giving up"), "{log}");
    assert!(
        log.contains(r"x\n2026-12-06T00:00:00.000000Z ERROR"),
        "{log}"
    );
    assert!(
        !log.lines()
            .any(|line| line.starts_with("2026-12-06T00:00:00")),
        "a log line was forged:\n{log}"
    );
}

#[test]
fn a_forged_line_in_a_map_key_is_escaped_in_validation_messages() {
    // A forbidden pattern is checked in every string, and its error names the value's path,
    // which holds the map key.
    let spec = coord::validation::RuleSetSpec::new().forbid("(?i)drop table");
    coord::validation::register_rule_set("injection.notes", &spec).expect("rules");
    let notes = BTreeMap::from([(FORGED.to_owned(), "drop table users".to_owned())]);
    let input = BTreeMap::from([("notes", notes)]);
    let result = coord::validate("injection.notes", &input).expect("validate");
    assert!(!result.is_valid);
    let message = coord::Error::Validation(Box::new(result)).to_string();
    assert!(message.contains(r"notes.x\n2026-12-06"), "{message}");
    assert!(!message.contains('\n'), "{message}");
}
