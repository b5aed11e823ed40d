//! Metric handles cached per recorder, for anything that records on a hot path.
//!
//! A handle registered before a recorder is installed is a no-op forever, so each lookup
//! compares the recorder `metrics` would use now with the one the cached handles came from (a
//! thread-local read and an atomic load) and registers again only when it changed.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, PoisonError};

use metrics::Recorder;

use super::recorder_identity::RecorderId;

struct Entry<H> {
    recorder: RecorderId,
    handles: H,
}

/// Handles of type `H`, registered once per recorder.
///
/// ```
/// use coord_runtime::RecorderCache;
/// use metrics::{Counter, Key, Metadata, Level};
///
/// static CALLS: RecorderCache<Counter> = RecorderCache::new();
/// static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);
///
/// let calls = CALLS.get(|recorder| recorder.register_counter(&Key::from_static_name("calls"), &METADATA));
/// calls.increment(1); // later calls reuse the handle until another recorder is installed
/// ```
pub struct RecorderCache<H: 'static> {
    current: AtomicPtr<Entry<H>>,
    // Every entry ever built, leaked on purpose: a thread may still use an old one when the
    // recorder changes, and there is one per recorder, not one per call.
    all: Mutex<Vec<&'static Entry<H>>>,
}

impl<H: Send + Sync + 'static> RecorderCache<H> {
    /// An empty cache, for a `static`.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            current: AtomicPtr::new(std::ptr::null_mut()),
            all: Mutex::new(Vec::new()),
        }
    }

    /// The handles for the current recorder, registered with `register` if needed.
    #[inline]
    pub fn get(&self, register: impl FnOnce(&dyn Recorder) -> H) -> &'static H {
        let recorder = RecorderId::current();
        let current = self.current.load(Ordering::Acquire);
        if !current.is_null() {
            // SAFETY: `current` only ever holds pointers from `Box::leak`, never freed.
            let entry: &'static Entry<H> = unsafe { &*current };
            if entry.recorder == recorder {
                return &entry.handles;
            }
        }
        self.register(register)
    }

    #[cold]
    #[inline(never)]
    fn register(&self, register: impl FnOnce(&dyn Recorder) -> H) -> &'static H {
        let mut all = self.all.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = metrics::with_recorder(|recorder| {
            let id = RecorderId::of(recorder);
            if let Some(known) = all.iter().find(|entry| entry.recorder == id) {
                return *known;
            }
            let fresh: &'static Entry<H> = Box::leak(Box::new(Entry {
                recorder: id,
                handles: register(recorder),
            }));
            all.push(fresh);
            fresh
        });
        self.current
            .store(std::ptr::from_ref(entry).cast_mut(), Ordering::Release);
        &entry.handles
    }
}

impl<H: Send + Sync + 'static> Default for RecorderCache<H> {
    fn default() -> Self {
        Self::new()
    }
}
