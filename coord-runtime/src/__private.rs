//! What generated code calls. **Not a stable API**: anything here may change in any release.
//!
//! Everything a macro expansion needs lives here so expansions stay a few lines long and the
//! logic is written (and tested) once.

pub use crate::Outcome;
pub use crate::breaker::registry::{BREAKER_DECLARATIONS, BreakerDeclaration};
pub use crate::outcome::{OutcomeProbe, PlainOutcome, ResultOutcome};
pub use crate::retry::admission::{Admission, BreakerSite, NO_BREAKER, NoBreaker};
pub use crate::retry::classify::{
    ClassifiedError, DebuggedError, DisplayedError, ErrorProbe, ErrorText, FailureView,
    OpaqueError, UnclassifiedError,
};
pub use crate::retry::run::{run_async, run_sync};
pub use crate::retry::site::RetrySite;
pub use crate::tracking::call_site::{CallGuard, CallSite};
pub use crate::{Backoff, BreakerConfig, Jitter, RetryPolicy, Severity};
pub use linkme;

/// Runs `body` once. Taking `FnOnce` makes the closure own its captures, so a body returning a
/// reference borrowed from an argument (`&mut self` included) compiles as it did unannotated.
#[inline(always)]
pub fn call_once<R>(body: impl FnOnce() -> R) -> R {
    body()
}
