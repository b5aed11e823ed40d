//! Performance tracking: call-site handles, the per-call guard and in-process statistics.

pub mod exposition;
pub mod latency;
pub mod operation;
pub mod recorder_cache;
pub mod recorder_identity;
pub mod stats;
