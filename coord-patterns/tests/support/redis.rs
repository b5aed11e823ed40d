//! The Redis server of the tests: `COORD_TEST_REDIS`, by default the one this machine kind
//! starts on loopback. Each test writes under a key prefix of its own and deletes it after. A
//! test that cannot reach the server says it is skipped, unless `COORD_REQUIRE_SERVICES=1`
//! (set by CI), which makes that a failure.

#![allow(dead_code)]

use coord_patterns::lock::RedisLocks;

/// The server's URL.
pub fn url() -> String {
    std::env::var("COORD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The key prefix of `test` in this process.
pub fn prefix(test: &str) -> String {
    format!("coord-test:{test}:{}:", std::process::id())
}

/// Locks on the server under `test`'s prefix, if it answers.
pub async fn connect(test: &str) -> Option<RedisLocks> {
    match RedisLocks::connect(&url(), &prefix(test)).await {
        Ok(redis) => Some(redis),
        Err(err) => {
            assert!(
                std::env::var("COORD_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "Redis required (COORD_REQUIRE_SERVICES=1) but unreachable: {err}"
            );
            eprintln!("skipped: {err}");
            None
        }
    }
}

/// Deletes every key under `test`'s prefix.
pub async fn cleanup(test: &str) {
    let Ok(client) = redis::Client::open(url()) else {
        return;
    };
    let Ok(mut connection) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", prefix(test)))
        .query_async(&mut connection)
        .await
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: Result<(), _> = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut connection)
            .await;
    }
}
