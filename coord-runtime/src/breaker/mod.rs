//! Circuit breakers: options, the lock-free state machine, named breakers with metrics, and
//! the global registry.

pub mod breaker;
pub mod config;
pub mod core;
pub mod registry;
pub mod state;
