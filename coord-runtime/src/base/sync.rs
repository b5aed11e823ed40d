//! Atomics for the lock-free state machines: `std`'s normally, loom's under `--cfg coord_loom`,
//! so the loom model test checks the very code that runs.
//!
//! The cfg is not loom's conventional `loom` because that flag, applied to the whole build,
//! switches tokio into its own loom mode, which does not compile as a dependency.

#[cfg(coord_loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
#[cfg(not(coord_loom))]
pub(crate) use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
