//! Names invented at run time cannot exhaust anything: past each registry's cap, new operation,
//! retry, breaker, rule-set and lock-template names share the `coord_overflow` entry instead of taking more
//! counter cells. Before the caps, about 1 032 operation names used up the process's cells and
//! every later new name panicked ("more than 1048576 counter cells requested").
//!
//! Lock templates likewise: past the cap, a new one is counted under `coord_overflow`.
//!
//! One test per registry, in a file of its own: the registries are process-wide.

use coord::breaker::{BreakerConfig, MAX_BREAKERS};
use coord::clock::SystemClock;
use coord::export::metric_names::OVERFLOW;
use coord::tracking::MAX_OPERATIONS;
use coord::validation::{FieldSpec, FieldType, MAX_RULE_SETS, RuleSetSpec};
use std::sync::Arc;

#[derive(Debug)]
struct Failed;

impl From<coord::Error> for Failed {
    fn from(_: coord::Error) -> Self {
        Failed
    }
}

#[test]
fn floods_of_names_share_the_overflow_entry_instead_of_panicking() {
    // Three times the operations the cells once held.
    let names = 3 * MAX_OPERATIONS + 100;
    for n in 0..names {
        let result = coord::track_fn(&format!("flood.op.{n}"), || Ok::<u32, Failed>(1));
        assert!(result.is_ok());
        let retried = coord::ErrorHandling::<Failed>::new(&format!("flood.retry.{n}"))
            .call(|| Ok::<u32, Failed>(2));
        assert!(retried.is_ok());
    }
    let stats = coord::tracking::operation_stats();
    assert_eq!(
        stats.len(),
        MAX_OPERATIONS + 1,
        "the cap plus the overflow entry"
    );
    let overflow = stats
        .iter()
        .find(|op| op.operation == OVERFLOW)
        .expect("overflow operation");
    // Every call past the cap was counted there, none lost.
    let own: u64 = stats
        .iter()
        .filter(|op| op.operation != OVERFLOW)
        .map(|op| op.calls.total())
        .sum();
    assert_eq!(own + overflow.calls.total(), names as u64);
    let retry_names = coord::retry::retry_stats().len();
    assert_eq!(retry_names, MAX_OPERATIONS + 1);

    // Breakers by name: the cap, then one shared breaker; registering past it is an error.
    for n in 0..MAX_BREAKERS + 50 {
        coord::breaker(&format!("flood.breaker.{n}"));
    }
    let shared = coord::breaker("flood.breaker.late");
    assert_eq!(shared.name(), OVERFLOW);
    assert_eq!(coord::breaker::breakers().len(), MAX_BREAKERS + 1);
    let refused = coord::breaker::register_breaker(
        "flood.breaker.registered",
        BreakerConfig::new(),
        Arc::new(SystemClock),
    );
    assert!(
        matches!(refused, Err(coord::Error::TooManyBreakers { limit, .. }) if limit == MAX_BREAKERS),
        "{refused:?}"
    );

    // Rule sets past the cap still validate with their own rules; only their counts share.
    let spec = RuleSetSpec::new().field("n", FieldSpec::of(FieldType::Integer));
    for n in 0..=MAX_RULE_SETS + 10 {
        coord::validation::register_rule_set(&format!("flood.rules.{n}"), &spec).expect("register");
    }
    let last = format!("flood.rules.{}", MAX_RULE_SETS + 10);
    let verdict = coord::validate(&last, &serde_json::json!({"n": "x"})).expect("validate");
    assert!(!verdict.is_valid, "its own rules still apply");
    let report = coord::validation::validation_report();
    assert!(
        report
            .rule_sets
            .iter()
            .any(|set| set.rule_set == OVERFLOW && set.validations >= 1),
        "the validation is counted under the overflow name"
    );
}

/// Locks taken by keys that carry no `:` are each their own template (the series' label): past
/// the cap, their counts go to the overflow row, none lost, and the report stays bounded.
#[tokio::test]
async fn a_flood_of_lock_templates_shares_the_overflow_row() {
    use coord::lock::{LockBackend, MAX_LOCK_TEMPLATES, install_backend};
    use coord::store::AnyStore;

    install_backend(
        "flood-locks",
        LockBackend::store(AnyStore::open("memory:").await.expect("memory store")),
    );
    let keys = MAX_LOCK_TEMPLATES + 50;
    for n in 0..keys {
        coord::lock(format!("flood-lock-{n}"))
            .backend("flood-locks")
            .acquire()
            .await
            .expect("uncontended")
            .release()
            .await
            .expect("released");
    }
    let locks = coord::report().locks;
    assert_eq!(
        locks.len(),
        MAX_LOCK_TEMPLATES + 1,
        "the cap plus the overflow row"
    );
    let overflow = locks
        .iter()
        .find(|row| row.lock == OVERFLOW)
        .expect("the overflow row");
    assert_eq!(overflow.acquired, 50);
    assert_eq!(
        locks.iter().map(|row| row.acquired).sum::<u64>(),
        keys as u64
    );
    assert!(locks.iter().all(|row| row.held == 0), "every hold ended");
}

/// The long version, for the figures: 100 000 breaker names (which once made 800 001 series
/// and a 57 MB `/metrics` rendered in 4.2 s). `cargo test --release --test name_floods --
/// --ignored --nocapture`.
#[test]
#[ignore = "long: 100 000 names and a full render"]
fn a_hundred_thousand_breaker_names_keep_metrics_small() {
    let exporter = coord::prometheus().install().expect("install");
    for n in 0..100_000 {
        coord::breaker(&format!("flood.long.{n}"));
    }
    let started = std::time::Instant::now();
    let text = exporter.render();
    let took = started.elapsed();
    let series = text.lines().filter(|line| !line.starts_with('#')).count();
    eprintln!(
        "100 000 breaker names: {} breakers, {series} series, /metrics {} bytes rendered in {took:?}",
        coord::breaker::breakers().len(),
        text.len()
    );
    assert!(coord::breaker::breakers().len() <= MAX_BREAKERS + 1);
    assert!(series < 20 * MAX_BREAKERS, "{series} series");
}
