//! The floor of tracking: what a careful engineer would write by hand for the same series —
//! metric handles registered once and cached, the same clock (`quanta`) — with nothing else.

use std::sync::LazyLock;

use metrics::{Counter, Gauge, Histogram};

use crate::workloads::{BenchError, bare};

struct Handles {
    ok: Counter,
    error: Counter,
    duration: Histogram,
    in_flight: Gauge,
}

static HANDLES: LazyLock<Handles> = LazyLock::new(|| Handles {
    ok: metrics::counter!("floor_calls_total", "operation" => "floor", "outcome" => "ok"),
    error: metrics::counter!("floor_calls_total", "operation" => "floor", "outcome" => "error"),
    duration: metrics::histogram!("floor_duration_seconds", "operation" => "floor"),
    in_flight: metrics::gauge!("floor_in_flight", "operation" => "floor"),
});

/// `bare`, tracked by hand: in-flight gauge, two clock reads, an outcome counter, a histogram.
/// The handles are registered with the recorder in place at first call.
#[inline(never)]
pub fn floor_tracked(x: u64) -> Result<u64, BenchError> {
    let handles = &*HANDLES;
    handles.in_flight.increment(1.0);
    let start = quanta::Instant::now();
    let result = bare(x);
    let elapsed = start.elapsed();
    match result {
        Ok(_) => handles.ok.increment(1),
        Err(_) => handles.error.increment(1),
    }
    handles.duration.record(elapsed.as_secs_f64());
    handles.in_flight.decrement(1.0);
    result
}
