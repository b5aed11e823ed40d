//! Performance tracking: call-site handles, the per-call guard and in-process statistics.

pub(crate) mod exemplar;
pub(crate) mod latency;
pub(crate) mod objective;
pub(crate) mod operation;
pub(crate) mod span;
pub(crate) mod stats;
