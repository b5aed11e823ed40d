//! `CoordinationConfig`: the process-wide settings, the layers they are read from, and the one
//! instance in effect.
//!
//! Layers, later wins: built-in defaults < the YAML file < `COORDINATION_*` environment
//! variables < arguments written in an attribute (for the settings an attribute can write).

pub(crate) mod buckets;
mod error;
pub(crate) mod global;
mod keys;
mod layers;
pub(crate) mod problems;
mod values;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub use error::{ConfigError, ConfigSource, ValueProblem};
pub use global::configuration;
pub(crate) use global::try_configuration;
pub use layers::ConfigBuilder;
pub use problems::MissingRuleSet;

use crate::values::breaker_config::BreakerConfig;
use crate::values::retry_policy::RetryPolicy;
use crate::values::severity::Severity;

/// The file read when neither `COORDINATION_CONFIG` nor [`ConfigBuilder::file`] names one
/// (relative to the working directory; a missing default file is not an error).
pub const DEFAULT_CONFIG_FILE: &str = "config/coordination.yaml";

/// The largest configuration file read (1 MiB); a larger one is [`ConfigError::TooLarge`].
pub const MAX_CONFIG_FILE_BYTES: u64 = 1 << 20;

/// The shortest `collection_interval` accepted: the system monitor samples the process on
/// every tick, and a nanosecond interval once took 57 % of a core.
pub const MIN_COLLECTION_INTERVAL: Duration = Duration::from_millis(10);

/// The longest `collection_interval` accepted: one day.
pub const MAX_COLLECTION_INTERVAL: Duration = Duration::from_secs(86_400);

/// The most system samples kept (`max_data_points`): 100 000 samples are a few megabytes;
/// `u32::MAX` once grew toward a gigabyte an hour.
pub const MAX_DATA_POINTS: usize = 100_000;

/// Where rules are loaded from when the configuration's `validation_rules_path` is not set
/// (relative to the working directory; a missing default directory means no rules).
pub const DEFAULT_RULES_DIR: &str = "rules";

/// The environment variable naming the configuration file to read.
pub const CONFIG_FILE_VAR: &str = "COORDINATION_CONFIG";

/// The prefix of the environment variables that set keys: `COORDINATION_MAX_RETRIES` sets
/// `max_retries`.
pub const ENV_PREFIX: &str = "COORDINATION_";

/// The settings every annotated function and the runtime read.
///
/// | key | default | meaning |
/// | --- | --- | --- |
/// | `enable_validation` | `true` | `false` skips every `#[validate_input]` / `validate(...)` check |
/// | `validation_rules_path` | `rules` | directory of rule files (relative to the config file when set there) |
/// | `max_retries` | 3 | retries after the first call, for attributes that leave it (and `severity`) unset |
/// | `base_delay` | `100ms` | delay before the first retry, likewise |
/// | `backoff_multiplier` | 2 | exponential backoff factor (≥ 1), likewise |
/// | `circuit_breaker_threshold` | 5 | consecutive failures that open a breaker no code or file configures |
/// | `enable_performance_monitoring` | `true` | `false` makes tracked functions record nothing and [`init`](crate::init::init) start no system monitor |
/// | `collection_interval` | `5s` | the system monitor's sampling interval, 10 ms to 1 day |
/// | `max_data_points` | 720 | system samples kept, 1 to 100 000 |
/// | `duration_buckets` | [`DEFAULT_DURATION_BUCKETS`](buckets::DEFAULT_DURATION_BUCKETS) | histogram bounds in seconds (`"0.01,0.1,1"` in a variable) |
/// | `coordination_store` | `sqlite://coord.db` | (variable `COORDINATION_STORE`) the coordination store: `sqlite://PATH` (relative to the config file when set there), `postgres://…[?schema=NAME]`, or `memory:` (tests) |
/// | `breakers` | none | named breakers: `{payments: {consecutive_failures: 3, open_for: 10s}}` (file only) |
/// | `health_fail_on_breakers` | none | breakers whose opening makes `/health` answer `unhealthy` / 503 (`[payments]`, `"*"` for all; `payments,ledger` in a variable); any other open breaker only degrades it |
///
/// Durations are written as in attributes: `"250ms"`, `"2s"`, `"1m30s"`. A bad value, an
/// unknown key or an unreadable file is a [`ConfigError`] naming the source and the key —
/// never a silent default.
///
/// Where attributes and configuration meet: an attribute's own argument always wins. A retry
/// attribute that writes `severity` takes that severity's whole preset for the fields it leaves
/// unset; one that writes no `severity` takes `max_retries`, `base_delay` and
/// `backoff_multiplier` from here. A breaker's options come from the attribute that declares
/// them, else from `breakers` here, else the defaults with `circuit_breaker_threshold`.
///
/// ```
/// use std::time::Duration;
///
/// let config = coord::config::CoordinationConfig {
///     max_retries: 5,
///     base_delay: Duration::from_millis(20),
///     ..Default::default()
/// };
/// assert_eq!(config.retry_policy().max_retries_value(), 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CoordinationConfig {
    /// Whether validation runs at all.
    pub enable_validation: bool,
    /// The directory rule files are loaded from.
    pub validation_rules_path: PathBuf,
    /// Where `validation_rules_path` was set: filled by the loader (the file's line, the
    /// variable); `None` for the default or a value set in code. Errors about the directory
    /// name it, so a missing directory says which setting to fix.
    pub validation_rules_path_origin: Option<ConfigSource>,
    /// Retries after the first call.
    pub max_retries: u32,
    /// The delay before the first retry.
    pub base_delay: Duration,
    /// The growth factor of exponential backoff.
    pub backoff_multiplier: f64,
    /// Consecutive failures that open a breaker configured nowhere else.
    pub circuit_breaker_threshold: u32,
    /// Whether tracked functions record and [`init`](crate::init::init) starts the system monitor.
    pub enable_performance_monitoring: bool,
    /// The system monitor's sampling interval.
    pub collection_interval: Duration,
    /// System samples kept.
    pub max_data_points: usize,
    /// Histogram bucket bounds, in seconds, for every `*_seconds` histogram.
    pub duration_buckets: Vec<f64>,
    /// Named breakers' options.
    pub breakers: BTreeMap<String, BreakerConfig>,
    /// The breakers whose opening makes the process `unhealthy` (`/health` 503); `"*"` names
    /// every breaker. Empty by default: an open breaker degrades the process, and `/health`
    /// still answers 200, so one failing dependency does not take every replica out of a load
    /// balancer at once.
    pub health_fail_on_breakers: Vec<String>,
    /// Where the coordination patterns keep their state (features `sqlite`, `postgres`).
    pub coordination_store: coord_text::StoreLocation,
    /// Where distributed locks live, when not in the coordination store: a store location or
    /// `redis://host:port[?prefix=NAME]` (feature `redis`). Checked by `init`, which fails
    /// when it does not answer.
    pub lock_backend: Option<coord_text::LockLocation>,
}

impl Default for CoordinationConfig {
    fn default() -> Self {
        Self {
            enable_validation: true,
            validation_rules_path: PathBuf::from(DEFAULT_RULES_DIR),
            validation_rules_path_origin: None,
            max_retries: 3,
            base_delay: keys::DEFAULT_BASE_DELAY,
            backoff_multiplier: 2.0,
            circuit_breaker_threshold: 5,
            enable_performance_monitoring: true,
            collection_interval: keys::DEFAULT_COLLECTION_INTERVAL,
            max_data_points: 720,
            duration_buckets: crate::config::buckets::DEFAULT_DURATION_BUCKETS.to_vec(),
            breakers: BTreeMap::new(),
            health_fail_on_breakers: Vec::new(),
            coordination_store: coord_text::StoreLocation::Sqlite(PathBuf::from("coord.db")),
            lock_backend: None,
        }
    }
}

impl CoordinationConfig {
    /// Starts building from defaults, a file and the environment.
    ///
    /// ```
    /// let config = coord::config::CoordinationConfig::builder()
    ///     .env([("COORDINATION_ENABLE_VALIDATION", "false")])
    ///     .load()?;
    /// assert!(!config.enable_validation);
    /// # Ok::<(), coord::config::ConfigError>(())
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Defaults < `COORDINATION_CONFIG` or `config/coordination.yaml` < `COORDINATION_*`
    /// variables of the process.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the source and key of the first bad value.
    pub fn load() -> Result<Self, ConfigError> {
        Self::builder().load()
    }

    /// The retry policy of an attribute that writes no retry arguments: the medium preset with
    /// `max_retries`, `base_delay` and `backoff_multiplier` from here.
    ///
    /// ```
    /// let policy = coord::config::CoordinationConfig::default().retry_policy();
    /// assert_eq!(policy, coord::retry::RetryPolicy::for_severity(coord::Severity::Medium));
    /// ```
    #[must_use]
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy::for_severity(Severity::Medium)
            .max_retries(self.max_retries)
            .base_delay(self.base_delay)
            .multiplier(self.backoff_multiplier)
    }

    /// The options of breaker `name` when no code declares any: its `breakers` entry, else
    /// the defaults with `circuit_breaker_threshold`.
    ///
    /// ```
    /// let config = coord::config::CoordinationConfig { circuit_breaker_threshold: 2, ..Default::default() };
    /// assert_eq!(config.breaker_config("any"), coord::breaker::BreakerConfig::new().consecutive_failures(2));
    /// ```
    #[must_use]
    pub fn breaker_config(&self, name: &str) -> BreakerConfig {
        self.breakers.get(name).copied().unwrap_or_else(|| {
            BreakerConfig::new().consecutive_failures(self.circuit_breaker_threshold)
        })
    }

    /// Checks values built in code by the same rules as values read from a file.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, value: String, problem| ConfigError::InvalidValue {
            origin: ConfigSource::Code,
            key: key.to_owned(),
            value,
            problem,
        };
        // The option table's bounds, as for values read from a file.
        coord_text::MULTIPLIER
            .check_number(self.backoff_multiplier)
            .map_err(|problem| {
                invalid(
                    "backoff_multiplier",
                    self.backoff_multiplier.to_string(),
                    ValueProblem::Bound(problem),
                )
            })?;
        coord_text::CONSECUTIVE_FAILURES
            .check_count(u64::from(self.circuit_breaker_threshold))
            .map_err(|problem| {
                invalid(
                    "circuit_breaker_threshold",
                    self.circuit_breaker_threshold.to_string(),
                    ValueProblem::Bound(problem),
                )
            })?;
        coord_text::MAX_RETRIES
            .check_count(u64::from(self.max_retries))
            .map_err(|problem| {
                invalid(
                    "max_retries",
                    self.max_retries.to_string(),
                    ValueProblem::Bound(problem),
                )
            })?;
        coord_text::BASE_DELAY
            .check_nanos(crate::values::saturating_nanos(self.base_delay))
            .map_err(|problem| {
                invalid(
                    "base_delay",
                    format!("{:?}", self.base_delay),
                    ValueProblem::Bound(problem),
                )
            })?;
        if let Err(problem) = values::interval_problem(self.collection_interval) {
            return Err(invalid(
                "collection_interval",
                format!("{:?}", self.collection_interval),
                problem,
            ));
        }
        if let Err(problem) = values::data_points_problem(self.max_data_points) {
            return Err(invalid(
                "max_data_points",
                self.max_data_points.to_string(),
                problem,
            ));
        }
        if let Some(reason) = buckets::bucket_problem(&self.duration_buckets) {
            return Err(invalid(
                "duration_buckets",
                format!("{:?}", self.duration_buckets),
                ValueProblem::Buckets(reason),
            ));
        }
        Ok(())
    }
}
