//! A `sensitive` field's value never leaves the validation: not in the error message, the
//! `Debug`, `Display` or JSON of the result, a log event, a metric series or the report — for
//! every kind of rule that can fail on it.

mod support;

use serde::Serialize;
use support::captured_logs::logged_at;
use support::test_recorder;

/// Values no rule, name or message contains, so any occurrence is a leak.
const PIN: u32 = 31_337;
const PASSWORD: &str = "hunter2-XYZZY";
const CARD: &str = "4111-XYZZY-1111";
const EMAIL: &str = "xyzzy-at-example";
const CHOICE: &str = "plugh-XYZZY";
const NOTE: &str = "DROP TABLE xyzzy";

#[derive(Serialize)]
struct Signup<'a> {
    pin: u32,
    password: &'a str,
    card: &'a str,
    email: &'a str,
    choice: &'a str,
    notes: Vec<&'a str>,
}

const RULES: &str = "
forbidden_patterns: ['(?i)drop\\s+table']
field_validations:
  pin: {type: integer, min: 1000, max: 9999, sensitive: true}
  password: {type: string, min_length: 20, max_length: 64, sensitive: true}
  card: {type: string, pattern: '^[0-9]{16}$', sensitive: true}
  email: {type: email, sensitive: true}
  choice: {type: string, allowed: [basic, premium], sensitive: true}
  notes: {type: array, items: {type: string, max_length: 3, sensitive: true}}
";

#[derive(Debug)]
enum SignupError {
    Invalid(coord::Error),
}

impl std::fmt::Display for SignupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignupError::Invalid(err) => write!(f, "sign-up rejected: {err}"),
        }
    }
}

impl From<coord::Error> for SignupError {
    fn from(err: coord::Error) -> Self {
        SignupError::Invalid(err)
    }
}

#[coord::validate_input(rules = "sensitive_signup", arg = signup)]
fn check(signup: &Signup<'_>) -> Result<(), SignupError> {
    let _ = signup;
    Ok(())
}

/// Retries (and so logs) whatever `check` returns, the validation error's `Display` included.
#[coord::handle_errors(max_retries = 1, base_delay = "1ms", jitter = "none")]
#[coord::track_performance]
fn sign_up(signup: &Signup<'_>) -> Result<(), SignupError> {
    check(signup)
}

#[test]
fn sensitive_values_appear_in_no_output() {
    let recorder = test_recorder::global();
    let spec: coord::validation::RuleSetSpec = serde_yaml::from_str(RULES).unwrap();
    coord::validation::register_rule_set("sensitive_signup", &spec).unwrap();
    let signup = Signup {
        pin: PIN,
        password: PASSWORD,
        card: CARD,
        email: EMAIL,
        choice: CHOICE,
        notes: vec![NOTE],
    };

    let (result, logs) = logged_at(tracing::Level::TRACE, || sign_up(&signup));
    let error = result.expect_err("every field breaks its rule");

    let SignupError::Invalid(coord::Error::Validation(result)) = &error else {
        panic!("not a validation error: {error:?}");
    };
    let mut codes: Vec<&str> = result.errors.iter().map(|e| e.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            "above_maximum",
            "forbidden_pattern",
            "invalid_email",
            "not_allowed",
            "pattern_mismatch",
            "too_long",
            "too_short",
        ],
        "every rule failed: {result:?}"
    );
    assert!(
        logs.contains("retry scheduled"),
        "the error was logged: {logs}"
    );

    let outputs = [
        ("Display", error.to_string()),
        ("Debug", format!("{error:?}")),
        ("JSON", serde_json::to_string(result).unwrap()),
        ("logs", logs),
        ("series", recorder.all_series().join("\n")),
        ("report", serde_json::to_string(&coord::report()).unwrap()),
        ("report table", coord::report().to_string()),
    ];
    let secrets = [
        PIN.to_string(),
        PASSWORD.into(),
        CARD.into(),
        EMAIL.into(),
        CHOICE.into(),
    ];
    for (what, text) in &outputs {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} shows `{secret}`:\n{text}"
            );
        }
        assert!(
            !text.contains("XYZZY") && !text.contains("xyzzy"),
            "{what} leaks:\n{text}"
        );
    }
}

/// A secret whose `Serialize` impl fails, quoting the value in its error as such impls do.
struct LeakyToken(&'static str);

impl Serialize for LeakyToken {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(format!(
            "token {} is not valid base64",
            self.0
        )))
    }
}

#[derive(Serialize)]
struct Login {
    token: LeakyToken,
    device: LeakyToken,
}

/// The text of a failing `Serialize` impl once went into the message even for a `sensitive`
/// field; it is left out there now (and kept, escaped, for other fields).
#[test]
fn a_failing_serialize_impl_does_not_leak_a_sensitive_value() {
    let spec: coord::validation::RuleSetSpec = serde_yaml::from_str(
        "field_validations:\n  token: {type: string, sensitive: true}\n  device: {type: string}\n",
    )
    .expect("spec");
    coord::validation::register_rule_set("sensitive_login", &spec).expect("rules");
    let login = Login {
        token: LeakyToken("s3cr3t-XYZZY"),
        device: LeakyToken("phone-7"),
    };
    let result = coord::validate("sensitive_login", &login).expect("validate");
    assert!(!result.is_valid);
    let shown = format!("{result} {result:?}");
    assert!(!shown.contains("s3cr3t-XYZZY"), "{shown}");
    assert!(shown.contains("`token` could not be serialized"), "{shown}");
    assert!(
        shown.contains("token phone-7 is not valid base64"),
        "{shown}"
    );
}
