//! The configuration in effect, installed by `coord::init_with`, meeting what attributes write:
//! the attribute layer wins where it says something, the configuration fills the rest.
//!
//! Every test first calls `installed()`, so the configuration is in effect before any
//! annotated function runs, whichever test runs first.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::{
    breaker::{BreakerConfig, BreakerState},
    config::{ConfigError, CoordinationConfig},
};

/// The rules directory `validation_rules_path` points at.
static RULES_DIR: LazyLock<std::path::PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("coord-config-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("greeting.yaml"),
        "greeting:\n  field_validations:\n    text: {type: string, max_length: 5}\n",
    )
    .unwrap();
    dir
});

static INSTALLED: LazyLock<&'static CoordinationConfig> = LazyLock::new(|| {
    coord::init_with(CoordinationConfig {
        max_retries: 4,
        base_delay: Duration::from_millis(1),
        backoff_multiplier: 1.0,
        circuit_breaker_threshold: 2,
        validation_rules_path: RULES_DIR.clone(),
        enable_performance_monitoring: false,
        duration_buckets: vec![0.125, 0.5],
        breakers: [(
            "config.from_file".to_owned(),
            BreakerConfig::new().consecutive_failures(1),
        )]
        .into(),
        ..CoordinationConfig::default()
    })
    .expect("the test configuration is valid")
});

fn installed() -> &'static CoordinationConfig {
    &INSTALLED
}

/// Counts calls and always fails.
fn failing(calls: &AtomicU32) -> Result<(), String> {
    calls.fetch_add(1, Ordering::Relaxed);
    Err("down".to_owned())
}

#[coord::handle_errors]
fn retries_from_configuration(calls: &AtomicU32) -> Result<(), String> {
    failing(calls)
}

#[coord::handle_errors(max_retries = 1, base_delay = "1ms")]
fn retries_from_attribute(calls: &AtomicU32) -> Result<(), String> {
    failing(calls)
}

#[coord::handle_errors(severity = "critical")]
fn retries_from_severity(calls: &AtomicU32) -> Result<(), String> {
    failing(calls)
}

#[test]
fn an_attribute_without_retry_arguments_takes_the_configuration() {
    installed();
    let calls = AtomicU32::new(0);
    assert!(retries_from_configuration(&calls).is_err());
    assert_eq!(calls.load(Ordering::Relaxed), 1 + 4);
}

#[test]
fn an_attribute_argument_wins_over_the_configuration() {
    installed();
    let calls = AtomicU32::new(0);
    assert!(retries_from_attribute(&calls).is_err());
    assert_eq!(calls.load(Ordering::Relaxed), 1 + 1);
}

#[test]
fn a_written_severity_takes_its_preset_over_the_configuration() {
    installed();
    let calls = AtomicU32::new(0);
    assert!(retries_from_severity(&calls).is_err());
    // critical: no retries, whatever `max_retries` the configuration says.
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

#[derive(Debug)]
enum CallError {
    Down,
    Coord(coord::Error),
}

impl From<coord::Error> for CallError {
    fn from(err: coord::Error) -> Self {
        CallError::Coord(err)
    }
}

#[coord::handle_errors(max_retries = 0, circuit_breaker = "config.threshold")]
fn through_undeclared_breaker() -> Result<(), CallError> {
    Err(CallError::Down)
}

#[coord::handle_errors(max_retries = 0, circuit_breaker = "config.from_file")]
fn through_configured_breaker() -> Result<(), CallError> {
    Err(CallError::Down)
}

#[coord::handle_errors(
    max_retries = 0,
    circuit_breaker(name = "config.declared", consecutive_failures = 3)
)]
fn through_declared_breaker() -> Result<(), CallError> {
    Err(CallError::Down)
}

#[test]
fn a_breaker_configured_nowhere_opens_at_circuit_breaker_threshold() {
    installed();
    assert!(matches!(through_undeclared_breaker(), Err(CallError::Down)));
    assert_eq!(
        coord::breaker("config.threshold").state(),
        BreakerState::Closed
    );
    assert!(matches!(through_undeclared_breaker(), Err(CallError::Down)));
    assert_eq!(
        coord::breaker("config.threshold").state(),
        BreakerState::Open
    );
    assert!(matches!(
        through_undeclared_breaker(),
        Err(CallError::Coord(coord::Error::CircuitOpen { .. }))
    ));
}

#[test]
fn a_breaker_defined_in_the_configuration_takes_its_options() {
    installed();
    assert!(matches!(through_configured_breaker(), Err(CallError::Down)));
    assert_eq!(
        coord::breaker("config.from_file").state(),
        BreakerState::Open
    );
}

#[test]
fn a_breaker_declared_by_an_attribute_ignores_the_threshold() {
    installed();
    for _ in 0..2 {
        assert!(matches!(through_declared_breaker(), Err(CallError::Down)));
    }
    let breaker = coord::breaker("config.declared");
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(
        breaker.config(),
        &BreakerConfig::new().consecutive_failures(3)
    );
}

#[coord::validate_input(rules = "greeting", arg = message)]
fn greet(message: &serde_json::Value) -> Result<(), coord::Error> {
    let _ = message;
    Ok(())
}

#[test]
fn rules_come_from_validation_rules_path() {
    installed();
    assert!(coord::validation::rule_sets().contains(&"greeting".to_owned()));
    assert!(greet(&serde_json::json!({"text": "hi"})).is_ok());
    assert!(matches!(
        greet(&serde_json::json!({"text": "far too long"})),
        Err(coord::Error::Validation(_))
    ));
}

#[coord::track_performance]
fn tracked_while_monitoring_is_off() -> Result<(), String> {
    Ok(())
}

#[test]
fn performance_monitoring_off_records_nothing_but_runs_the_body() {
    installed();
    assert!(tracked_while_monitoring_is_off().is_ok());
    assert!(
        coord::tracking::operation_stats()
            .iter()
            .all(|stats| stats.operation != "tracked_while_monitoring_is_off")
    );
}

#[test]
fn the_exporter_takes_its_buckets_from_the_configuration() {
    installed();
    let exporter = coord::prometheus().install().unwrap();
    metrics::histogram!("config_probe_seconds").record(0.2);
    let text = exporter.render();
    assert!(
        text.contains(r#"config_probe_seconds_bucket{le="0.125"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"config_probe_seconds_bucket{le="0.5"} 1"#),
        "{text}"
    );
}

#[test]
fn init_after_the_configuration_is_in_effect_is_an_error() {
    installed();
    let err = coord::init().unwrap_err();
    assert!(matches!(
        err,
        ConfigError::AlreadyInitialized { by: "explicitly" }
    ));
    assert_eq!(coord::configuration().max_retries, 4);
}
