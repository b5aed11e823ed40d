//! What each attempt passes through before it runs: nothing, or a named circuit breaker.

use std::sync::OnceLock;

use crate::breaker::named::{Breaker, Permit};
use crate::breaker::registry::breaker;
use crate::values::error::Error;

/// Decides whether an attempt may run, converting a refusal into the function's error type
/// (with a breaker, that needs `E: From<coord::Error>`; the compiler names the missing impl).
pub trait Admission<E> {
    /// A permit for one attempt (`None` when nothing gates it), or the refusal.
    ///
    /// # Errors
    /// The refusal, as the function's error type.
    fn admit(&self) -> Result<Option<Permit>, E>;
}

/// No breaker: every attempt runs.
pub struct NoBreaker;

/// The `NoBreaker` generated code refers to.
pub static NO_BREAKER: NoBreaker = NoBreaker;

impl<E> Admission<E> for NoBreaker {
    #[inline]
    fn admit(&self) -> Result<Option<Permit>, E> {
        Ok(None)
    }
}

/// A call site's reference to a named breaker, resolved on first use.
pub struct BreakerSite {
    name: &'static str,
    resolved: OnceLock<&'static Breaker>,
}

impl BreakerSite {
    /// A reference to the breaker called `name`.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            resolved: OnceLock::new(),
        }
    }

    /// The breaker.
    #[inline]
    pub fn breaker(&self) -> &'static Breaker {
        self.resolved.get_or_init(|| breaker(self.name))
    }
}

impl<E: From<Error>> Admission<E> for BreakerSite {
    #[inline]
    fn admit(&self) -> Result<Option<Permit>, E> {
        self.breaker().admit().map(Some).map_err(into_callers_error)
    }
}

/// The refusal as the function's error; out of line, so the user's `From` impl (which may
/// format or allocate) is not inlined into every admitted call.
#[cold]
#[inline(never)]
pub(crate) fn into_callers_error<E: From<Error>>(refusal: Error) -> E {
    E::from(refusal)
}
