//! The per-call-site `static` that generated code holds, and the guard that records one call.
//!
//! The hot path is: identify the current recorder, compare it with the one the cached handles came
//! from, bump the in-flight gauge, read the clock; then on exit read the clock and update the
//! cached counter, histogram, gauge and in-process statistics. No lock, no allocation, no registry
//! lookup, unless the recorder changed since the site last registered (once per recorder).

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, PoisonError};

use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata};

use super::recorder_identity::RecorderId;
use super::stats::{OperationStats, stats_for};
use crate::Outcome;
use crate::metric_names::{
    CALLS_TOTAL, DURATION_SECONDS, IN_FLIGHT, OPERATION_LABEL, OUTCOME_LABEL,
};

static METADATA: Metadata<'static> = Metadata::new("coord", Level::INFO, Some(module_path!()));

/// Handles registered with one recorder for one call site.
struct SiteHandles {
    recorder: RecorderId,
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
    current: AtomicPtr<SiteHandles>,
    // Every handle set this site ever built. They are leaked on purpose: a thread may still be
    // using an old set when the recorder changes, and there is one set per recorder, not per call.
    registered: Mutex<Vec<&'static SiteHandles>>,
}

impl CallSite {
    /// A call site for `operation`; `in_flight` says whether it keeps the in-flight gauge.
    pub const fn new(operation: &'static str, in_flight: bool) -> Self {
        Self {
            operation,
            in_flight,
            current: AtomicPtr::new(std::ptr::null_mut()),
            registered: Mutex::new(Vec::new()),
        }
    }

    /// Starts recording one call; the returned guard records it when finished or dropped.
    #[inline]
    pub fn enter(&'static self) -> CallGuard {
        let handles = self.handles();
        if let Some(in_flight) = &handles.in_flight {
            in_flight.increment(1.0);
        }
        CallGuard {
            handles,
            start: quanta::Instant::now(),
        }
    }

    #[inline]
    fn handles(&'static self) -> &'static SiteHandles {
        let recorder = RecorderId::current();
        let current = self.current.load(Ordering::Acquire);
        if !current.is_null() {
            // SAFETY: `current` only ever holds pointers from `Box::leak`, never freed.
            let handles: &'static SiteHandles = unsafe { &*current };
            if handles.recorder == recorder {
                return handles;
            }
        }
        self.register()
    }

    #[cold]
    #[inline(never)]
    fn register(&'static self) -> &'static SiteHandles {
        let mut registered = self
            .registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let handles = metrics::with_recorder(|recorder| {
            let id = RecorderId::of(recorder);
            if let Some(known) = registered.iter().find(|handles| handles.recorder == id) {
                return *known;
            }
            let fresh: &'static SiteHandles = Box::leak(Box::new(self.register_with(recorder, id)));
            registered.push(fresh);
            fresh
        });
        self.current
            .store(std::ptr::from_ref(handles).cast_mut(), Ordering::Release);
        handles
    }

    fn register_with(&self, recorder: &dyn metrics::Recorder, id: RecorderId) -> SiteHandles {
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
            recorder: id,
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
    handles: &'static SiteHandles,
    start: quanta::Instant,
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
        let elapsed = self.start.elapsed();
        let handles = self.handles;
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
