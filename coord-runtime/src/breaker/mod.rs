//! Circuit breakers: options, the lock-free state machine, named breakers with metrics, and
//! the global registry.

pub mod config;
pub mod core;
pub mod named;
pub mod registry;
pub mod state;
