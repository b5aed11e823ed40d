//! Circuit breakers: options, the lock-free state machine, named breakers with metrics, and
//! the global registry.

pub(crate) mod core;
#[cfg(all(test, coord_loom))]
mod loom_model;
pub(crate) mod named;
pub(crate) mod registry;
pub(crate) mod state;
pub(crate) mod time_window;
