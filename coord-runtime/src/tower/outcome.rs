//! How the tower layer reads a service's answer: whether it counts as a failure (for tracking,
//! the breaker and retries), and what to answer when the breaker refuses a request.

use std::fmt;
use std::time::Duration;

use crate::values::error::Error;

/// What the [`CoordinationLayer`](super::CoordinationLayer) needs to know about a service's
/// response type.
///
/// Implemented for `http::Response<B>` (any body with a `Default`, as axum's, hyper's and
/// tonic's bodies have): a response is a failure when the service errs or answers with a 5xx
/// status, and a refused request is answered `503 Service Unavailable` with a `Retry-After`
/// header when the breaker knows when it will let calls through again. Implement it for your
/// own response type to put the layer in front of any other `tower::Service`.
///
/// ```
/// use coord::tower::ServiceOutcome;
///
/// struct Reply { ok: bool }
///
/// impl ServiceOutcome<std::io::Error> for Reply {
///     fn is_failure(result: &Result<Self, std::io::Error>) -> bool {
///         !matches!(result, Ok(Reply { ok: true }))
///     }
///     fn rejected(refusal: coord::Error) -> Result<Self, std::io::Error> {
///         Err(std::io::Error::other(refusal))
///     }
/// }
/// ```
pub trait ServiceOutcome<E>: Sized {
    /// Whether this answer is a failure: counted as `error`, recorded as a breaker failure, and
    /// retried when the layer retries.
    fn is_failure(result: &Result<Self, E>) -> bool;

    /// The answer to a request the breaker refused (`refusal` is
    /// [`Error::CircuitOpen`] or [`Error::BreakerConflict`]; the inner service is not called)
    /// or whose last attempt ran past the layer's timeout ([`Error::Timeout`]; it was
    /// cancelled), or that the layer's rate limiter or bulkhead refused
    /// ([`Error::RateLimited`], [`Error::BulkheadFull`]).
    ///
    /// # Errors
    /// When the service's error type is the better answer.
    fn rejected(refusal: Error) -> Result<Self, E>;

    /// Whether the layer's retries try this answer again: by default the failures; HTTP adds
    /// `429 Too Many Requests`, which is not the service's failure (not counted as an error)
    /// but asks for a later retry.
    fn is_retryable(result: &Result<Self, E>) -> bool {
        Self::is_failure(result)
    }

    /// How long a failed answer asked the caller to wait before retrying (an HTTP
    /// `Retry-After`); the layer's retries wait at least that long (at most the policy's
    /// `max_delay`, never past its `deadline`). Defaults to `None`.
    fn retry_after(result: &Result<Self, E>) -> Option<Duration> {
        let _ = result;
        None
    }

    /// Writes a failed answer for the retry logs. Defaults to "failed".
    ///
    /// # Errors
    /// As [`fmt::Display::fmt`].
    fn describe_failure(result: &Result<Self, E>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = result;
        f.write_str("failed")
    }
}

impl<B: Default, E: fmt::Display> ServiceOutcome<E> for http::Response<B> {
    fn is_failure(result: &Result<Self, E>) -> bool {
        match result {
            Ok(response) => response.status().is_server_error(),
            Err(_) => true,
        }
    }

    fn rejected(refusal: Error) -> Result<Self, E> {
        let mut response = http::Response::new(B::default());
        *response.status_mut() = match refusal {
            Error::Timeout { .. } => http::StatusCode::GATEWAY_TIMEOUT,
            Error::RateLimited { .. } => http::StatusCode::TOO_MANY_REQUESTS,
            _ => http::StatusCode::SERVICE_UNAVAILABLE,
        };
        if let Error::CircuitOpen {
            retry_after: Some(wait),
            ..
        }
        | Error::RateLimited {
            retry_after: wait, ..
        } = refusal
        {
            response.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from(retry_after_seconds(wait)),
            );
        }
        Ok(response)
    }

    fn is_retryable(result: &Result<Self, E>) -> bool {
        Self::is_failure(result)
            || matches!(result, Ok(response) if response.status() == http::StatusCode::TOO_MANY_REQUESTS)
    }

    /// `Retry-After` in seconds (the HTTP-date form is not read).
    fn retry_after(result: &Result<Self, E>) -> Option<Duration> {
        let response = result.as_ref().ok()?;
        let seconds = response
            .headers()
            .get(http::header::RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim()
            .parse::<u64>()
            .ok()?;
        Some(Duration::from_secs(seconds))
    }

    fn describe_failure(result: &Result<Self, E>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match result {
            Ok(response) => write!(f, "HTTP {}", response.status()),
            Err(error) => error.fmt(f),
        }
    }
}

/// Whole seconds for `Retry-After`, rounded up (a client retrying early is refused again), at
/// least 1.
fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

/// A failed answer as the retry loop's error: shown with
/// [`ServiceOutcome::describe_failure`].
pub(super) struct Failed<R, E>(pub Result<R, E>);

/// A timed-out request's answer, as the retry loop builds it.
impl<R: ServiceOutcome<E>, E> From<Error> for Failed<R, E> {
    fn from(error: Error) -> Self {
        Failed(R::rejected(error))
    }
}

impl<R: ServiceOutcome<E>, E> fmt::Display for Failed<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        R::describe_failure(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(200)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(30)), 30);
        assert_eq!(retry_after_seconds(Duration::from_millis(30_001)), 31);
    }

    #[test]
    fn server_errors_and_service_errors_are_failures() {
        type Answer = Result<http::Response<String>, std::io::Error>;
        let status = |code: u16| -> Answer {
            let mut response = http::Response::new(String::new());
            *response.status_mut() = http::StatusCode::from_u16(code).expect("status");
            Ok(response)
        };
        assert!(!http::Response::is_failure(&status(200)));
        assert!(!http::Response::is_failure(&status(404)));
        assert!(http::Response::is_failure(&status(500)));
        assert!(http::Response::is_failure(&status(503)));
        let err: Answer = Err(std::io::Error::other("reset"));
        assert!(http::Response::is_failure(&err));
    }

    #[test]
    fn a_refusal_is_503_with_retry_after_when_known() {
        let refusal = |retry_after| Error::CircuitOpen {
            breaker: "b".to_owned(),
            retry_after,
        };
        let answer: Result<http::Response<String>, std::io::Error> =
            http::Response::rejected(refusal(Some(Duration::from_millis(2_500))));
        let response = answer.expect("a response");
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[http::header::RETRY_AFTER], "3");
        let answer: Result<http::Response<String>, std::io::Error> =
            http::Response::rejected(refusal(None));
        assert!(
            answer
                .expect("a response")
                .headers()
                .get(http::header::RETRY_AFTER)
                .is_none()
        );
    }
}
