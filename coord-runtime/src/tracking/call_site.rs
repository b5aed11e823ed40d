//! The per-call-site `static` that generated code holds, and the guard that records one call.
//!
//! The hot path is: count the call in (a per-thread cell), read the clock; then on exit read the
//! clock and count the outcome, the time and the duration buckets in per-thread cells. No lock,
//! no allocation, no registry lookup, no write to memory another thread writes; counters, the
//! in-flight gauge and the duration histogram reach the recorder when published (`publish.rs`).

use std::sync::OnceLock;

use metrics::{Level, Metadata};

use super::stats::{OperationStats, stats_for};
use crate::Outcome;

/// Metadata every coord metric is registered with.
pub static METADATA: Metadata<'static> = Metadata::new("coord", Level::INFO, Some(module_path!()));

/// One tracked function's `static`: its operation name, options and statistics.
///
/// Not a stable API: generated code builds one per annotated function.
pub struct CallSite {
    operation: &'static str,
    in_flight: bool,
    stats: OnceLock<&'static OperationStats>,
}

impl CallSite {
    /// A call site for `operation`; `in_flight` says whether it keeps the in-flight gauge.
    pub const fn new(operation: &'static str, in_flight: bool) -> Self {
        Self {
            operation,
            in_flight,
            stats: OnceLock::new(),
        }
    }

    /// Starts recording one call; the returned guard records it when finished or dropped.
    #[inline]
    pub fn enter(&'static self) -> CallGuard {
        if !crate::config::configuration().enable_performance_monitoring {
            return CallGuard { recording: None };
        }
        let stats = *self.stats.get_or_init(|| {
            let stats = stats_for(self.operation);
            if self.in_flight {
                stats.keep_in_flight();
            }
            stats
        });
        stats.enter();
        CallGuard {
            recording: Some((stats, quanta::Instant::now())),
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
    recording: Option<(&'static OperationStats, quanta::Instant)>,
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
        let Some((stats, start)) = self.recording else {
            return;
        };
        let elapsed = start.elapsed();
        stats.record(
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
