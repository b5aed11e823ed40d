//! Retried functions and the tokio runtime: an async one polled outside a runtime fails on
//! its first call with a message naming coord and tokio (not at its first retry, later, under
//! load); a sync one that sleeps between attempts on a thread inside a runtime is logged once.

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[coord::handle_errors(max_retries = 2, base_delay = "1ms")]
async fn would_succeed() -> Result<u32, String> {
    Ok(1)
}

#[test]
fn an_async_retried_function_outside_tokio_fails_on_its_first_call() {
    let panic = std::panic::catch_unwind(|| {
        let mut future = pin!(would_succeed());
        let mut context = Context::from_waker(Waker::noop());
        matches!(future.as_mut().poll(&mut context), Poll::Ready(Ok(1)))
    })
    .expect_err("polled outside tokio");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("coord: `would_succeed` is a retried async function")
            && message.contains("outside a tokio runtime"),
        "{message}"
    );
}

#[coord::handle_errors(max_retries = 2, base_delay = "1ms", jitter = "none")]
fn sync_flaky() -> Result<u32, String> {
    Err("down".to_owned())
}

#[coord::handle_errors(max_retries = 1, base_delay = "1ms", jitter = "none")]
fn sync_flaky_elsewhere() -> Result<u32, String> {
    Err("down".to_owned())
}

#[test]
fn a_sync_retry_sleeping_inside_tokio_is_logged_once() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (_, output) = support::captured_logs::logged_at(tracing::Level::WARN, || {
        runtime.block_on(async {
            assert!(sync_flaky().is_err());
            assert!(sync_flaky().is_err());
        });
    });
    let warnings = output
        .lines()
        .filter(|line| line.contains("sleeps between attempts on a thread inside a tokio runtime"))
        .count();
    assert_eq!(warnings, 1, "{output}");
    assert!(output.contains("sync_flaky"), "{output}");

    // Outside a runtime, sleeping is what a sync function does: nothing to say.
    let (_, output) = support::captured_logs::logged_at(tracing::Level::WARN, || {
        assert!(sync_flaky_elsewhere().is_err());
    });
    assert!(!output.contains("tokio runtime"), "{output}");
}
