//! The conversion coord needs from a function's error type: a refused, timed-out or invalid
//! call is answered with a [`coord::Error`](Error), converted into the caller's own error.
//!
//! A trait of coord's own (implemented for every type with `From<coord::Error>`) rather than
//! `From` itself, so that a missing impl is one error saying what to implement and why, at the
//! argument that needs it, instead of `From`'s list of unrelated impls.

use super::error::Error;

/// An error type that can carry a [`coord::Error`](Error): every type implementing
/// `From<coord::Error>` is one. Functions whose attributes can refuse or cut a call
/// (validation, a breaker, a timeout, a bulkhead or rate limiter) need it for their error type.
///
/// ```
/// #[derive(Debug)]
/// enum AppError {
///     Coord(coord::Error),
/// }
///
/// impl From<coord::Error> for AppError {
///     fn from(error: coord::Error) -> Self {
///         AppError::Coord(error)
///     }
/// }
///
/// fn convert<E: coord::FromCoordError>(error: coord::Error) -> E {
///     E::from_coord_error(error)
/// }
/// let AppError::Coord(error) = convert::<AppError>(coord::Error::CircuitOpen {
///     breaker: "payments".into(),
///     retry_after: None,
/// });
/// assert!(matches!(error, coord::Error::CircuitOpen { .. }));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry coord's errors: implement `From<coord::Error>` for it",
    label = "`{Self}` needs `impl From<coord::Error>`",
    note = "coord answers a call it refuses, cuts short or finds invalid with a `coord::Error` (validation failed, breaker open, timeout, bulkhead full, rate limited), converted into the function's error type",
    note = "add a variant such as `Coord(coord::Error)` and `impl From<coord::Error> for {Self}`, or return `Result<_, coord::Error>`"
)]
pub trait FromCoordError: Sized {
    /// `error` as this type.
    fn from_coord_error(error: Error) -> Self;
}

impl<E: From<Error>> FromCoordError for E {
    #[inline]
    fn from_coord_error(error: Error) -> Self {
        E::from(error)
    }
}
