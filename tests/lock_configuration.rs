//! The lock backend from the configuration: `lock_backend` (or `COORDINATION_LOCK_BACKEND`)
//! naming a Redis server (or PostgreSQL advisory locks) that does not answer makes
//! `coord::init` fail, naming the URL without its password, and leaves no configuration in effect; one that answers is where locks go.

use std::process::Command;

use coord::config::{ConfigError, CoordinationConfig};

fn redis_url() -> String {
    std::env::var("COORD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn redis_answers() -> bool {
    let answers = Command::new("redis-cli")
        .args(["-u", &redis_url(), "ping"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("PONG"));
    assert!(
        answers || std::env::var("COORD_REQUIRE_SERVICES").as_deref() != Ok("1"),
        "Redis required (COORD_REQUIRE_SERVICES=1) but unreachable at {}",
        redis_url()
    );
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_checks_the_lock_backend_and_locks_go_where_it_says() {
    let configured = |location: &str| {
        CoordinationConfig::builder()
            .env([("COORDINATION_LOCK_BACKEND", location)])
            .load()
            .expect("a valid location")
    };
    // Nothing answers on port 1: init fails, names the server, hides the password — for
    // Redis and for PostgreSQL advisory locks.
    for (location, shown) in [
        (
            "redis://app:s3cret@127.0.0.1:1/0",
            "redis://app:***@127.0.0.1:1/0",
        ),
        (
            "advisory+postgres://app:s3cret@127.0.0.1:1/test?schema=coord",
            "advisory locks at postgres://app:***@127.0.0.1:1/test",
        ),
    ] {
        let refused = coord::init_with(configured(location)).unwrap_err();
        let message = refused.to_string();
        assert!(
            matches!(
                refused,
                ConfigError::Unavailable {
                    key: "lock_backend",
                    ..
                }
            ),
            "{message}"
        );
        assert!(message.contains(shown), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
    }
    // A location that does not parse is a configuration error naming the variable.
    let bad = CoordinationConfig::builder()
        .env([("COORDINATION_LOCK_BACKEND", "mongodb://u:hunter2@db")])
        .load()
        .unwrap_err()
        .to_string();
    assert!(
        bad.contains("COORDINATION_LOCK_BACKEND") && !bad.contains("hunter2"),
        "{bad}"
    );

    if !redis_answers() {
        eprintln!("skipped: no Redis at {}", redis_url());
        return;
    }
    // Nothing was installed by the failed init: a good backend now takes effect.
    let prefix = format!("coord-test:config:{}:", std::process::id());
    coord::init_with(configured(&format!("{}?prefix={prefix}", redis_url())))
        .expect("the Redis server answers");
    let guard = coord::lock("inventory:9").acquire().await.unwrap();
    let held = Command::new("redis-cli")
        .args([
            "-u",
            &redis_url(),
            "exists",
            &format!("{prefix}coord:lock:inventory:9"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&held.stdout).trim(),
        "1",
        "the hold is in Redis"
    );
    guard.release().await.unwrap();
    let _ = Command::new("redis-cli")
        .args([
            "-u",
            &redis_url(),
            "del",
            &format!("{prefix}coord:lock-token:inventory:9"),
        ])
        .output();
}
