//! The system monitor: a background thread that samples the process's CPU and resident memory
//! and the system's memory every interval and keeps a bounded history for the report. The
//! standard process series (`process_cpu_seconds_total`, ...) are coord's exporter's to render
//! at each scrape; for another recorder the monitor publishes them at each sample. System-wide
//! memory is node_exporter's to export: it is in the report only. The sampler (with `sysinfo`
//! and `metrics-process`) is behind the `system` feature; the sample itself is plain data the
//! report can name either way.

#[cfg(feature = "system")]
mod monitor;

use serde::Serialize;

#[cfg(feature = "system")]
pub(crate) use monitor::running_samples;
#[cfg(feature = "system")]
#[cfg_attr(docsrs, doc(cfg(feature = "system")))]
pub use monitor::{SystemMonitor, start_system_monitor};

/// Without the `system` feature no monitor can run, so there are never samples.
#[cfg(not(feature = "system"))]
pub(crate) fn running_samples() -> Option<Vec<SystemSample>> {
    None
}

/// One reading of the process and the system.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SystemSample {
    /// Seconds since the monitor started.
    #[serde(serialize_with = "crate::base::json_numbers::three")]
    pub at_secs: f64,
    /// CPU used by this process since the previous sample, in percent of one core (can exceed
    /// 100 on several cores; 0 in the first sample).
    #[serde(serialize_with = "crate::base::json_numbers::two_f32")]
    pub process_cpu_percent: f32,
    /// This process's resident memory.
    pub process_resident_bytes: u64,
    /// Memory in use on the system.
    pub system_memory_used_bytes: u64,
    /// The system's memory.
    pub system_memory_total_bytes: u64,
}
