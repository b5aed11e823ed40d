//! The configuration keys: one table that the file and the environment layers both read, so a
//! key cannot be settable in one and forgotten in the other.

use std::time::Duration;

use super::CoordinationConfig;
use super::error::ValueProblem;
use super::values::{self, Raw};
use crate::values::breaker_config::BreakerConfig;

/// One top-level key and how a value is stored under it.
pub(super) struct Key {
    pub name: &'static str,
    pub set: fn(&mut CoordinationConfig, Raw<'_>) -> Result<(), ValueProblem>,
}

/// The key whose value is a mapping of breaker names to options: file only.
pub(super) const BREAKERS: &str = "breakers";

/// Variable names (after `COORDINATION_`, lower-cased) that stand for a key whose own name
/// would stutter: `COORDINATION_STORE` sets `coordination_store`.
pub(super) const ENV_ALIASES: &[(&str, &str)] = &[("store", "coordination_store")];

pub(super) const KEYS: &[Key] = &[
    Key {
        name: "enable_validation",
        set: |config, raw| {
            config.enable_validation = values::boolean(raw)?;
            Ok(())
        },
    },
    Key {
        name: "coordination_store",
        set: |config, raw| {
            config.coordination_store = values::store_location(raw)?;
            Ok(())
        },
    },
    Key {
        name: "lock_backend",
        set: |config, raw| {
            config.lock_backend = Some(values::lock_location(raw)?);
            Ok(())
        },
    },
    Key {
        name: "validation_rules_path",
        set: |config, raw| {
            config.validation_rules_path = values::path(raw)?;
            Ok(())
        },
    },
    Key {
        name: "max_retries",
        set: |config, raw| {
            config.max_retries = values::option_count(raw, &coord_text::MAX_RETRIES)?;
            Ok(())
        },
    },
    Key {
        name: "base_delay",
        set: |config, raw| {
            config.base_delay = values::option_duration(raw, &coord_text::BASE_DELAY)?;
            Ok(())
        },
    },
    Key {
        name: "backoff_multiplier",
        set: |config, raw| {
            config.backoff_multiplier = values::option_number(raw, &coord_text::MULTIPLIER)?;
            Ok(())
        },
    },
    Key {
        name: "circuit_breaker_threshold",
        set: |config, raw| {
            config.circuit_breaker_threshold =
                values::option_count(raw, &coord_text::CONSECUTIVE_FAILURES)?;
            Ok(())
        },
    },
    Key {
        name: "enable_performance_monitoring",
        set: |config, raw| {
            config.enable_performance_monitoring = values::boolean(raw)?;
            Ok(())
        },
    },
    Key {
        name: "collection_interval",
        set: |config, raw| {
            config.collection_interval = values::collection_interval(raw)?;
            Ok(())
        },
    },
    Key {
        name: "max_data_points",
        set: |config, raw| {
            config.max_data_points = values::data_points(raw)?;
            Ok(())
        },
    },
    Key {
        name: "health_fail_on_breakers",
        set: |config, raw| {
            config.health_fail_on_breakers = values::names(raw)?;
            Ok(())
        },
    },
    Key {
        name: "duration_buckets",
        set: |config, raw| {
            config.duration_buckets = values::buckets(raw)?;
            Ok(())
        },
    },
];

/// Every top-level key, for "did you mean" hints.
pub(super) fn names() -> Vec<&'static str> {
    KEYS.iter()
        .map(|key| key.name)
        .chain(std::iter::once(BREAKERS))
        .collect()
}

/// One option of a breaker definition.
pub(super) struct BreakerKey {
    pub name: &'static str,
    pub set: fn(BreakerConfig, Raw<'_>) -> Result<BreakerConfig, ValueProblem>,
}

pub(super) const BREAKER_KEYS: &[BreakerKey] = &[
    BreakerKey {
        name: "consecutive_failures",
        set: |config, raw| {
            Ok(config.consecutive_failures(values::option_count(
                raw,
                &coord_text::CONSECUTIVE_FAILURES,
            )?))
        },
    },
    BreakerKey {
        name: "failure_rate",
        set: |config, raw| {
            Ok(config.failure_rate(values::option_number(raw, &coord_text::FAILURE_RATE)?))
        },
    },
    BreakerKey {
        name: "slow_call_duration",
        set: |config, raw| {
            Ok(config.slow_call_duration(values::option_duration(
                raw,
                &coord_text::SLOW_CALL_DURATION,
            )?))
        },
    },
    BreakerKey {
        name: "slow_call_rate",
        set: |config, raw| {
            Ok(config.slow_call_rate(values::option_number(raw, &coord_text::SLOW_CALL_RATE)?))
        },
    },
    BreakerKey {
        name: "window",
        set: |config, raw| Ok(config.window(values::option_count(raw, &coord_text::WINDOW)?)),
    },
    BreakerKey {
        name: "time_window",
        set: |config, raw| {
            Ok(config.time_window(values::option_duration(raw, &coord_text::TIME_WINDOW)?))
        },
    },
    BreakerKey {
        name: "min_calls",
        set: |config, raw| Ok(config.min_calls(values::option_count(raw, &coord_text::MIN_CALLS)?)),
    },
    BreakerKey {
        name: "open_for",
        set: |config, raw| Ok(config.open_for(values::option_duration(raw, &coord_text::OPEN_FOR)?)),
    },
    BreakerKey {
        name: "half_open_permits",
        set: |config, raw| {
            Ok(
                config
                    .half_open_permits(values::option_count(raw, &coord_text::HALF_OPEN_PERMITS)?),
            )
        },
    },
    BreakerKey {
        name: "close_after",
        set: |config, raw| {
            Ok(config.close_after(values::option_count(raw, &coord_text::CLOSE_AFTER)?))
        },
    },
];

/// Every breaker option, for "did you mean" hints.
pub(super) fn breaker_names() -> Vec<&'static str> {
    BREAKER_KEYS.iter().map(|key| key.name).collect()
}

/// The built-in defaults, in one place for the docs table and `Default`.
pub(super) const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(100);
pub(super) const DEFAULT_COLLECTION_INTERVAL: Duration = Duration::from_secs(5);
