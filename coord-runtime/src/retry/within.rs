//! [`Within`]: one async attempt under its time limit. The attempt is polled first; only if it
//! does not finish on that poll is the clock read and a timer armed. An attempt that is ready
//! at once (a cache hit, an answer already buffered) so pays neither, and the timer lives
//! inside the future: no allocation.
//!
//! The limit is therefore measured from the end of the attempt's first poll, its first
//! `.await` that waits. Nothing could have cut the attempt before that point anyway: a poll
//! runs to its first suspension uninterrupted, under `tokio::time::timeout` too.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::run::Attempted;
use crate::values::error::TimeLimit;

pin_project_lite::pin_project! {
    /// An attempt under its time limit; see [`AsyncRetry::within`](super::run::AsyncRetry::within).
    #[must_use = "a future does nothing unless awaited"]
    pub struct Within<F> {
        #[pin]
        attempt: F,
        #[pin]
        timer: Option<tokio::time::Sleep>,
        // How long the attempt may wait, which limit that is, and the limit's length.
        limit: Option<(Duration, TimeLimit, Duration)>,
    }
}

impl<F> Within<F> {
    /// `attempt`, cut at `limit` if there is one.
    #[inline(always)]
    pub(crate) fn new(attempt: F, limit: Option<(Duration, TimeLimit, Duration)>) -> Self {
        Self {
            attempt,
            timer: None,
            limit,
        }
    }
}

impl<T, E, F: Future<Output = Result<T, E>>> Future for Within<F> {
    type Output = Attempted<T, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(result) = this.attempt.poll(cx) {
            return Poll::Ready(Attempted::Finished(result));
        }
        let Some((budget, limit, after)) = *this.limit else {
            return Poll::Pending;
        };
        if this.timer.is_none() {
            this.timer.set(Some(tokio::time::sleep(budget)));
        }
        let expired = this
            .timer
            .as_pin_mut()
            .is_some_and(|timer| timer.poll(cx).is_ready());
        if expired {
            Poll::Ready(Attempted::TimedOut { limit, after })
        } else {
            Poll::Pending
        }
    }
}
