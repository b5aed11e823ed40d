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

/// Locks on the server's database `db` (a database of the test's own, so its connections can
/// be told apart in `CLIENT LIST`), under `test`'s prefix, if the server answers.
pub async fn connect_in_db(test: &str, db: u8) -> Option<RedisLocks> {
    match RedisLocks::connect(&format!("{}/{db}", url()), &prefix(test)).await {
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

/// The ids of the clients connected to database `db`, read from a connection of database 0.
pub async fn clients_in_db(db: u8) -> Vec<u64> {
    let client = redis::Client::open(url()).expect("the Redis URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("the server answers");
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut connection)
        .await
        .expect("CLIENT LIST");
    list.lines()
        .filter(|line| line.split(' ').any(|field| field == format!("db={db}")))
        .filter_map(|line| {
            line.split(' ')
                .find_map(|field| field.strip_prefix("id="))
                .and_then(|id| id.parse().ok())
        })
        .collect()
}

/// Closes, from the server's side, every connection to database `db`.
pub async fn kill_clients_in_db(db: u8) {
    let client = redis::Client::open(url()).expect("the Redis URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("the server answers");
    for id in clients_in_db(db).await {
        let _: Result<i64, _> = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query_async(&mut connection)
            .await;
    }
}

/// Deletes every key under `test`'s prefix in database `db`.
pub async fn cleanup_db(test: &str, db: u8) {
    let Ok(client) = redis::Client::open(format!("{}/{db}", url())) else {
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
