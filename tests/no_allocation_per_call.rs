//! After its first call, a tracked function allocates nothing per call: the handles are cached
//! in the call site's `static`, the statistics are fixed-size atomics. With a trace id source
//! installed (exemplars), neither a call without a trace nor one that leaves its exemplar
//! allocates.

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use support::counting_allocator::{CountingAllocator, allocations};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[coord::track_performance]
fn sync_call(x: u64) -> Result<u64, u64> {
    if x.is_multiple_of(3) { Err(x) } else { Ok(x) }
}

#[coord::track_performance]
async fn async_call(x: u64) -> u64 {
    x + 1
}

fn poll_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => unreachable!("ready future"),
    }
}

thread_local! {
    static TRACE: std::cell::Cell<Option<u128>> = const { std::cell::Cell::new(None) };
}

#[test]
fn calls_after_the_first_do_not_allocate() {
    coord::export::set_trace_id_source(|| TRACE.with(std::cell::Cell::get));
    // Warm up: the first call registers handles and statistics.
    let _ = sync_call(1);
    poll_ready(async_call(1));

    let before = allocations();
    let mut sum = 0;
    for x in 0..10_000 {
        sum += sync_call(x).unwrap_or_else(|e| e);
        sum += poll_ready(async_call(x));
    }
    let made = allocations() - before;
    assert!(sum > 0);
    assert_eq!(made, 0, "allocations in 20 000 tracked calls");

    // Traced calls leave exemplars, still without allocating.
    TRACE.with(|trace| trace.set(Some(42)));
    let before = allocations();
    for x in 0..10_000 {
        sum += sync_call(x).unwrap_or_else(|e| e);
        sum += poll_ready(async_call(x));
    }
    TRACE.with(|trace| trace.set(None));
    assert_eq!(
        allocations() - before,
        0,
        "allocations in 20 000 traced calls"
    );
    assert!(sum > 0);
}
