//! What each attempt passes through before it runs: nothing, or a named circuit breaker.

use std::sync::OnceLock;

use crate::breaker::named::{Breaker, Permit};
use crate::breaker::registry::breaker;
use crate::values::error::Error;
use crate::values::from_coord_error::FromCoordError;

/// Decides whether an attempt may run, converting a refusal into the function's error type
/// (with a breaker, that needs `E: FromCoordError`, asked for by [`BreakerSite::gate`]).
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

    /// This breaker as the admission of a function whose error type is `E`. The bound is
    /// asked for here, directly, so that an error type without `From<coord::Error>` gets
    /// [`FromCoordError`]'s message at the `circuit_breaker` argument the expansion spans this
    /// call with (through a trait impl, the compiler would report `From`'s bound instead).
    #[inline]
    pub fn gate<E: FromCoordError>(&'static self) -> BreakerGate<E> {
        BreakerGate {
            site: self,
            convert: into_callers_error::<E>,
        }
    }
}

/// A [`BreakerSite`] admitting the attempts of a function whose error type is `E`; see
/// [`BreakerSite::gate`].
pub struct BreakerGate<E> {
    site: &'static BreakerSite,
    /// The refusal as `E` (called only on a refusal).
    convert: fn(Error) -> E,
}

impl<E> Admission<E> for BreakerGate<E> {
    #[inline]
    fn admit(&self) -> Result<Option<Permit>, E> {
        self.site.breaker().admit().map(Some).map_err(self.convert)
    }
}

/// The refusal as the function's error; out of line, so the user's `From` impl (which may
/// format or allocate) is not inlined into every admitted call.
#[cold]
#[inline(never)]
pub(crate) fn into_callers_error<E: FromCoordError>(refusal: Error) -> E {
    E::from_coord_error(refusal)
}
