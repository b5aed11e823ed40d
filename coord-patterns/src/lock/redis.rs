//! Locks on a single Redis instance (feature `redis`). A hold is the key `coord:lock:{key}`
//! holding `owner:token` with a `PX` expiry; the token comes from `INCR coord:lock-token:{key}`
//! in the same Lua script that takes the hold, and release and renewal compare the whole
//! value before deleting or extending (Redis 7 has no compare-and-delete command).
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

use redis::aio::ConnectionManager;
use redis::{Client, Script};

/// Takes a free key: `KEYS[1]` the hold, `KEYS[2]` the token counter, `ARGV[1]` the owner,
/// `ARGV[2]` the TTL in ms. Returns the token, or 0 when held.
const ACQUIRE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token
";

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
    connection: ConnectionManager,
    /// The URL without its password, for messages.
    shown: String,
    prefix: String,
    acquire: Script,
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
    /// prefixing every key it writes with `prefix` (e.g. your service's name). The connection
    /// is re-established after a drop; each call fails rather than waits past 2 s.
    ///
    /// # Errors
    /// A message naming the URL (without its password) and why it does not answer.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        let shown = coord_text::without_password(url);
        let fail = |err: redis::RedisError| format!("Redis at {shown}: {err}");
        let client = Client::open(url).map_err(fail)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(2)
            .set_max_delay(500);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(fail)?;
        Ok(Self(Arc::new(Inner {
            connection,
            shown: shown.clone(),
            prefix: prefix.to_owned(),
            acquire: Script::new(ACQUIRE),
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

    pub(crate) async fn acquire(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, String> {
        let token: u64 = self
            .0
            .acquire
            .key(self.hold_key(key))
            .key(format!("{}coord:lock-token:{key}", self.0.prefix))
            .arg(owner)
            .arg(millis(ttl))
            .invoke_async(&mut self.0.connection.clone())
            .await
            .map_err(|err| self.fail(&err))?;
        Ok((token > 0).then_some(token))
    }

    pub(crate) async fn renew(
        &self,
        key: &str,
        owner: &str,
        token: u64,
        ttl: Duration,
    ) -> Result<bool, String> {
        let renewed: i64 = self
            .0
            .renew
            .key(self.hold_key(key))
            .arg(format!("{owner}:{token}"))
            .arg(millis(ttl))
            .invoke_async(&mut self.0.connection.clone())
            .await
            .map_err(|err| self.fail(&err))?;
        Ok(renewed == 1)
    }

    pub(crate) async fn release(&self, key: &str, owner: &str, token: u64) -> Result<bool, String> {
        let released: i64 = self
            .0
            .release
            .key(self.hold_key(key))
            .arg(format!("{owner}:{token}"))
            .invoke_async(&mut self.0.connection.clone())
            .await
            .map_err(|err| self.fail(&err))?;
        Ok(released == 1)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
