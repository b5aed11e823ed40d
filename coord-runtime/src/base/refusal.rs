//! A per-thread note that the call being recorded was refused before its body ran (a breaker,
//! bulkhead or rate limiter said no), so that tracking counts it apart and keeps its
//! microseconds out of the latency quantiles.
//!
//! A note, not a value passed along: a refusal becomes the caller's own error type through
//! `From<coord::Error>`, after which nothing can tell it apart. The refusal and the end of the
//! call it ends happen on one thread with no `.await` between them (a fallback that runs in
//! between clears the note: its answer is the outcome), and starting a tracked call clears any
//! note left by a refusal no tracked call was around.

use std::cell::Cell;

thread_local! {
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// The call in progress on this thread was just refused.
#[inline]
pub(crate) fn note() {
    REFUSED.with(|refused| refused.set(true));
}

/// Forgets any note (a call starts, or a fallback answers instead).
#[inline]
pub(crate) fn clear() {
    REFUSED.with(|refused| refused.set(false));
}

/// Whether a refusal was noted since the last [`clear`], forgetting it.
#[inline]
pub(crate) fn take() -> bool {
    REFUSED.with(|refused| refused.replace(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_taken_once_and_cleared_by_a_new_call() {
        assert!(!take());
        note();
        assert!(take());
        assert!(!take());
        note();
        clear();
        assert!(!take());
    }
}
