//! Which `metrics` recorder is current, so cached handles can notice when it changes.
//!
//! A handle registered before a recorder is installed is a no-op forever. Rather than trusting every
//! user to install through coord, each call compares the recorder `metrics` would use now (local
//! or global) with the one its handles came from: a thread-local read and an atomic load.

use metrics::Recorder;

/// The identity (address and vtable) of a recorder; never dereferenced.
#[derive(Clone, Copy)]
pub struct RecorderId(*const (dyn Recorder + 'static));

// SAFETY: the pointer is only compared, never dereferenced, so sharing it across threads is sound.
unsafe impl Send for RecorderId {}
// SAFETY: as above.
unsafe impl Sync for RecorderId {}

impl RecorderId {
    /// The identity of `recorder`.
    pub fn of(recorder: &dyn Recorder) -> Self {
        let pointer: *const (dyn Recorder + '_) = recorder;
        // SAFETY: only the trait-object lifetime changes; the pointer is compared, never used.
        Self(unsafe {
            std::mem::transmute::<*const (dyn Recorder + '_), *const (dyn Recorder + 'static)>(
                pointer,
            )
        })
    }

    /// The identity of the recorder `metrics` uses on this thread right now.
    #[inline]
    pub fn current() -> Self {
        metrics::with_recorder(Self::of)
    }
}

impl PartialEq for RecorderId {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        // Compares address and vtable: a zero-sized recorder shares its address with others.
        std::ptr::eq(self.0, other.0)
    }
}
