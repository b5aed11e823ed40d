//! The listener under hostile clients: oversized headers, a huge body, garbage, unknown
//! methods, clients that send half a request and wait, and more idle connections than it
//! keeps. None of them panics the listener or stops it from serving the next honest client.

mod support;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::LazyLock;
use std::time::Duration;

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
    let half_request = |_| {
        let mut stream = TcpStream::connect(*ADDR).expect("connect");
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHo").unwrap();
        stream
    };
    // Half a request each, then silence: the listener serves others meanwhile.
    let mut slow: Vec<TcpStream> = (0..100).map(half_request).collect();
    still_serves();

    // Past the cap, a new client waits in the accept queue instead of costing memory...
    slow.extend((100..coord::export::MAX_HTTP_CONNECTIONS).map(half_request));
    let (answered, answer) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = answered.send(http::get(*ADDR, "/health").map(|(status, _)| status));
    });
    assert!(
        answer.recv_timeout(Duration::from_millis(500)).is_err(),
        "served past the cap of {} connections",
        coord::export::MAX_HTTP_CONNECTIONS
    );
    // ...and is served as soon as a connection ends.
    slow.truncate(10);
    let status = answer
        .recv_timeout(Duration::from_secs(10))
        .expect("served once slots were free");
    assert_eq!(status.expect("GET /health"), 200);
    slow.clear();
    still_serves();
}
