//! The Redis server of the tests: `COORD_TEST_REDIS`, by default the one this machine kind
//! starts on loopback. Each test writes under a key prefix of its own and deletes it after. A
//! test that cannot reach the server says it is skipped, unless `COORD_REQUIRE_SERVICES=1`
//! (set by CI), which makes that a failure. A test whose connections must be told apart in
//! `CLIENT LIST` uses a database of its own (`*_in_db`); the others use database 0.

#![allow(dead_code)]

use coord_patterns::lock::RedisLocks;

use super::slow_link::SlowLink;

/// The server's URL.
pub fn url() -> String {
    std::env::var("COORD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The server's database `db`.
fn url_of_db(db: u8) -> String {
    format!("{}/{db}", url())
}

/// The key prefix of `test` in this process.
pub fn prefix(test: &str) -> String {
    format!("coord-test:{test}:{}:", std::process::id())
}

/// Locks on the server under `test`'s prefix, if it answers.
pub async fn connect(test: &str) -> Option<RedisLocks> {
    connect_at(&url(), test).await
}

/// Locks on the server's database `db`, under `test`'s prefix, if the server answers.
pub async fn connect_in_db(test: &str, db: u8) -> Option<RedisLocks> {
    connect_at(&url_of_db(db), test).await
}

async fn connect_at(url: &str, test: &str) -> Option<RedisLocks> {
    match RedisLocks::connect(url, &prefix(test)).await {
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

/// Locks on the server through a relay whose answers the test can hold back, under `test`'s
/// prefix, if the server answers.
pub async fn connect_through_relay(test: &str) -> Option<(SlowLink, RedisLocks)> {
    connect_through_relay_to(test, "0").await
}

/// As [`connect_through_relay`], on the server's database `db`.
pub async fn connect_through_relay_in_db(test: &str, db: u8) -> Option<(SlowLink, RedisLocks)> {
    connect_through_relay_to(test, &db.to_string()).await
}

async fn connect_through_relay_to(test: &str, db: &str) -> Option<(SlowLink, RedisLocks)> {
    let server = url();
    let address = server
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .and_then(|addr| std::net::ToSocketAddrs::to_socket_addrs(addr).ok()?.next())
        .expect("host:port in COORD_TEST_REDIS");
    let link = SlowLink::start(address).await;
    let locks = connect_at(&format!("redis://{}/{db}", link.addr), test).await?;
    Some((link, locks))
}

/// Deletes every key under `test`'s prefix.
pub async fn cleanup(test: &str) {
    cleanup_at(&url(), test).await;
}

/// Deletes every key under `test`'s prefix in database `db`.
pub async fn cleanup_db(test: &str, db: u8) {
    cleanup_at(&url_of_db(db), test).await;
}

async fn cleanup_at(url: &str, test: &str) {
    let Ok(client) = redis::Client::open(url) else {
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

/// A connection to database 0, for listing and killing clients.
async fn admin() -> redis::aio::MultiplexedConnection {
    redis::Client::open(url())
        .expect("the Redis URL")
        .get_multiplexed_async_connection()
        .await
        .expect("the server answers")
}

/// The ids of the clients connected to database `db`.
pub async fn clients_in_db(db: u8) -> Vec<u64> {
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut admin().await)
        .await
        .expect("CLIENT LIST");
    let selected = format!("db={db}");
    list.lines()
        .filter(|line| line.split(' ').any(|field| field == selected))
        .filter_map(|line| {
            line.split(' ')
                .find_map(|field| field.strip_prefix("id="))
                .and_then(|id| id.parse().ok())
        })
        .collect()
}

/// Closes, from the server's side, every connection to database `db`.
pub async fn kill_clients_in_db(db: u8) {
    let mut connection = admin().await;
    for id in clients_in_db(db).await {
        let _: Result<i64, _> = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query_async(&mut connection)
            .await;
    }
}
