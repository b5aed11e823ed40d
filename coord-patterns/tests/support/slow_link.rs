//! A loopback TCP relay that holds back what the server sends by a delay the test sets, to
//! make a server's answers arrive late without touching the server; or that takes new
//! connections and never answers on them, as a server that accepts but is frozen.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// A relay to one server; every connection through it is relayed until either side closes.
pub struct SlowLink {
    /// Where clients connect.
    pub addr: SocketAddr,
    delay_micros: Arc<AtomicU64>,
    silent: Arc<AtomicBool>,
}

impl SlowLink {
    /// Relays 127.0.0.1:(a free port) to `server`, with no delay until [`delay`](Self::delay).
    pub async fn start(server: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let delay_micros = Arc::new(AtomicU64::new(0));
        let silent = Arc::new(AtomicBool::new(false));
        let (delay, silence) = (Arc::clone(&delay_micros), Arc::clone(&silent));
        tokio::spawn(async move {
            let mut swallowed = Vec::new();
            while let Ok((client, _)) = listener.accept().await {
                if silence.load(Ordering::Relaxed) {
                    swallowed.push(client);
                    continue;
                }
                let Ok(upstream) = TcpStream::connect(server).await else {
                    continue;
                };
                tokio::spawn(relay(client, upstream, Arc::clone(&delay)));
            }
        });
        Self {
            addr,
            delay_micros,
            silent,
        }
    }

    /// From now on, takes new connections and never answers on them (those relayed already
    /// go on).
    pub fn go_silent(&self) {
        self.silent.store(true, Ordering::Relaxed);
    }

    /// Holds back each answer read from the server from now on by `delay`.
    pub fn delay(&self, delay: Duration) {
        self.delay_micros.store(
            u64::try_from(delay.as_micros()).expect("a test's delay"),
            Ordering::Relaxed,
        );
    }
}

async fn relay(client: TcpStream, upstream: TcpStream, delay: Arc<AtomicU64>) {
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = upstream.into_split();
    tokio::spawn(async move { tokio::io::copy(&mut from_client, &mut to_server).await });
    let (held_back, mut due) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(read @ 1..) = from_server.read(&mut buffer).await {
            let at = Instant::now() + Duration::from_micros(delay.load(Ordering::Relaxed));
            if held_back.send((at, buffer[..read].to_vec())).is_err() {
                break;
            }
        }
    });
    while let Some((at, bytes)) = due.recv().await {
        tokio::time::sleep_until(at).await;
        if to_client.write_all(&bytes).await.is_err() {
            break;
        }
    }
}
