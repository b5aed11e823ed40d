//! Locks on a single Redis instance (feature `redis`). A hold is the key `coord:lock:{key}`
//! holding its owner (unique to one acquisition) with a `PX` expiry, set by `SET NX PX`
//! pipelined with the `INCR coord:lock-token:{key}` that gives its token. Release and renewal
//! compare the owner before deleting or extending, in Lua (Redis 7 has no compare-and-delete
//! command).
//!
//! Why the two commands need no `MULTI`/`EXEC` or script around them: a token orders holds if
//! each holder's `INCR` runs while its hold lasts, since the next hold starts only after this
//! one ends and increments after it. The `INCR` runs after the `SET` (one connection's commands
//! run in order) and before its answer comes back, and an answer that comes back more than a
//! TTL after the request was sent is not trusted (the generic acquisition gives that hold back:
//! see `LockRequest::acquire`); so an `INCR` whose answer is used ran within a TTL of the `SET`,
//! while the hold lasted. A `MULTI`/`EXEC` around them would add two commands and two answers
//! for nothing; a script costs the server more still (BENCHMARKS.md, "Locks").
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

use redis::{Client, RedisWrite, Script, ToRedisArgs};

use super::call_deadline::within;
use super::redis_link::RedisLink;

/// How long a call waits for the server's answer before it fails: bounded by the call
/// sweeper, not a timer per call (`call_deadline.rs` says why).
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// What a call that got no answer in time fails with.
fn no_answer() -> redis::RedisError {
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("no answer within {ANSWER_WITHIN:?}"),
    )
    .into()
}

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
    link: RedisLink,
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
    /// prefixing every key it writes with `prefix` (e.g. your service's name). The connection
    /// is re-established after a drop; each call fails rather than waits for an answer past
    /// 2 s (give or take 20 ms).
    ///
    /// # Errors
    /// A message naming the URL (without its password) and why it does not answer.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        let shown = coord_text::without_password(url);
        let fail = |err: redis::RedisError| format!("Redis at {shown}: {err}");
        let client = Client::open(url).map_err(fail)?;
        let link = RedisLink::open(client, Duration::from_secs(2))
            .await
            .map_err(fail)?;
        Ok(Self(Arc::new(Inner {
            link,
            shown: shown.clone(),
            prefix: prefix.to_owned(),
            renew: Script::new(RENEW),
            release: Script::new(RELEASE),
        })))
    }

    pub(crate) fn describe(&self) -> String {
        format!("Redis at {}", self.0.shown)
    }

    fn hold_key<'a>(&'a self, key: &'a str) -> Prefixed<'a> {
        Prefixed {
            prefix: &self.0.prefix,
            kind: "coord:lock:",
            key,
        }
    }

    fn counter_key<'a>(&'a self, key: &'a str) -> Prefixed<'a> {
        Prefixed {
            prefix: &self.0.prefix,
            kind: "coord:lock-token:",
            key,
        }
    }

    fn fail(&self, err: &redis::RedisError) -> String {
        format!("Redis at {}: {err}", self.0.shown)
    }

    /// Takes the hold if free, with the key's next token: `SET NX PX` then `INCR`, pipelined
    /// (why no transaction is needed: the module's documentation). The counter moves on a
    /// refused attempt too; tokens then skip numbers but still grow with each hold.
    ///
    /// A connection found dropped (the server restarted, or closed it while idle) is
    /// reconnected and the pipeline sent once more, asking also who holds the key: if the
    /// first one ran before the drop, the hold is already `owner`'s, and the second's token,
    /// greater than every token given out before, is the one to fence with.
    pub(crate) async fn acquire(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<u64>, String> {
        let (hold, counter) = (self.hold_key(key), self.counter_key(key));
        let (taken, _) = self
            .0
            .link
            .send(|mut connection, resent| async move {
                Self::take(&mut connection, hold, counter, owner, ttl, resent).await
            })
            .await;
        taken.map_err(|err| self.fail(&err))
    }

    /// One pipeline taking `hold`; with `ours_counts`, a hold `owner` already has is taken too
    /// (its `GET` runs after the `INCR`, so a hold it finds ours lasted through the `INCR`).
    async fn take(
        connection: &mut redis::aio::MultiplexedConnection,
        hold: Prefixed<'_>,
        counter: Prefixed<'_>,
        owner: &str,
        ttl: Duration,
        ours_counts: bool,
    ) -> redis::RedisResult<Option<u64>> {
        let mut take = redis::pipe();
        take.cmd("SET")
            .arg(hold)
            .arg(owner)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .cmd("INCR")
            .arg(counter);
        let taken = if ours_counts {
            take.cmd("GET").arg(hold);
            let (set, token, holder): (redis::Value, u64, Option<String>) =
                within(ANSWER_WITHIN, take.query_async(connection))
                    .await
                    .map_err(|_| no_answer())??;
            (set != redis::Value::Nil || holder.as_deref() == Some(owner)).then_some(token)
        } else {
            let (set, token): (redis::Value, u64) =
                within(ANSWER_WITHIN, take.query_async(connection))
                    .await
                    .map_err(|_| no_answer())??;
            (set != redis::Value::Nil).then_some(token)
        };
        Ok(taken)
    }

    /// Runs `invocation` (a script answering 1 or 0), once more on a new connection if the
    /// connection was found dropped; the answer, and whether it was the resend's.
    async fn invoke_resending(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<(bool, bool), String> {
        let (answer, resent) = self
            .0
            .link
            .send(|mut connection, _| async move {
                within(
                    ANSWER_WITHIN,
                    invocation.invoke_async::<i64>(&mut connection),
                )
                .await
                .map_err(|_| no_answer())?
            })
            .await;
        let answer = answer.map_err(|err| self.fail(&err))?;
        Ok((answer == 1, resent))
    }

    /// Extends the hold if `owner` (unique to one acquisition) still has it; sent once more
    /// on a connection found dropped (extending twice is harmless).
    pub(crate) async fn renew(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<bool, String> {
        let mut invocation = self.0.renew.key(self.hold_key(key));
        invocation.arg(owner).arg(millis(ttl));
        let (renewed, _) = self.invoke_resending(&invocation).await?;
        Ok(renewed)
    }

    /// Deletes the hold if `owner` (unique to one acquisition) still has it. On a connection
    /// found dropped it is sent once more: deleted then, the first never ran; found gone, the
    /// first may have deleted it or the lease ended, and the error says it cannot tell.
    pub(crate) async fn release(&self, key: &str, owner: &str) -> Result<bool, String> {
        let mut invocation = self.0.release.key(self.hold_key(key));
        invocation.arg(owner);
        match self.invoke_resending(&invocation).await? {
            (false, true) => Err(format!(
                "Redis at {}: the connection dropped while releasing; the hold is gone, by this \
                 release or by its lease running out",
                self.0.shown
            )),
            (released, _) => Ok(released),
        }
    }
}

/// A key as `prefix`, `kind` and `key`, written straight into the command: no string is built
/// for it.
#[derive(Clone, Copy)]
struct Prefixed<'a> {
    prefix: &'a str,
    kind: &'static str,
    key: &'a str,
}

impl ToRedisArgs for Prefixed<'_> {
    fn write_redis_args<W: ?Sized + RedisWrite>(&self, out: &mut W) {
        // Joined on the stack and written as one argument: written piece by piece, the
        // command's buffer (or a script's key list) grows, and reallocates, for each piece.
        let parts = [self.prefix, self.kind, self.key].map(str::as_bytes);
        let len: usize = parts.iter().map(|part| part.len()).sum();
        let mut joined = [0; 1024];
        if len <= joined.len() {
            let mut at = 0;
            for part in parts {
                joined[at..at + part.len()].copy_from_slice(part);
                at += part.len();
            }
            out.write_arg(&joined[..len]);
        } else {
            out.write_arg(&parts.concat());
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resend after a dropped connection: if the first pipeline ran, the hold is
    /// already this owner's and the resend takes it with a greater token; a plain take still
    /// finds it held, and another owner's resend is refused.
    #[tokio::test]
    async fn a_resent_take_counts_a_hold_already_ours_and_no_other() {
        let url = std::env::var("COORD_TEST_REDIS")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        let prefix = format!("coord-unit:{}:", std::process::id());
        let redis = match RedisLocks::connect(&url, &prefix).await {
            Ok(redis) => redis,
            Err(err) => {
                assert!(
                    std::env::var("COORD_REQUIRE_SERVICES").as_deref() != Ok("1"),
                    "Redis required (COORD_REQUIRE_SERVICES=1) but unreachable: {err}"
                );
                eprintln!("skipped: {err}");
                return;
            }
        };
        let ttl = Duration::from_secs(5);
        let (hold, counter) = (redis.hold_key("k"), redis.counter_key("k"));
        let mut connection = redis.0.link.connection();
        let connection = &mut connection;
        let first = RedisLocks::take(connection, hold, counter, "me", ttl, false)
            .await
            .unwrap();
        let resent = RedisLocks::take(connection, hold, counter, "me", ttl, true)
            .await
            .unwrap();
        assert!(
            first.is_some() && resent > first,
            "{first:?} then {resent:?}"
        );
        assert_eq!(
            RedisLocks::take(connection, hold, counter, "me", ttl, false)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            RedisLocks::take(connection, hold, counter, "other", ttl, true)
                .await
                .unwrap(),
            None
        );
        assert_eq!(redis.release("k", "other").await, Ok(false));
        assert_eq!(redis.release("k", "me").await, Ok(true));
        let _: redis::RedisResult<i64> =
            redis::cmd("DEL").arg(counter).query_async(connection).await;
    }
}
