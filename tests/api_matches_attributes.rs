//! The attributes are sugar over the runtime API: one workload run through annotated functions
//! and through `Operation`, `ErrorHandling` and `ensure_valid` by hand leaves the same series,
//! the same statistics and the same report entries (names aside).

mod support;

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use coord::{
    Classify, ErrorHandling, Operation, Severity,
    breaker::BreakerConfig,
    retry::RetryPolicy,
    validation::{FieldSpec, FieldType, RuleSetSpec},
};
use serde::Serialize;
use support::test_recorder;

#[derive(Debug)]
enum PayError {
    /// Worth retrying.
    Busy,
    /// Not worth retrying.
    Declined,
    Coord(coord::Error),
}

impl From<coord::Error> for PayError {
    fn from(err: coord::Error) -> Self {
        PayError::Coord(err)
    }
}

impl Classify for PayError {
    fn is_transient(&self) -> bool {
        matches!(self, PayError::Busy)
    }
}

/// The body both sides run: call `i` is busy on its first attempt when `i % 5 == 0`, declined
/// when `i % 7 == 0`, else paid. `attempts` counts this call's attempts.
fn pay(i: u32, amount: u32, attempts: &AtomicU32) -> Result<u32, PayError> {
    let attempt = attempts.fetch_add(1, Ordering::Relaxed);
    if i.is_multiple_of(7) {
        Err(PayError::Declined)
    } else if i.is_multiple_of(5) && attempt == 0 {
        Err(PayError::Busy)
    } else {
        Ok(amount)
    }
}

fn breaker_config() -> BreakerConfig {
    BreakerConfig::new()
        .consecutive_failures(1_000)
        .open_for(Duration::from_secs(60))
}

#[coord::coordinate_operation(
    name = "parity.attr",
    validate(rules = "parity.attr.rules"),
    retry(
        max_retries = 2,
        base_delay = "1ms",
        jitter = "none",
        severity = "medium"
    ),
    circuit_breaker = "parity.attr.breaker"
)]
fn pay_attr(i: u32, amount: u32, attempts: &AtomicU32) -> Result<u32, PayError> {
    pay(i, amount, attempts)
}

static API_OPERATION: Operation = Operation::new("parity.api");
static API_HANDLING: LazyLock<ErrorHandling<PayError>> = LazyLock::new(|| {
    ErrorHandling::new("parity.api")
        .retry(
            RetryPolicy::for_severity(Severity::Medium)
                .max_retries(2)
                .base_delay(Duration::from_millis(1))
                .jitter(coord::retry::Jitter::None),
        )
        .circuit_breaker(coord::breaker("parity.api.breaker"))
        .classified()
});

#[derive(Serialize)]
struct PayParams<'a> {
    i: u32,
    amount: u32,
    #[serde(skip)]
    _attempts: &'a AtomicU32,
}

/// What the attribute expands to, written with the public API.
fn pay_api(i: u32, amount: u32, attempts: &AtomicU32) -> Result<u32, PayError> {
    let params = PayParams {
        i,
        amount,
        _attempts: attempts,
    };
    coord::ensure_valid("parity.api.rules", &params)?;
    API_OPERATION.run(|| API_HANDLING.call(|| pay(i, amount, attempts)))
}

/// Runs 70 calls; returns what each returned and how many attempts it made.
fn workload(
    side: &str,
    call: fn(u32, u32, &AtomicU32) -> Result<u32, PayError>,
) -> Vec<(String, u32)> {
    let breaker = coord::breaker(&format!("parity.{side}.breaker"));
    let mut returned = Vec::new();
    for i in 1..=70u32 {
        // Calls 40..45 meet an open breaker; amounts above 500 are invalid.
        if i == 40 {
            breaker.force_open();
        }
        if i == 45 {
            breaker.reset();
        }
        let amount = if i.is_multiple_of(9) { 900 } else { 5 * i };
        let attempts = AtomicU32::new(0);
        let result = match call(i, amount, &attempts) {
            Ok(amount) => format!("paid {amount}"),
            Err(PayError::Coord(coord::Error::Validation(result))) => {
                format!("invalid {:?}", result.errors[0].code)
            }
            Err(PayError::Coord(coord::Error::CircuitOpen { .. })) => "rejected".to_owned(),
            Err(other) => format!("{other:?}"),
        };
        returned.push((result, attempts.into_inner()));
    }
    returned
}

fn renamed(series: impl IntoIterator<Item = (String, u64)>, side: &str) -> Vec<(String, u64)> {
    series
        .into_iter()
        .map(|(name, value)| (name.replace(&format!("parity.{side}"), "parity.*"), value))
        .collect()
}

#[test]
fn the_api_and_the_attribute_record_the_same_workload_identically() {
    let recorder = test_recorder::global();
    let rules = RuleSetSpec::new().require("amount").field(
        "amount",
        FieldSpec::of(FieldType::Integer).range(1.0, 500.0),
    );
    for side in ["attr", "api"] {
        coord::validation::register_rule_set(&format!("parity.{side}.rules"), &rules)
            .expect("rules");
        coord::breaker::register_breaker(
            &format!("parity.{side}.breaker"),
            breaker_config(),
            std::sync::Arc::new(coord::clock::SystemClock),
        )
        .expect("breaker");
    }

    let returned = workload("attr", pay_attr);
    assert_eq!(returned, workload("api", pay_api));
    for expected in ["paid 60", "invalid", "rejected", "Declined"] {
        assert!(
            returned.iter().any(|(r, _)| r.starts_with(expected)),
            "{expected}: {returned:?}"
        );
    }
    assert!(returned.iter().any(|(_, attempts)| *attempts == 2));
    coord::flush_metrics();

    // Statistics.
    let stats = coord::tracking::operation_stats();
    let calls = |name: &str| stats.iter().find(|s| s.operation == name).map(|s| s.calls);
    assert!(calls("parity.attr").is_some_and(|c| c.total() > 0));
    assert_eq!(calls("parity.attr"), calls("parity.api"));
    let retries = coord::retry::retry_stats();
    let retried = |name: &str| {
        let mut stats = retries.iter().find(|s| s.operation == name).cloned();
        if let Some(stats) = &mut stats {
            stats.operation.clear();
        }
        stats
    };
    assert!(retried("parity.attr").is_some_and(|r| r.successful_with_retry > 0));
    assert_eq!(retried("parity.attr"), retried("parity.api"));
    let breaker_counts = |side: &str| coord::breaker(&format!("parity.{side}.breaker")).counts();
    assert!(breaker_counts("attr").rejected > 0);
    assert_eq!(breaker_counts("attr"), breaker_counts("api"));

    // Series, from the recorder: the same names, labels and values.
    let attr = renamed(recorder.counters("parity.attr"), "attr");
    assert!(!attr.is_empty());
    assert_eq!(attr, renamed(recorder.counters("parity.api"), "api"));
    for prefix in [
        "coord_circuit_breaker_calls_total",
        "coord_circuit_breaker_transitions_total",
        "coord_validations_total",
    ] {
        let all = recorder.counters_named(prefix);
        let side = |side: &str| {
            let needle = format!("parity.{side}");
            renamed(
                all.iter()
                    .filter(|(name, _)| name.contains(&needle))
                    .map(|(name, value)| (name.clone(), *value)),
                side,
            )
        };
        assert!(!side("attr").is_empty(), "no {prefix} series");
        assert_eq!(side("attr"), side("api"), "{prefix}");
    }
    let histogram_counts = |side: &str| {
        recorder
            .histograms(&format!("parity.{side}"))
            .into_iter()
            .map(|(name, samples)| {
                (
                    name.replace(&format!("parity.{side}"), "parity.*"),
                    samples.len(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(histogram_counts("attr"), histogram_counts("api"));

    // Validation: the same counts under each rule set.
    let validation = coord::validation::validation_report();
    let rule_set = |name: &str| {
        validation
            .rule_sets
            .iter()
            .find(|r| r.rule_set == name)
            .map(|r| (r.validations, r.valid, r.top_failures.clone()))
    };
    assert!(rule_set("parity.attr.rules").is_some_and(|(_, valid, _)| valid > 0));
    assert_eq!(rule_set("parity.attr.rules"), rule_set("parity.api.rules"));

    // The report's performance rows, timings aside.
    let report = coord::report();
    let row = |name: &str| {
        report
            .performance
            .iter()
            .find(|r| r.operation == name)
            .map(|r| (r.calls, r.ok, r.errors, r.panics, r.cancelled, r.error_rate))
    };
    assert_eq!(row("parity.attr"), row("parity.api"));
}
