//! What `#[saga]`, `#[step]` and `#[distributed_lock]` expansions call. **Not a stable API**: anything here may
//! change in any release.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

pub use crate::lock::LockSite;
pub use crate::saga::declared::{
    SAGA_DECLARATIONS, STEP_DECLARATIONS, SagaDeclaration, StepDeclaration, run_declared,
};
pub use crate::saga::signature::{Compensates, Loggable, LogsAs, declare_compensation};
use crate::saga::{SagaContext, SagaError, StepKey};

/// One input of a saga or step, taken by reference as `B` and read back from the log as
/// `O` (`&str` as `String`): checked [`Loggable`] where the parameter's type is written.
///
/// # Errors
/// serde's, when the value does not serialize.
pub fn input<O, B: LogsAs<O> + ?Sized>(value: &B) -> Result<serde_json::Value, serde_json::Error> {
    value.to_log()
}

/// The inputs of a saga or step as logged: the JSON of the tuple of their values (`null`
/// for none, as `()` serializes), serialized before the body takes them.
///
/// # Errors
/// The first input's error.
pub fn log_inputs(
    inputs: Vec<Result<serde_json::Value, serde_json::Error>>,
) -> Result<String, serde_json::Error> {
    if inputs.is_empty() {
        return serde_json::to_string(&());
    }
    let values = inputs.into_iter().collect::<Result<Vec<_>, _>>()?;
    serde_json::to_string(&values)
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
    O: Loggable,
    E: From<SagaError> + Display,
    F: FnOnce(StepKey) -> Fut,
    Fut: Future<Output = Result<O, E>>,
{
    saga.run_step(name, input, timeout, action).await
}
