//! The Redis lock backend's connections. The `redis` crate's async connections are
//! multiplexed: a request goes over a channel to a driver task that writes it, reads the reply
//! and sends it back, two task hand-offs per command, about a tenth of an uncontended lock
//! cycle (two round trips; `benchmarks/src/bin/lock-ratios.rs`). So a call first takes one of
//! two connections whose driver future the caller polls itself, in the same `select!` as its
//! request (the crate still connects, encodes, parses and times out). When both are busy it
//! goes on one shared multiplexed connection instead, whose driver batches concurrent commands
//! into one write and one read: under load that carries more calls than a connection each.
//!
//! A caller-driven connection that failed in any way is dropped rather than reused, and one
//! found closed while idle (a restart, `CLIENT KILL`, a server timeout) is dropped before a
//! request is sent on it, so a restarted server costs at most the calls in flight.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Waker};
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::{
    AsyncConnectionConfig, Client, ConnectionAddr, ConnectionInfo, ErrorKind, FromRedisValue,
    Pipeline, RedisError, RedisResult, ScriptInvocation,
};

/// How long connecting (with AUTH and SELECT) and each reply may take.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Caller-driven connections open at most: enough for a quiet service's calls (a release and
/// the next acquire, a renewal beside them); past them, the shared connection batches.
const DRIVEN: usize = 2;

/// A connection and the future that reads and writes its socket.
struct Driven {
    connection: MultiplexedConnection,
    driver: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl Driven {
    /// Whether the server closed it while it sat idle: its driver ends once it reads the
    /// end of the stream. Polled with a no-op waker: nothing waits on an idle connection.
    fn closed(&mut self) -> bool {
        let mut context = Context::from_waker(Waker::noop());
        self.driver.as_mut().poll(&mut context).is_ready()
    }
}

/// The connections: a few driven by their caller, and one shared multiplexed connection for
/// the calls that find them all busy.
pub(crate) struct RedisConnections {
    info: ConnectionInfo,
    idle: Mutex<Vec<Driven>>,
    /// Caller-driven connections serving a call now.
    in_use: AtomicUsize,
    shared: ConnectionManager,
}

/// What a call sends.
#[derive(Clone, Copy)]
pub(crate) enum Request<'a> {
    /// A Lua script, loaded first if the server lacks it.
    Script(&'a ScriptInvocation<'a>),
    /// Commands in one `MULTI`/`EXEC`.
    Transaction(&'a Pipeline),
}

impl Request<'_> {
    async fn send<T: FromRedisValue>(self, connection: &mut impl ConnectionLike) -> RedisResult<T> {
        match self {
            Request::Script(invocation) => invocation.invoke_async(connection).await,
            Request::Transaction(pipeline) => pipeline.query_async(connection).await,
        }
    }
}

/// Which connection a call goes on.
enum Lane {
    Driven(Driven),
    Open,
    Shared,
}

/// Counts a caller-driven connection out of the pool until the call ends, however it ends.
struct InUse<'a>(&'a AtomicUsize);

impl Drop for InUse<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl RedisConnections {
    /// The connections to the server `info` names: the shared one and a first caller-driven
    /// one, both made now so a server that does not answer is an error here rather than at
    /// the first lock.
    pub(crate) async fn connect(client: Client) -> RedisResult<Self> {
        let info = client.get_connection_info().clone();
        let first = open(&info).await?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT)
            .set_number_of_retries(2)
            .set_max_delay(500);
        let shared = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self {
            info,
            idle: Mutex::new(vec![first]),
            in_use: AtomicUsize::new(0),
            shared,
        })
    }

    /// Sends `request`: on an idle caller-driven connection, a new one while fewer than
    /// [`DRIVEN`] are open, or else the shared one.
    pub(crate) async fn send<T: FromRedisValue>(&self, request: Request<'_>) -> RedisResult<T> {
        let lane = self.lane();
        if let Lane::Shared = lane {
            return request.send(&mut self.shared.clone()).await;
        }
        let _in_use = InUse(&self.in_use);
        let mut driven = match lane {
            Lane::Driven(driven) => driven,
            Lane::Open | Lane::Shared => open(&self.info).await?,
        };
        let Driven { connection, driver } = &mut driven;
        let answer = tokio::select! {
            biased;
            answer = request.send(connection) => answer,
            () = driver => Err(RedisError::from((
                ErrorKind::IoError,
                "the server closed the connection",
            ))),
        };
        // A connection that failed (or whose driver ended) is dropped, never reused: its
        // state is unknown. A cancelled call drops it too, with this future.
        if answer.is_ok() {
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(driven);
        }
        answer
    }

    /// Sends `request` on the shared connection: for the watchdog's renewals, which run on a
    /// runtime of their own. A caller-driven connection answers through the runtime that
    /// opened it, so one the watchdog opened would wake every later caller across threads.
    pub(crate) async fn send_shared<T: FromRedisValue>(
        &self,
        request: Request<'_>,
    ) -> RedisResult<T> {
        request.send(&mut self.shared.clone()).await
    }

    /// Picks the connection for a call, counting a caller-driven one (idle or to open) as in
    /// use: the caller holds an [`InUse`] for it.
    fn lane(&self) -> Lane {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let lane = loop {
            match idle.pop() {
                Some(mut driven) => {
                    if !driven.closed() {
                        break Lane::Driven(driven);
                    }
                }
                None if self.in_use.load(Ordering::Acquire) < DRIVEN => break Lane::Open,
                None => return Lane::Shared,
            }
        };
        self.in_use.fetch_add(1, Ordering::AcqRel);
        lane
    }
}

/// Opens one connection: the socket, then the crate's handshake.
async fn open(info: &ConnectionInfo) -> RedisResult<Driven> {
    let config = AsyncConnectionConfig::new().set_response_timeout(TIMEOUT);
    let handshake = async {
        let (connection, driver) = match &info.addr {
            ConnectionAddr::Tcp(host, port) => {
                let stream = tokio::net::TcpStream::connect((host.as_str(), *port)).await?;
                stream.set_nodelay(true)?;
                let (connection, driver) =
                    MultiplexedConnection::new_with_config(&info.redis, stream, config).await?;
                (connection, boxed(driver))
            }
            #[cfg(unix)]
            ConnectionAddr::Unix(path) => {
                let stream = tokio::net::UnixStream::connect(path).await?;
                let (connection, driver) =
                    MultiplexedConnection::new_with_config(&info.redis, stream, config).await?;
                (connection, boxed(driver))
            }
            _ => {
                return Err(RedisError::from((
                    ErrorKind::InvalidClientConfig,
                    "locks connect over TCP or a Unix socket (`redis://`, `redis+unix://`); TLS is not built in",
                )));
            }
        };
        Ok(Driven { connection, driver })
    };
    tokio::time::timeout(TIMEOUT, handshake)
        .await
        .unwrap_or_else(|_| {
            Err(RedisError::from((
                ErrorKind::IoError,
                "no answer within 2 s",
            )))
        })
}

fn boxed(
    driver: impl Future<Output = ()> + Send + 'static,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(driver)
}
