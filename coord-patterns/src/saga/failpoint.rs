//! Crash points for the kill-and-recover tests (feature `failpoints`): with
//! `COORD_FAILPOINT=<point>:<n>` set, the process sends itself SIGKILL the n-th time it passes
//! `<point>`, so a test can crash a saga at every boundary — before and after a step's intent,
//! after its effect, after it is logged done, during compensation. Without the feature these
//! calls compile to nothing.

#[cfg(feature = "failpoints")]
mod armed {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// The point to crash at and after how many passes, from `COORD_FAILPOINT`.
    static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static PASSES: AtomicU64 = AtomicU64::new(0);

    pub(crate) fn failpoint(point: &str) {
        let target = TARGET.get_or_init(|| {
            let text = std::env::var("COORD_FAILPOINT").ok()?;
            let (name, count) = text.rsplit_once(':')?;
            Some((name.to_owned(), count.parse().ok()?))
        });
        if let Some((name, count)) = target
            && name == point
            && PASSES.fetch_add(1, Ordering::SeqCst) + 1 == *count
        {
            // SAFETY: kill(2) on our own pid with a valid signal number has no memory effects.
            unsafe {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
        }
    }
}

#[cfg(feature = "failpoints")]
pub(crate) use armed::failpoint;

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn failpoint(_point: &str) {}
