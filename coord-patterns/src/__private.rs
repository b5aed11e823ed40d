//! What `#[saga]` and `#[step]` expansions call. **Not a stable API**: anything here may
//! change in any release.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use crate::saga::declared::{
    SAGA_DECLARATIONS, STEP_DECLARATIONS, SagaDeclaration, StepDeclaration, run_declared,
};
pub use crate::saga::signature::{Compensates, Loggable, declare_compensation, loggable};
use crate::saga::{SagaContext, SagaError, StepKey};

/// A step's inputs, serialized before its action takes them.
pub fn log_input<S: Serialize + ?Sized>(input: &S) -> Result<String, serde_json::Error> {
    serde_json::to_string(input)
}

/// Runs a `#[step]` function's action as step `name` of `saga`.
///
/// # Errors
/// As [`SagaContext::step`], and [`SagaError::StepTimedOut`] past `timeout`.
pub async fn step<O, E, F, Fut>(
    saga: &SagaContext,
    name: &'static str,
    input: Result<String, serde_json::Error>,
    timeout: Option<Duration>,
    action: F,
) -> Result<O, E>
where
    O: Serialize + DeserializeOwned,
    E: From<SagaError> + Display,
    F: FnOnce(StepKey) -> Fut,
    Fut: Future<Output = Result<O, E>>,
{
    saga.run_step(name, input, timeout, action).await
}
