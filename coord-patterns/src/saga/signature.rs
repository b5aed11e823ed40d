//! What `#[step]` checks at compile time: that a step's inputs and output can be logged and
//! read back, and that its compensation takes what the log gives back. Each check is a trait
//! whose unmet bound names the expected signature in the compiler's error.

use std::fmt::Display;
use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::context::StepKey;
use super::engine::SagaEngine;

/// A value a saga logs and reads back: its inputs, and its steps' inputs and outputs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged: a saga writes its inputs and its steps' inputs and outputs to the coordination store and reads them back after a crash",
    label = "needs `serde::Serialize` and `serde::Deserialize`",
    note = "derive them: `#[derive(serde::Serialize, serde::Deserialize)]`"
)]
pub trait Loggable: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> Loggable for T {}

/// A parameter's type (`Self`, as borrowed) that logs as `Logged`, the type it is read back
/// as: any [`Loggable`] type as itself, `str` as `String`, `[T]` as `Vec<T>`.
#[diagnostic::on_unimplemented(
    message = "`{Logged}` cannot be logged: a saga writes its inputs and its steps' inputs and outputs to the coordination store and reads them back after a crash",
    label = "needs `serde::Serialize` and `serde::Deserialize`",
    note = "derive them: `#[derive(serde::Serialize, serde::Deserialize)]`"
)]
pub trait LogsAs<Logged> {
    /// The value as logged.
    ///
    /// # Errors
    /// serde's, when the value does not serialize.
    fn to_log(&self) -> Result<serde_json::Value, serde_json::Error>;
}

impl<T: Loggable> LogsAs<T> for T {
    fn to_log(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

impl LogsAs<String> for str {
    fn to_log(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

impl<T: Loggable> LogsAs<Vec<T>> for [T] {
    fn to_log(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// A function that can compensate a step whose compensation has the signature `Signature`:
/// `fn(StepKey, <each input, owned>, Option<<the output>>)`, returning `Result<(), E>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot compensate this step: a compensation of this step is an `async fn` with the parameters of `{Signature}`, returning `Result<(), E>`",
    label = "expected `async fn` with the parameters of `{Signature}` returning `Result<(), E>`",
    note = "a compensation gets the step's idempotency key, the step's inputs by value (read back from the log) and its output as an `Option` (`None` when a crash left the step's outcome unknown)"
)]
pub trait Compensates<Signature> {
    /// Declares `self` the compensation of step `step`.
    fn declare(self, engine: &SagaEngine, step: &str);
}

macro_rules! compensates {
    ($($input:ident $value:ident),*) => {
        impl<F, Fut, E, O, $($input,)*> Compensates<fn(StepKey, $($input,)* Option<O>)> for F
        where
            F: Fn(StepKey, $($input,)* Option<O>) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<(), E>> + Send + 'static,
            E: Display + 'static,
            O: DeserializeOwned + Send + 'static,
            $($input: DeserializeOwned + Send + 'static,)*
        {
            fn declare(self, engine: &SagaEngine, step: &str) {
                engine.compensated(
                    step,
                    move |key, ($($value,)*): ($($input,)*), output: Option<O>| {
                        self(key, $($value,)* output)
                    },
                );
            }
        }
    };
}

compensates!();
compensates!(A a);
compensates!(A a, B b);
compensates!(A a, B b, C c);
compensates!(A a, B b, C c, D d);
compensates!(A a, B b, C c, D d, G g);
compensates!(A a, B b, C c, D d, G g, H h);
compensates!(A a, B b, C c, D d, G g, H h, J j);
compensates!(A a, B b, C c, D d, G g, H h, J j, K k);

/// Declares `compensation` the compensation of step `step`, once `Compensates` is checked.
pub fn declare_compensation<Signature, F: Compensates<Signature>>(
    engine: &SagaEngine,
    step: &str,
    compensation: F,
) {
    compensation.declare(engine, step);
}
