//! A rule set that attributes name but nothing loads is found at start-up, not on every call:
//! `coord::init` refuses it (naming each call site and the loaded name it is closest to), a
//! missing rules directory names where its path came from, and without `init` the first
//! validation logs the same at ERROR once.
//!
//! `init` runs once per process, so each scenario runs in a child process: this test binary
//! again, running one `#[ignore]`d scenario with the working directory and environment the
//! scenario needs.

mod support;

use std::path::Path;
use std::process::Command;

use coord::config::ConfigError;

/// The misspelt name, written on two functions.
#[coord::validate_input(rules = "user_sigup")]
fn sign_up(user: &serde_json::Value) -> Result<(), coord::Error> {
    let _ = user;
    Ok(())
}

#[coord::coordinate_operation(name = "startup.admin_sign_up", validate(rules = "user_sigup"))]
fn admin_sign_up(user: &serde_json::Value) -> Result<(), coord::Error> {
    let _ = user;
    Ok(())
}

/// A name that the rules directory defines.
#[coord::validate_input(rules = "orders")]
fn place_order(order: &serde_json::Value) -> Result<(), coord::Error> {
    let _ = order;
    Ok(())
}

const RULES: &str = "user_signup:\n  required_fields: [email]\norders:\n  required_fields: [sku]\n";

/// Runs scenario `name` in a child process in `dir`, with `env`; returns what it printed.
fn run_scenario(name: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .current_dir(dir)
        .env_remove("COORDINATION_CONFIG")
        .env_remove("COORDINATION_VALIDATION_RULES_PATH")
        .envs(env.iter().copied())
        .output()
        .expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "scenario {name} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

fn rules_dir_with(root: &Path) -> std::path::PathBuf {
    let rules = root.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("sets.yaml"), RULES).unwrap();
    rules
}

#[test]
fn init_lists_each_unknown_rule_set_with_its_call_sites_and_a_suggestion() {
    let root = support::temp_dir::TempDir::with_files::<&str>("startup-unknown", &[]);
    rules_dir_with(root.path());
    run_scenario("scenario_unknown_rule_set", root.path(), &[]);
}

#[test]
#[ignore = "a scenario: run in a child process by the test above"]
fn scenario_unknown_rule_set() {
    let err = coord::init().expect_err("`user_sigup` is not defined");
    let ConfigError::UnknownRuleSets { missing, .. } = &err else {
        panic!("expected the unknown rule sets, got {err:?}");
    };
    assert_eq!(missing.len(), 1, "`orders` is loaded: {missing:?}");
    assert_eq!(missing[0].name, "user_sigup");
    assert_eq!(missing[0].did_you_mean.as_deref(), Some("user_signup"));
    assert_eq!(
        missing[0].call_sites.len(),
        2,
        "both attributes: {missing:?}"
    );
    let message = err.to_string();
    for expected in [
        "rule set `user_sigup`",
        "startup_rule_sets.rs:18",
        "startup_rule_sets.rs:24",
        "did you mean `user_signup`?",
        "register_rule_set before coord::init",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
}

#[test]
fn a_rule_set_registered_in_code_before_init_counts() {
    let root = support::temp_dir::TempDir::with_files::<&str>("startup-registered", &[]);
    rules_dir_with(root.path());
    run_scenario("scenario_registered_before_init", root.path(), &[]);
}

#[test]
#[ignore = "a scenario: run in a child process by the test above"]
fn scenario_registered_before_init() {
    let spec = coord::validation::RuleSetSpec::new().require("user.email");
    coord::validation::register_rule_set("user_sigup", &spec).expect("compiles");
    coord::init().expect("every named rule set exists");
    let user = serde_json::json!({"email": "ada@example.com"});
    assert!(sign_up(&user).is_ok());
    assert!(admin_sign_up(&user).is_ok());
    assert!(
        place_order(&serde_json::json!({})).is_err(),
        "orders' rules apply"
    );
}

#[test]
fn a_missing_default_rules_directory_is_an_error_when_attributes_name_rule_sets() {
    let root = support::temp_dir::TempDir::with_files::<&str>("startup-no-dir", &[]);
    run_scenario("scenario_missing_default_directory", root.path(), &[]);
}

#[test]
#[ignore = "a scenario: run in a child process by the test above"]
fn scenario_missing_default_directory() {
    let err = coord::init().expect_err("no rules directory");
    assert!(
        matches!(&err, ConfigError::RulesDirectoryMissing { missing, set_by: None, .. } if missing.len() == 2),
        "{err:?}"
    );
    let message = err.to_string();
    for expected in [
        "the validation rules directory rules",
        "the default, relative to the working directory",
        "rule set `orders`",
        "rule set `user_sigup`",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
}

#[test]
fn a_missing_rules_directory_names_the_variable_that_set_it() {
    let root = support::temp_dir::TempDir::with_files::<&str>("startup-env-dir", &[]);
    run_scenario(
        "scenario_missing_directory_from_environment",
        root.path(),
        &[("COORDINATION_VALIDATION_RULES_PATH", "no/such/rules")],
    );
}

#[test]
#[ignore = "a scenario: run in a child process by the test above"]
fn scenario_missing_directory_from_environment() {
    let message = coord::init().expect_err("no such directory").to_string();
    assert!(
        message.contains("no/such/rules")
            && message.contains("set by environment variable COORDINATION_VALIDATION_RULES_PATH"),
        "{message}"
    );
}

#[test]
fn without_init_the_first_validation_logs_the_unknown_rule_sets_once() {
    let root = support::temp_dir::TempDir::with_files::<&str>("startup-lazy", &[]);
    rules_dir_with(root.path());
    run_scenario("scenario_lazy_log", root.path(), &[]);
}

#[test]
#[ignore = "a scenario: run in a child process by the test above"]
fn scenario_lazy_log() {
    let user = serde_json::json!({"email": "ada@example.com"});
    let (results, log) = support::captured_logs::logged_at(tracing::Level::ERROR, || {
        [sign_up(&user), admin_sign_up(&user), sign_up(&user)]
    });
    for result in results {
        assert!(matches!(result, Err(coord::Error::UnknownRuleSet { .. })));
    }
    assert_eq!(log.matches("ERROR").count(), 1, "logged once: {log}");
    for expected in [
        "rule set `user_sigup`",
        "startup_rule_sets.rs:18",
        "did you mean `user_signup`?",
    ] {
        assert!(log.contains(expected), "{expected:?} in {log}");
    }
}
