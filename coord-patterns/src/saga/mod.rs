//! Durable sagas: a sequence of local steps, each logged before and after it runs, where a
//! failure undoes the completed steps in reverse order, and a crash loses nothing: the next
//! start's [`SagaEngine::recover`] resumes the run forward (steps already done are answered
//! from the log) or finishes its compensation.
//!
//! Each step has an idempotency key ([`StepKey`], `run/step/position`), the same on every
//! attempt and after recovery. A step whose outcome a crash left unknown (its intent logged,
//! no result) is **re-run with the same key** when the run resumes forward, and **compensated**
//! (its compensation called with no output) when the run is compensating; either way the
//! remote side must honour the key to apply each effect once.
//!
//! Today this is the runtime API the `#[saga]` and `#[step]` attributes will expand to: register
//! sagas with [`SagaEngine::register`], declare every step as [`compensated`](SagaEngine::compensated),
//! [`pivot`](SagaEngine::pivot) or [`no_compensation`](SagaEngine::no_compensation) (an
//! undeclared step is an error, not a step silently left uncompensated), and run steps through
//! [`SagaContext::step`].

mod context;
pub(crate) mod declared;
mod engine;
mod error;
mod failpoint;
mod metrics;
mod report;
pub(crate) mod signature;
mod startup;

pub use context::{SagaContext, StepKey};
pub use declared::{engine, install_engine, recover};
pub use engine::{Recovered, Saga, SagaEngine};
pub use error::SagaError;
