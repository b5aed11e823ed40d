//! A tokio runtime for tests that drive futures from a plain `#[test]`.

/// A current-thread runtime with I/O and time.
pub fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
