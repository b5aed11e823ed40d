//! The per-call-site `static` that generated code holds, and the guard that records one call.
//!
//! The hot path is: identify the current recorder, compare it with the one the cached handles came
//! from, bump the in-flight gauge, read the clock; then on exit read the clock and update the
//! cached counter, histogram, gauge and in-process statistics. No lock, no allocation, no registry
//! lookup, unless the recorder changed since the site last registered (once per recorder).

use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata};

use super::recorder_cache::RecorderCache;
use super::stats::{OperationStats, stats_for};
use crate::Outcome;
use crate::metric_names::{
    CALLS_TOTAL, DURATION_SECONDS, IN_FLIGHT, OPERATION_LABEL, OUTCOME_LABEL,
};

/// Metadata every coord metric is registered with.
pub static METADATA: Metadata<'static> = Metadata::new("coord", Level::INFO, Some(module_path!()));

/// Handles registered with one recorder for one call site.
struct SiteHandles {
    calls: [Counter; 4],
    duration: Histogram,
    in_flight: Option<Gauge>,
    stats: &'static OperationStats,
}

/// One tracked function's `static`: its operation name, options and cached metric handles.
///
/// Not a stable API: generated code builds one per annotated function.
pub struct CallSite {
    operation: &'static str,
    in_flight: bool,
    handles: RecorderCache<SiteHandles>,
}

impl CallSite {
    /// A call site for `operation`; `in_flight` says whether it keeps the in-flight gauge.
    pub const fn new(operation: &'static str, in_flight: bool) -> Self {
        Self {
            operation,
            in_flight,
            handles: RecorderCache::new(),
        }
    }

    /// Starts recording one call; the returned guard records it when finished or dropped.
    #[inline]
    pub fn enter(&'static self) -> CallGuard {
        if !crate::config::configuration().enable_performance_monitoring {
            return CallGuard { recording: None };
        }
        let handles = self.handles.get(|recorder| self.register_with(recorder));
        if let Some(in_flight) = &handles.in_flight {
            in_flight.increment(1.0);
        }
        CallGuard {
            recording: Some((handles, quanta::Instant::now())),
        }
    }

    fn register_with(&self, recorder: &dyn metrics::Recorder) -> SiteHandles {
        let operation = Label::new(OPERATION_LABEL, self.operation);
        // Registering every outcome now is what makes all four series exist from the first call.
        let calls = Outcome::ALL.map(|outcome| {
            let key = Key::from_parts(
                CALLS_TOTAL,
                vec![
                    operation.clone(),
                    Label::new(OUTCOME_LABEL, outcome.as_str()),
                ],
            );
            recorder.register_counter(&key, &METADATA)
        });
        let key = Key::from_parts(DURATION_SECONDS, vec![operation.clone()]);
        let duration = recorder.register_histogram(&key, &METADATA);
        let in_flight = self.in_flight.then(|| {
            let key = Key::from_parts(IN_FLIGHT, vec![operation.clone()]);
            let gauge = recorder.register_gauge(&key, &METADATA);
            // A recorder that kept a value for this key from another site keeps it: `set` would
            // erase calls in flight there, so only make sure the series exists.
            gauge.increment(0.0);
            gauge
        });
        SiteHandles {
            calls,
            duration,
            in_flight,
            stats: stats_for(self.operation),
        }
    }
}

/// Records one call of a [`CallSite`]: [`CallGuard::finish`] with the outcome, or drop it.
///
/// Dropped without `finish`, it records [`Outcome::Panic`] while unwinding and
/// [`Outcome::Cancelled`] otherwise (an async call's future dropped before completion).
#[must_use = "a call guard records the call when finished or dropped"]
pub struct CallGuard {
    /// Where to record and when the call started; `None` when performance monitoring is
    /// switched off in the configuration.
    recording: Option<(&'static SiteHandles, quanta::Instant)>,
}

impl CallGuard {
    /// Records the call as ended with `outcome`.
    #[inline]
    pub fn finish(self, outcome: Outcome) {
        self.record(outcome);
        std::mem::forget(self);
    }

    #[inline]
    fn record(&self, outcome: Outcome) {
        let Some((handles, start)) = self.recording else {
            return;
        };
        let elapsed = start.elapsed();
        handles.calls[outcome.index()].increment(1);
        handles.duration.record(elapsed.as_secs_f64());
        if let Some(in_flight) = &handles.in_flight {
            in_flight.decrement(1.0);
        }
        handles.stats.record(
            outcome,
            u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
        );
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Panic
        } else {
            Outcome::Cancelled
        };
        self.record(outcome);
    }
}
