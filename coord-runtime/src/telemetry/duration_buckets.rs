//! The bucket bounds of coord's duration histogram (`coord_operation_duration_seconds`), with
//! one owner: fixed once per process, by the exporter's
//! [`duration_buckets`](crate::export::PrometheusExport::duration_buckets) when it is installed
//! first, otherwise by the first tracked operation from the configuration's `duration_buckets`.
//!
//! Each operation counts its calls per bucket when it is created, and the exporter renders
//! those counts; bounds that changed after the first operation would give one metric family
//! two bucket layouts, which Prometheus cannot aggregate. So a second, different choice is an
//! error rather than a silent mix.

use std::sync::OnceLock;
use std::time::Duration;

/// Bucket upper bounds in seconds (as written) and in nanoseconds (as counted).
#[derive(Debug)]
pub(crate) struct DurationBuckets {
    seconds: Box<[f64]>,
    nanos: Box<[u64]>,
}

impl DurationBuckets {
    pub(crate) fn new(seconds: &[f64]) -> Self {
        let nanos = seconds
            .iter()
            .map(|seconds| {
                Duration::try_from_secs_f64(*seconds).map_or(u64::MAX, |bound| {
                    u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX)
                })
            })
            .collect();
        Self {
            seconds: seconds.into(),
            nanos,
        }
    }

    /// The bounds in seconds.
    pub(crate) fn seconds(&self) -> &[f64] {
        &self.seconds
    }

    /// The bounds in nanoseconds, for counting.
    pub(crate) fn nanos(&self) -> &[u64] {
        &self.nanos
    }
}

static IN_EFFECT: OnceLock<DurationBuckets> = OnceLock::new();

/// The bounds in effect, fixing them to `default()` if nothing has yet.
pub(crate) fn in_effect_or(default: impl FnOnce() -> Vec<f64>) -> &'static DurationBuckets {
    IN_EFFECT.get_or_init(|| DurationBuckets::new(&default()))
}

/// Fixes the bounds to `seconds`; `Err` with the bounds in effect when they were fixed to
/// different ones before.
pub(crate) fn fix(seconds: &[f64]) -> Result<&'static DurationBuckets, &'static DurationBuckets> {
    let in_effect = IN_EFFECT.get_or_init(|| DurationBuckets::new(seconds));
    if *in_effect.seconds == *seconds {
        Ok(in_effect)
    } else {
        Err(in_effect)
    }
}
