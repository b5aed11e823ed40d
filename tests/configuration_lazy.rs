//! The configuration loaded lazily, on first use, from the real process environment and file.
//!
//! Each test runs its body in a child process (this test binary, re-run with one test selected
//! and the variables set), because the configuration is loaded once per process and the
//! environment is the process's own.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// Set in the child, so the test body runs there instead of spawning again.
const CHILD: &str = "COORD_CONFIGURATION_CHILD";

/// Runs test `name` of this binary in a child process with `vars` set, and returns its output;
/// `None` when already in the child (the caller then runs the body).
fn in_child(name: &str, vars: &[(&str, &str)]) -> Option<Output> {
    if std::env::var_os(CHILD).is_some() {
        return None;
    }
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    // The child must see exactly these COORDINATION_* variables, not the parent's.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("COORDINATION_") {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied());
    Some(command.output().unwrap())
}

fn assert_passed(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A misspelt test name would run nothing and still succeed.
    assert!(stdout.contains("test result: ok. 1 passed"), "{stdout}");
}

#[coord::handle_errors(jitter = "none")]
fn always_failing(calls: &AtomicU32) -> Result<(), String> {
    calls.fetch_add(1, Ordering::Relaxed);
    Err("down".to_owned())
}

#[test]
fn variables_apply_on_first_use_and_init_then_reports_it() {
    let vars = [
        ("COORDINATION_MAX_RETRIES", "1"),
        ("COORDINATION_BASE_DELAY", "1ms"),
    ];
    if let Some(output) = in_child(
        "variables_apply_on_first_use_and_init_then_reports_it",
        &vars,
    ) {
        return assert_passed(&output);
    }
    let calls = AtomicU32::new(0);
    assert!(always_failing(&calls).is_err());
    assert_eq!(calls.load(Ordering::Relaxed), 2);
    let err = coord::init().unwrap_err();
    assert!(matches!(
        err,
        coord::config::ConfigError::AlreadyInitialized {
            by: "lazily on first use"
        }
    ));
    assert!(err.to_string().contains("call coord::init once, before"));
}

#[test]
fn a_bad_variable_panics_on_first_use_naming_it() {
    let vars = [("COORDINATION_MAX_RETRIES", "three")];
    if let Some(output) = in_child("a_bad_variable_panics_on_first_use_naming_it", &vars) {
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(
                "coord: the configuration cannot be loaded: environment variable COORDINATION_MAX_RETRIES: `max_retries` = `three`: expected a whole number (call coord::init() at startup to handle this as an error)"
            ),
            "{stderr}"
        );
        return;
    }
    let calls = AtomicU32::new(0);
    let _ = always_failing(&calls);
}

#[test]
fn init_returns_a_bad_variable_as_an_error() {
    let vars = [("COORDINATION_COLLECTION_INTERVAL", "-5s")];
    if let Some(output) = in_child("init_returns_a_bad_variable_as_an_error", &vars) {
        return assert_passed(&output);
    }
    let err = coord::init().unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment variable COORDINATION_COLLECTION_INTERVAL: `collection_interval` = `-5s`: a duration cannot be negative"
    );
}

#[coord::validate_input(field(name, type = "string", min_length = 3))]
fn named(name: &str) -> Result<usize, coord::Error> {
    Ok(name.len())
}

#[test]
fn enable_validation_false_lets_invalid_input_through() {
    let vars = [("COORDINATION_ENABLE_VALIDATION", "false")];
    if let Some(output) = in_child("enable_validation_false_lets_invalid_input_through", &vars) {
        return assert_passed(&output);
    }
    assert_eq!(named("ab").unwrap(), 2);
}

#[test]
fn validation_runs_by_default() {
    if let Some(output) = in_child("validation_runs_by_default", &[]) {
        return assert_passed(&output);
    }
    assert!(matches!(named("ab"), Err(coord::Error::Validation(_))));
}

#[test]
fn the_variable_wins_over_the_file_it_names() {
    let dir = std::env::temp_dir().join(format!("coord-config-lazy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("coordination.yaml");
    std::fs::write(&file, "max_retries: 5\nbase_delay: 1ms\n").unwrap();
    let path = file.to_string_lossy().into_owned();
    let vars = [
        ("COORDINATION_CONFIG", path.as_str()),
        ("COORDINATION_MAX_RETRIES", "2"),
    ];
    let output = in_child("the_variable_wins_over_the_file_it_names", &vars);
    if let Some(output) = output {
        let _ = std::fs::remove_dir_all(&dir);
        return assert_passed(&output);
    }
    let config = coord::configuration();
    assert_eq!(config.max_retries, 2);
    assert_eq!(config.base_delay, std::time::Duration::from_millis(1));
    let calls = AtomicU32::new(0);
    assert!(always_failing(&calls).is_err());
    assert_eq!(calls.load(Ordering::Relaxed), 3);
}

#[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
fn one_retry_written(calls: &AtomicU32) -> Result<(), String> {
    calls.fetch_add(1, Ordering::Relaxed);
    Err("down".to_owned())
}

#[test]
fn an_attribute_argument_wins_over_the_variable() {
    let vars = [
        ("COORDINATION_MAX_RETRIES", "5"),
        ("COORDINATION_BASE_DELAY", "1ms"),
    ];
    if let Some(output) = in_child("an_attribute_argument_wins_over_the_variable", &vars) {
        return assert_passed(&output);
    }
    let calls = AtomicU32::new(0);
    assert!(one_retry_written(&calls).is_err());
    assert_eq!(
        calls.load(Ordering::Relaxed),
        2,
        "max_retries = 1 in the attribute"
    );
    let calls = AtomicU32::new(0);
    assert!(always_failing(&calls).is_err());
    assert_eq!(
        calls.load(Ordering::Relaxed),
        6,
        "max_retries = 5 from the variable"
    );
}
