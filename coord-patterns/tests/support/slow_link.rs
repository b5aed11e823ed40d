//! A loopback TCP relay that holds back what the server sends by a delay the test sets, to
//! make a server's answers arrive late without touching the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// A relay to one server; every connection through it is relayed until either side closes.
pub struct SlowLink {
    /// Where clients connect.
    pub addr: SocketAddr,
    delay_micros: Arc<AtomicU64>,
}

impl SlowLink {
    /// Relays 127.0.0.1:(a free port) to `server`, with no delay until [`delay`](Self::delay).
    pub async fn start(server: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let delay_micros = Arc::new(AtomicU64::new(0));
        let delay = Arc::clone(&delay_micros);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(upstream) = TcpStream::connect(server).await else {
                    continue;
                };
                tokio::spawn(relay(client, upstream, Arc::clone(&delay)));
            }
        });
        Self { addr, delay_micros }
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
