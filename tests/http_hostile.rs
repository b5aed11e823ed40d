//! The listener under hostile clients: oversized headers, a huge body, garbage, unknown
//! methods, clients that send half a request and wait, and more idle connections than it
//! keeps. None of them panics the listener or stops it from serving the next honest client.

mod support;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use support::http;

/// One exporter per test binary (one global recorder).
static ADDR: LazyLock<SocketAddr> = LazyLock::new(|| {
    let exporter = coord::prometheus()
        .listen("127.0.0.1:0")
        .install()
        .expect("install");
    let addr = exporter.local_addr().expect("listening");
    std::mem::forget(exporter);
    addr
});

/// Sends `bytes` as they are and returns the status line (empty when the server just closed).
fn raw(bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(*ADDR).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    // The server may close before reading everything: a failed write is an answer too.
    let _ = stream.write_all(bytes);
    // Only the status line: the connection may be kept alive after it.
    let mut response = Vec::new();
    let mut byte = [0u8; 1];
    while !response.ends_with(b"\r\n") && matches!(stream.read(&mut byte), Ok(1)) {
        response.push(byte[0]);
    }
    String::from_utf8_lossy(&response).trim_end().to_owned()
}

/// The tests share the listener and one of them fills it: they take turns.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn still_serves() {
    let (status, body) = http::get(*ADDR, "/health").expect("GET /health");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn hostile_requests_get_an_error_status_and_the_listener_keeps_serving() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let huge_header = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let status = raw(huge_header.as_bytes());
    assert!(status.is_empty() || status.contains(" 431 "), "{status}");
    still_serves();

    let many_headers: String = (0..500).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let status = raw(format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").as_bytes());
    assert!(status.is_empty() || status.contains(" 431 "), "{status}");
    still_serves();

    // A 20 MB body on a path that takes none: refused without being read into memory.
    let mut huge_body =
        b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n".to_vec();
    huge_body.extend(std::iter::repeat_n(b'x', 20_000_000));
    let status = raw(&huge_body);
    assert!(status.is_empty() || status.contains(" 405 "), "{status}");
    still_serves();

    let status = raw(b"\x00\x01garbage\r\n\r\n");
    assert!(status.is_empty() || status.contains(" 400 "), "{status}");
    assert!(raw(b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n").contains(" 405 "));
    assert!(raw(b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n").contains(" 404 "));
    still_serves();
}

#[test]
fn slow_and_idle_clients_do_not_stop_others_and_their_number_is_capped() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Half a request each, then silence: the listener serves others meanwhile.
    let mut slow: Vec<TcpStream> = (0..100).map(|_| half_request()).collect();
    still_serves();

    // Past the cap, a newcomer is served at once (it once waited in the accept queue for the
    // 10 s header timeout), and the quietest connections are closed to make room: the number
    // kept open stays bounded.
    slow.extend((100..coord::export::MAX_HTTP_CONNECTIONS + 50).map(|_| half_request()));
    let started = Instant::now();
    still_serves();
    let waited = started.elapsed();
    eprintln!("a request past the cap was answered after {waited:?}");
    assert!(waited < HEADER_TIMEOUT / 2, "waited {waited:?}");
    let closed = slow
        .iter()
        .filter(|stream| closed_by_server(stream))
        .count();
    assert!(
        closed >= 50,
        "only {closed} of the oldest connections were closed"
    );
    slow.clear();
    still_serves();
}

/// A slowloris that keeps twice the cap of half-sent requests open and reconnects as soon as
/// the listener closes one: every scrape still gets through, each well before the header
/// timeout (with a queue, such a client let 4 scrapes through in 45 s).
#[test]
fn a_reconnecting_slowloris_does_not_keep_scrapes_out() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let stop = Arc::new(AtomicBool::new(false));
    let attacker = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let open = |_| {
                let stream = half_request();
                stream.set_nonblocking(true).unwrap();
                stream
            };
            let mut held: Vec<TcpStream> = (0..2 * coord::export::MAX_HTTP_CONNECTIONS)
                .map(open)
                .collect();
            while !stop.load(Ordering::Relaxed) {
                for stream in &mut held {
                    if closed_by_server(stream) {
                        *stream = open(0);
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let (status, body) = http::get(*ADDR, "/metrics").expect("GET /metrics");
        assert_eq!(status, 200, "{body}");
        slowest = slowest.max(started.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    attacker.join().expect("attacker");
    eprintln!("20 scrapes under a reconnecting slowloris, the slowest answered after {slowest:?}");
    assert!(slowest < HEADER_TIMEOUT / 2, "a scrape waited {slowest:?}");
    still_serves();
}

/// The listener's header timeout: a scrape that waited for it was queued behind idle clients.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection that sent half a request and then nothing.
fn half_request() -> TcpStream {
    let mut stream = TcpStream::connect(*ADDR).expect("connect");
    let _ = stream.write_all(b"GET /metrics HTTP/1.1\r\nHo");
    stream
}

/// Whether the server has closed `stream` (a read returns end of file or a reset).
fn closed_by_server(mut stream: &TcpStream) -> bool {
    // A non-blocking stream answers at once; a blocking one waits a little.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(err) => !matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}
