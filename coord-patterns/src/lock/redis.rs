//! Locks on a single Redis instance (feature `redis`). A hold is the key `coord:lock:{key}`
//! holding its owner (unique to one acquisition) with a `PX` expiry, set by `SET NX PX` in the
//! same `MULTI`/`EXEC` as the `INCR coord:lock-token:{key}` that gives its token: a
//! transaction costs the server less than a Lua script, which matters once many calls share a
//! connection. Release and renewal compare the owner before deleting or extending, in Lua
//! (Redis 7 has no compare-and-delete command).
//!
//! What a single Redis guarantees: holds exclude each other while the server runs and keeps
//! its memory; the token grows per key for as long as the server keeps its data. What it does
//! not: a server restarted without persistence forgets every hold (a holder learns it lost its
//! lock at its next renewal) and restarts the tokens from 1, so a resource fenced by tokens
//! must be told, or use the store backend, whose tokens live with the database. A replica
//! promoted after a failover may not have the latest hold (Redis replication is
//! asynchronous); Redlock is not implemented.

use std::sync::Arc;
use std::time::Duration;

use redis::{Client, Script};

use super::redis_connections::{RedisConnections, Request};

/// Extends `KEYS[1]` by `ARGV[2]` ms if it still holds `ARGV[1]`; 1 if extended.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Deletes `KEYS[1]` if it still holds `ARGV[1]`; 1 if deleted.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A Redis server holding locks.
///
/// ```no_run
/// # async fn connect() -> Result<(), String> {
/// use coord_patterns::lock::{LockBackend, RedisLocks};
///
/// let redis = RedisLocks::connect("redis://127.0.0.1:6379", "myapp:").await?;
/// coord_patterns::lock::install_backend("redis", LockBackend::Redis(redis));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisLocks(Arc<Inner>);

/// What every clone shares: a lock backend is cloned per acquisition.
struct Inner {
    connections: RedisConnections,
    /// The URL without its password, for messages.
    shown: String,
    prefix: String,
    renew: Script,
    release: Script,
}

impl std::fmt::Debug for RedisLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.shown)
    }
}

impl RedisLocks {
    /// Connects to the Redis server at `url` (`redis://[user:password@]host:port[/db]`),
    /// prefixing every key it writes with `prefix` (e.g. your service's name). Calls go on
    /// one of two connections serving one call at a time, or when both are busy on a third
    /// that concurrent calls share; each is re-opened after it fails or the server closes it,
    /// and connecting and each reply fail rather than wait past 2 s.
    ///
    /// # Errors
    /// A message naming the URL (without its password) and why it does not answer.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        let shown = coord_text::without_password(url);
        let fail = |err: redis::RedisError| format!("Redis at {shown}: {err}");
        let client = Client::open(url).map_err(fail)?;
        let connections = RedisConnections::connect(client).await.map_err(fail)?;
        Ok(Self(Arc::new(Inner {
            connections,
            shown: shown.clone(),
            prefix: prefix.to_owned(),
            renew: Script::new(RENEW),
            release: Script::new(RELEASE),
        })))
    }

    pub(crate) fn describe(&self) -> String {
        format!("Redis at {}", self.0.shown)
    }

    fn hold_key(&self, key: &str) -> String {
        format!("{}coord:lock:{key}", self.0.prefix)
    }

    fn fail(&self, err: &redis::RedisError) -> String {
        format!("Redis at {}: {err}", self.0.shown)
    }

    /// Takes the hold if free, with the key's next token: `SET NX PX` and `INCR` in one
    /// `MULTI`/`EXEC`, so no other command runs between them. The counter moves on a refused
    /// attempt too; tokens then skip numbers but still grow with each hold.
    pub(crate) async fn acquire(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, String> {
        let mut take = redis::pipe();
        take.atomic()
            .cmd("SET")
            .arg(self.hold_key(key))
            .arg(owner)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .cmd("INCR")
            .arg(format!("{}coord:lock-token:{key}", self.0.prefix));
        let (taken, token): (redis::Value, u64) = self
            .0
            .connections
            .send(Request::Transaction(&take))
            .await
            .map_err(|err| self.fail(&err))?;
        Ok((taken != redis::Value::Nil).then_some(token))
    }

    /// Extends the hold if `owner` (unique to one acquisition) still has it; from the
    /// watchdog, so on the shared connection.
    pub(crate) async fn renew(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<bool, String> {
        let renewed: i64 = self
            .0
            .connections
            .send_shared(Request::Script(
                self.0
                    .renew
                    .key(self.hold_key(key))
                    .arg(owner)
                    .arg(millis(ttl)),
            ))
            .await
            .map_err(|err| self.fail(&err))?;
        Ok(renewed == 1)
    }

    /// Deletes the hold if `owner` (unique to one acquisition) still has it.
    pub(crate) async fn release(&self, key: &str, owner: &str) -> Result<bool, String> {
        let released: i64 = self
            .0
            .connections
            .send(Request::Script(
                self.0.release.key(self.hold_key(key)).arg(owner),
            ))
            .await
            .map_err(|err| self.fail(&err))?;
        Ok(released == 1)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
