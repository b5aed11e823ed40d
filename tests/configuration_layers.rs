//! The configuration's layers, one test per boundary, and the message of every kind of bad
//! value. Built with `CoordinationConfig::builder()` so nothing here touches the process-wide
//! configuration (see `configuration_in_effect.rs` and `configuration_lazy.rs` for that).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use coord::{
    breaker::BreakerConfig,
    config::{ConfigError, CoordinationConfig},
};
use support::temp_dir::TempDir;

/// A configuration file in a fresh temporary directory, removed on drop.
struct TempFile {
    dir: TempDir,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let dir = TempDir::with_file(
            &format!("config-{name}"),
            "coordination.yaml",
            text.as_bytes(),
        );
        let path = dir.path().join("coordination.yaml");
        Self { dir, path }
    }
}

fn no_env() -> [(&'static str, &'static str); 0] {
    []
}

fn load_file(file: &Path) -> Result<CoordinationConfig, ConfigError> {
    CoordinationConfig::builder()
        .file(file)
        .env(no_env())
        .load()
}

fn load_env(vars: &[(&str, &str)]) -> Result<CoordinationConfig, ConfigError> {
    CoordinationConfig::builder()
        .env(vars.iter().copied())
        .load()
}

fn message(result: Result<CoordinationConfig, ConfigError>) -> String {
    result
        .expect_err("the configuration must be rejected")
        .to_string()
}

#[test]
fn nothing_set_gives_the_documented_defaults() {
    let config = load_env(&[]).unwrap();
    assert_eq!(config, CoordinationConfig::default());
    assert_eq!(config.max_retries, 3);
    assert_eq!(config.base_delay, Duration::from_millis(100));
    assert_eq!(config.backoff_multiplier, 2.0);
    assert_eq!(config.circuit_breaker_threshold, 5);
    assert!(config.enable_validation && config.enable_performance_monitoring);
    assert_eq!(config.collection_interval, Duration::from_secs(5));
    assert_eq!(config.max_data_points, 720);
    assert_eq!(
        config.duration_buckets,
        coord::export::DEFAULT_DURATION_BUCKETS
    );
    assert_eq!(config.validation_rules_path, Path::new("rules"));
}

#[test]
fn the_file_wins_over_the_defaults() {
    let file = TempFile::new(
        "file",
        "enable_validation: false\n\
         validation_rules_path: my-rules\n\
         max_retries: 7\n\
         base_delay: 250ms\n\
         backoff_multiplier: 1.5\n\
         circuit_breaker_threshold: 9\n\
         enable_performance_monitoring: false\n\
         collection_interval: 1m\n\
         max_data_points: 10\n\
         duration_buckets: [0.01, 0.1, 1]\n\
         coordination_store: sqlite://state/coord.db\n\
         lock_backend: \"redis://cache:6379?prefix=shop:\"\n\
         health_fail_on_breakers: [payments, ledger]\n\
         breakers:\n  payments:\n    consecutive_failures: 2\n    open_for: 10s\n",
    );
    let config = load_file(&file.path).unwrap();
    assert_eq!(
        config,
        CoordinationConfig {
            enable_validation: false,
            // Relative to the file, not to the working directory.
            validation_rules_path: file.dir.path().join("my-rules"),
            // Where it was set, for errors about the directory.
            validation_rules_path_origin: Some(coord::config::ConfigSource::File {
                path: file.path.clone(),
                line: Some(2),
                column: Some(1),
            }),
            max_retries: 7,
            base_delay: Duration::from_millis(250),
            backoff_multiplier: 1.5,
            circuit_breaker_threshold: 9,
            enable_performance_monitoring: false,
            collection_interval: Duration::from_secs(60),
            max_data_points: 10,
            duration_buckets: vec![0.01, 0.1, 1.0],
            breakers: [(
                "payments".to_owned(),
                BreakerConfig::new()
                    .consecutive_failures(2)
                    .open_for(Duration::from_secs(10)),
            )]
            .into(),
            health_fail_on_breakers: vec!["payments".to_owned(), "ledger".to_owned()],
            // Relative to the file, like the rules.
            coordination_store: coord::config::StoreLocation::Sqlite(
                file.dir.path().join("state/coord.db")
            ),
            lock_backend: Some(coord::config::LockLocation::Redis {
                url: "redis://cache:6379".to_owned(),
                prefix: "shop:".to_owned(),
            }),
        }
    );
}

#[test]
fn the_environment_wins_over_the_file() {
    let file = TempFile::new(
        "env",
        "max_retries: 7\nbase_delay: 250ms\nbreakers:\n  payments:\n    open_for: 10s\n",
    );
    let config = CoordinationConfig::builder()
        .file(&file.path)
        .env([
            ("COORDINATION_MAX_RETRIES", "1"),
            ("COORDINATION_CIRCUIT_BREAKER_THRESHOLD", "4"),
            ("COORDINATION_DURATION_BUCKETS", "0.5, 5"),
            ("COORDINATION_VALIDATION_RULES_PATH", "env-rules"),
            ("COORDINATION_HEALTH_FAIL_ON_BREAKERS", "payments, ledger"),
            ("UNRELATED_VARIABLE", "ignored"),
        ])
        .load()
        .unwrap();
    assert_eq!(config.max_retries, 1);
    // Not set in the environment: the file's value stands.
    assert_eq!(config.base_delay, Duration::from_millis(250));
    assert_eq!(config.duration_buckets, [0.5, 5.0]);
    // A variable's path is relative to the working directory.
    assert_eq!(config.validation_rules_path, Path::new("env-rules"));
    assert_eq!(
        config.validation_rules_path_origin,
        Some(coord::config::ConfigSource::Environment {
            variable: "COORDINATION_VALIDATION_RULES_PATH".to_owned()
        })
    );
    assert_eq!(config.health_fail_on_breakers, ["payments", "ledger"]);
    // A file breaker without `consecutive_failures` takes the final threshold.
    assert_eq!(
        config.breakers["payments"],
        BreakerConfig::new()
            .consecutive_failures(4)
            .open_for(Duration::from_secs(10))
    );
    assert_eq!(
        config.breaker_config("elsewhere"),
        BreakerConfig::new().consecutive_failures(4)
    );
}

#[test]
fn coordination_config_names_the_file_instead_of_the_builder() {
    let chosen = TempFile::new("chosen", "max_retries: 8\n");
    let ignored = TempFile::new("ignored", "max_retries: 2\n");
    let config = CoordinationConfig::builder()
        .file(&ignored.path)
        .env([("COORDINATION_CONFIG", chosen.path.as_os_str())])
        .load()
        .unwrap();
    assert_eq!(config.max_retries, 8);
}

#[test]
fn a_missing_named_file_is_an_error_naming_what_named_it() {
    let missing = std::env::temp_dir().join("coord-config-does-not-exist.yaml");
    let err = message(
        CoordinationConfig::builder()
            .env([("COORDINATION_CONFIG", missing.as_os_str())])
            .load(),
    );
    assert!(
        err.starts_with(&format!(
            "cannot read the configuration file {} (COORDINATION_CONFIG): ",
            missing.display()
        )),
        "{err}"
    );
    let err = message(load_file(&missing));
    assert!(err.contains("(given to ConfigBuilder::file)"), "{err}");
}

#[test]
fn bad_environment_values_name_the_variable_and_the_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "COORDINATION_MAX_RETRIES",
            "three",
            "`max_retries` = `three`: expected a whole number",
        ),
        (
            "COORDINATION_MAX_RETRIES",
            "-1",
            "`max_retries` = `-1`: must be at least 0",
        ),
        (
            "COORDINATION_BASE_DELAY",
            "100",
            "`base_delay` = `100`: `100` has no unit (one of ns, us, µs, ms, s, m, h)",
        ),
        (
            "COORDINATION_BASE_DELAY",
            "-5s",
            "`base_delay` = `-5s`: a duration cannot be negative",
        ),
        (
            "COORDINATION_BACKOFF_MULTIPLIER",
            "0.5",
            "`backoff_multiplier` = `0.5`: must be at least 1",
        ),
        (
            "COORDINATION_CIRCUIT_BREAKER_THRESHOLD",
            "0",
            "`circuit_breaker_threshold` = `0`: must be greater than zero",
        ),
        (
            "COORDINATION_ENABLE_VALIDATION",
            "yes",
            "`enable_validation` = `yes`: expected `true` or `false`",
        ),
        (
            "COORDINATION_COLLECTION_INTERVAL",
            "0s",
            "`collection_interval` = `0s`: must be longer than zero",
        ),
        (
            "COORDINATION_MAX_DATA_POINTS",
            "0",
            "`max_data_points` = `0`: must be at least 1",
        ),
        // A nanosecond interval once took 57 % of a core; u32::MAX samples grew toward 1 GB/h.
        (
            "COORDINATION_COLLECTION_INTERVAL",
            "1ns",
            "`collection_interval` = `1ns`: must be between 10ms and 86400s",
        ),
        (
            "COORDINATION_MAX_DATA_POINTS",
            "4294967295",
            "`max_data_points` = `4294967295`: must be at most 100000",
        ),
        (
            "COORDINATION_MAX_RETRIES",
            "4294967295",
            "`max_retries` = `4294967295`: must be at most 1000",
        ),
        (
            "COORDINATION_BASE_DELAY",
            "14400000000s",
            "`base_delay` = `14400000000s`: must be at most 1d",
        ),
        (
            "COORDINATION_DURATION_BUCKETS",
            "0.1,x",
            "`duration_buckets` = `0.1,x`: expected a list of numbers",
        ),
        (
            "COORDINATION_DURATION_BUCKETS",
            "1,0.5",
            "`duration_buckets` = `1,0.5`: bounds must be strictly increasing",
        ),
        (
            "COORDINATION_HEALTH_FAIL_ON_BREAKERS",
            "payments,,ledger",
            "`health_fail_on_breakers` = `payments,,ledger`: expected a list of names, such as [payments, ledger] (or \"*\" for every breaker)",
        ),
        (
            "COORDINATION_BREAKERS",
            "payments",
            "`breakers` = `payments`: can only be set in the configuration file",
        ),
    ];
    for (variable, value, expected) in cases {
        let err = message(load_env(&[(variable, value)]));
        assert_eq!(err, format!("environment variable {variable}: {expected}"));
    }
    // Ten thousand buckets once made a 14.7 MB /metrics for one operation.
    let many: Vec<String> = (1..=101).map(|bound| bound.to_string()).collect();
    let many = many.join(",");
    let err = message(load_env(&[("COORDINATION_DURATION_BUCKETS", &many)]));
    assert_eq!(
        err,
        format!(
            "environment variable COORDINATION_DURATION_BUCKETS: `duration_buckets` = `{many}`: at most 100 bounds are accepted"
        )
    );
}

#[test]
fn an_unknown_variable_is_an_error_with_a_suggestion() {
    let err = message(load_env(&[("COORDINATION_MAX_RETRY", "3")]));
    assert_eq!(
        err,
        "environment variable COORDINATION_MAX_RETRY: unknown key `max_retry`; did you mean `max_retries`?"
    );
}

#[test]
fn bad_file_values_name_the_file_line_column_and_key() {
    let cases: &[(&str, &str)] = &[
        (
            "max_retries: 3\nmax_retrys: 4\n",
            ":2:1: unknown key `max_retrys`; did you mean `max_retries`?",
        ),
        (
            "# retries\nbase_delay: -5s\n",
            ":2:1: `base_delay` = `-5s`: a duration cannot be negative",
        ),
        (
            "max_retries: three\n",
            ":1:1: `max_retries` = `three`: expected a whole number",
        ),
        (
            "enable_validation: [true]\n",
            ":1:1: `enable_validation` = `[true]`: expected a single value, not a list or mapping",
        ),
        (
            "duration_buckets: [0.5, 0.1]\n",
            ":1:1: `duration_buckets` = `[0.5, 0.1]`: bounds must be strictly increasing",
        ),
        // Once accepted, then every tracked call panicked converting the bound to a Duration.
        (
            "duration_buckets: [1, 1e20]\n",
            ":1:1: `duration_buckets` = `[1, 1e20]`: bounds must be at most 31536000 seconds (one year)",
        ),
        // A window of u32::MAX calls once allocated 17 GB and aborted.
        (
            "breakers:\n  payments:\n    window: 4294967295\n",
            ":3:5: `breakers.payments.window` = `4294967295`: must be at most 100000",
        ),
        // Above 65 535 the 16-bit half-open counters admitted unlimited probes.
        (
            "breakers:\n  payments:\n    half_open_permits: 65536\n",
            ":3:5: `breakers.payments.half_open_permits` = `65536`: must be at most 65535",
        ),
        (
            "breakers:\n  payments:\n    open_fr: 10s\n",
            ":3:5: unknown key `breakers.payments.open_fr`; did you mean `open_for`?",
        ),
        (
            "breakers:\n  payments:\n    failure_rate: 1.5\n",
            ":3:5: `breakers.payments.failure_rate` = `1.5`: must be at most 1",
        ),
        (
            "breakers:\n  payments:\n    failure_rate: 0\n",
            ":3:5: `breakers.payments.failure_rate` = `0`: must be greater than zero",
        ),
        (
            "breakers:\n  payments: 5\n",
            ":2:3: `breakers.payments` = `5`: expected a mapping of keys to values",
        ),
    ];
    for (text, expected) in cases {
        let file = TempFile::new("bad", text);
        let err = message(load_file(&file.path));
        assert_eq!(
            err,
            format!("{}{expected}", file.path.display()),
            "for {text:?}"
        );
    }
}

#[test]
fn a_file_that_is_not_a_yaml_mapping_is_reported_with_its_position() {
    let file = TempFile::new("syntax", "max_retries: [1, 2\n");
    let err = message(load_file(&file.path));
    assert!(
        err.starts_with(&format!("{}:2:1: not valid YAML: ", file.path.display())),
        "{err}"
    );
    let file = TempFile::new("list", "- max_retries\n");
    assert_eq!(
        message(load_file(&file.path)),
        format!(
            "{}: the configuration must be a mapping of keys to values",
            file.path.display()
        )
    );
    // An empty file sets nothing.
    let file = TempFile::new("empty", "# nothing yet\n");
    assert_eq!(
        load_file(&file.path).unwrap(),
        CoordinationConfig::default()
    );
}

#[test]
fn values_built_in_code_are_checked_like_values_from_a_file() {
    let bad = CoordinationConfig {
        backoff_multiplier: 0.5,
        ..CoordinationConfig::default()
    };
    // Rejected before anything is installed.
    let err = coord::init_with(bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration built in code: `backoff_multiplier` = `0.5`: must be at least 1"
    );
}

#[test]
fn the_coordination_store_is_read_from_the_environment_and_checked() {
    let config = load_env(&[(
        "COORDINATION_STORE",
        "postgres://app@db/orders?schema=coord",
    )])
    .expect("a fleet store");
    assert_eq!(
        config.coordination_store,
        coord::config::StoreLocation::Postgres {
            url: "postgres://app@db/orders".into(),
            schema: Some("coord".into())
        }
    );
    assert_eq!(
        message(load_env(&[("COORDINATION_STORE", "mysql://db")])),
        "environment variable COORDINATION_STORE: `coordination_store` = `mysql://db`: expected `sqlite://PATH`, `postgres://…` or `memory:`"
    );
    assert_eq!(
        load_env(&[])
            .expect("defaults")
            .coordination_store
            .to_string(),
        "sqlite://coord.db"
    );
}

#[test]
fn a_relative_store_file_is_beside_the_configuration_file() {
    let dir = TempDir::with_file(
        "store-config",
        "coordination.yaml",
        b"coordination_store: sqlite://state/coord.db\nlock_backend: sqlite://state/locks.db\n",
    );
    let config = load_file(&dir.path().join("coordination.yaml")).expect("loads");
    assert_eq!(
        config.coordination_store.to_string(),
        format!("sqlite://{}", dir.path().join("state/coord.db").display())
    );
    assert_eq!(
        config.lock_backend.map(|location| location.to_string()),
        Some(format!(
            "sqlite://{}",
            dir.path().join("state/locks.db").display()
        ))
    );
}
