//! The connection a Redis lock backend sends on: one multiplexed connection shared by every
//! call, replaced when a call finds it dropped (a restart, an idle timeout, `CLIENT KILL`), and
//! the call then sent once more. Not the `redis` crate's `ConnectionManager`: before each
//! command reaches the connection it loads a swapped pointer and clones and polls a shared
//! future, 1.7 k of its 34.4 k instructions an uncontended lock cycle (callgrind,
//! `lock-instructions`); its reconnection is what this file does, and its response timer what
//! `call_deadline.rs` does more cheaply.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, RedisResult};

/// A connection and how many times the link has replaced one before it.
#[derive(Clone)]
struct Current {
    generation: u64,
    connection: MultiplexedConnection,
}

/// One server's connection, kept open.
pub(crate) struct RedisLink {
    client: Client,
    config: AsyncConnectionConfig,
    current: RwLock<Current>,
    /// One replacement at a time: the calls that found the same connection dropped wait for
    /// it rather than each opening one.
    replacing: tokio::sync::Mutex<()>,
    /// How many replacements have failed.
    failed_replacements: AtomicU64,
}

impl RedisLink {
    /// Connects to `client`'s server, giving up after `connect_within`.
    pub(crate) async fn open(client: Client, connect_within: Duration) -> RedisResult<Self> {
        let config = AsyncConnectionConfig::new().set_connection_timeout(connect_within);
        let connection = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        Ok(Self {
            client,
            config,
            current: RwLock::new(Current {
                generation: 0,
                connection,
            }),
            replacing: tokio::sync::Mutex::new(()),
            failed_replacements: AtomicU64::new(0),
        })
    }

    /// The current connection (for tests that send commands of their own).
    #[cfg(test)]
    pub(crate) fn connection(&self) -> MultiplexedConnection {
        self.current().connection
    }

    fn current(&self) -> Current {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces connection `generation`, found dropped, unless another call already has — or
    /// has just failed to: the calls waiting meanwhile fail with it rather than each try in
    /// turn, which against a server that does not answer would queue them a connection
    /// timeout apiece.
    async fn replace(&self, generation: u64) -> RedisResult<()> {
        let failures = self.failed_replacements.load(Ordering::Acquire);
        let _one_at_a_time = self.replacing.lock().await;
        let current = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .generation;
        if current != generation {
            return Ok(());
        }
        if self.failed_replacements.load(Ordering::Acquire) != failures {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "the connection dropped and reconnecting just failed",
            )
            .into());
        }
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await
            .inspect_err(|_| {
                self.failed_replacements.fetch_add(1, Ordering::AcqRel);
            })?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Current {
            generation: generation + 1,
            connection,
        };
        Ok(())
    }

    /// `send(connection, resent)` on the current connection; if that finds it dropped, on a
    /// new one, once, with `resent` set (each command coord sends is safe to repeat, or says
    /// what a repeat means). The answer, and whether it was the resend's.
    pub(crate) async fn send<T, F, Fut>(&self, mut send: F) -> (RedisResult<T>, bool)
    where
        F: FnMut(MultiplexedConnection, bool) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let Current {
            generation,
            connection,
        } = self.current();
        match send(connection, false).await {
            Err(err) if err.is_connection_dropped() => {
                if let Err(reconnecting) = self.replace(generation).await {
                    return (Err(reconnecting), true);
                }
                (send(self.current().connection, true).await, true)
            }
            answer => (answer, false),
        }
    }
}
