//! Properties of retry schedules, over arbitrary policies: exact delays without jitter, the
//! bounds of each jitter mode, the `max_delay` cap, the deadline, and the number of attempts.
//!
//! The randomness of jitter is an argument (`unit`), and the runs use a fixed seed (whatever
//! `PROPTEST_RNG_SEED` says), so the verdict depends only on the code. Failures found by the
//! random exploration (`cargo test -p coord-runtime --release --test backoff_properties --
//! --ignored`) are persisted to `backoff_properties.proptest-regressions` and replayed first.

use std::time::Duration;

use coord_runtime::{Backoff, Jitter, RetryPolicy, Severity, StopReason};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// The default suite's runs: 256 cases from a fixed seed.
fn fixed_seed() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x00c0_07d1),
        ..ProptestConfig::default()
    }
}

/// The long exploration: random seeds, `PROPTEST_CASES` cases (100 000 by default).
fn random_seeds() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(100_000);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Random,
        ..ProptestConfig::default()
    }
}

fn backoff() -> impl Strategy<Value = Backoff> {
    prop_oneof![
        Just(Backoff::Exponential),
        Just(Backoff::Linear),
        Just(Backoff::Constant)
    ]
}

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Full),
        Just(Jitter::Equal),
        Just(Jitter::Decorrelated)
    ]
}

prop_compose! {
    fn policy()(
        retries in 0u32..12,
        backoff in backoff(),
        jitter in jitter(),
        base_ms in 0u64..2_000,
        multiplier in 1.0f64..4.0,
        extra_max_ms in 0u64..60_000,
    ) -> RetryPolicy {
        RetryPolicy::for_severity(Severity::Medium)
            .max_retries(retries)
            .backoff(backoff)
            .jitter(jitter)
            .base_delay(Duration::from_millis(base_ms))
            .multiplier(multiplier)
            .max_delay(Duration::from_millis(base_ms + extra_max_ms))
    }
}

fn close(a: Duration, b: Duration) -> bool {
    a.abs_diff(b) <= Duration::from_micros(1)
}

fn uncapped_ms(backoff: Backoff, base_ms: u64, multiplier: f64, retry: u32) -> f64 {
    let base = base_ms as f64;
    match backoff {
        Backoff::Constant => base,
        Backoff::Linear => base * f64::from(retry),
        Backoff::Exponential => base * multiplier.powi(retry as i32 - 1),
    }
}

/// The four properties, as one test each, for both configurations.
macro_rules! properties {
    ($config:expr $(, #[$attribute:meta])?) => {
        proptest! {
            #![proptest_config($config)]

            #[test]
            $(#[$attribute])?
            fn attempts_are_max_retries_plus_one(policy in policy()) {
                let mut retries = 0;
                while policy.next_delay(retries, None, Duration::ZERO, Duration::ZERO, 0.5).is_ok() {
                    retries += 1;
                }
                prop_assert_eq!(retries, policy.max_retries_value());
                prop_assert_eq!(
                    policy.next_delay(retries, None, Duration::ZERO, Duration::ZERO, 0.5),
                    Err(StopReason::RetriesExhausted)
                );
                prop_assert_eq!(policy.delays_without_jitter().count() as u32, policy.max_retries_value());
            }

            #[test]
            $(#[$attribute])?
            fn without_jitter_delays_follow_the_formula_capped_at_max_delay(
                backoff in backoff(),
                base_ms in 1u64..1_000,
                multiplier in 1.0f64..3.0,
                max_ms in 1u64..30_000,
                retry in 1u32..20,
            ) {
                let max_ms = max_ms.max(base_ms);
                let policy = RetryPolicy::for_severity(Severity::Medium)
                    .backoff(backoff)
                    .jitter(Jitter::None)
                    .base_delay(Duration::from_millis(base_ms))
                    .multiplier(multiplier)
                    .max_delay(Duration::from_millis(max_ms));
                let expected_ms = uncapped_ms(backoff, base_ms, multiplier, retry).min(max_ms as f64);
                let expected = Duration::from_secs_f64(expected_ms / 1e3);
                prop_assert!(close(policy.delay(retry, None, 0.7), expected));
                prop_assert!(close(policy.capped_delay(retry), expected));
            }

            #[test]
            $(#[$attribute])?
            fn jittered_delays_stay_within_their_mode_and_the_cap(
                policy in policy(),
                retry in 1u32..20,
                previous_ms in 0u64..60_000,
                unit in 0.0f64..1.0,
            ) {
                let capped = policy.capped_delay(retry);
                let previous = Duration::from_millis(previous_ms);
                let delay = policy.delay(retry, Some(previous), unit);
                let max = policy.max_delay_value();
                prop_assert!(delay <= max, "{delay:?} above the cap {max:?}");
                match policy.jitter_value() {
                    Jitter::None => prop_assert!(close(delay, capped)),
                    Jitter::Full => prop_assert!(delay <= capped),
                    Jitter::Equal => prop_assert!(delay + Duration::from_micros(1) >= capped / 2 && delay <= capped),
                    Jitter::Decorrelated => {
                        let base = policy.base_delay_value();
                        prop_assert!(delay + Duration::from_micros(1) >= base.min(max));
                        prop_assert!(delay <= (previous * 3).max(base).min(max) + Duration::from_micros(1));
                    }
                }
            }

            #[test]
            $(#[$attribute])?
            fn no_retry_is_planned_past_the_deadline(
                policy in policy(),
                deadline_ms in 1u64..10_000,
                elapsed_ms in 0u64..10_000,
                last_ms in 0u64..5_000,
                unit in 0.0f64..1.0,
            ) {
                let policy = policy.deadline(Duration::from_millis(deadline_ms));
                let (elapsed, last) = (Duration::from_millis(elapsed_ms), Duration::from_millis(last_ms));
                if let Ok(delay) = policy.next_delay(0, None, elapsed, last, unit) {
                    prop_assert!(elapsed + delay + last <= Duration::from_millis(deadline_ms));
                }
            }
        }
    };
}

mod fixed {
    use super::*;
    properties!(fixed_seed());
}

mod explore {
    use super::*;
    properties!(
        random_seeds(),
        #[ignore = "long random exploration; run with --release -- --ignored"]
    );
}
