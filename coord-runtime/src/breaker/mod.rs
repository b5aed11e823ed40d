//! Circuit breakers: options, the lock-free state machine, and the named global registry.

pub mod config;
pub mod core;
pub mod state;
