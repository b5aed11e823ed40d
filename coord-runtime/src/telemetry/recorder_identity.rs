//! Which `metrics` recorder is current, so cached handles can notice when it changes.
//!
//! A handle registered before a recorder is installed is a no-op forever. Rather than trusting every
//! user to install through coord, each call compares the recorder `metrics` would use now (local
//! or global) with the one its handles came from: a thread-local read and an atomic load.

use std::sync::OnceLock;

use metrics::Recorder;

/// The identity of a recorder, never dereferenced: its address; every zero-sized recorder
/// (such as `metrics`' no-op one) is one identity.
///
/// A zero-sized value has no meaningful address, and its vtable is emitted once per codegen
/// unit, so neither tells two references to the no-op recorder apart reliably: comparing them
/// once made every call without a recorder re-register its handles under a lock. The price:
/// a zero-sized recorder installed after calls made with no recorder at all keeps their no-op
/// handles (install such a recorder first; recorders with state are not affected).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecorderId(usize);

/// The identity of every zero-sized recorder.
const ZERO_SIZED: usize = 0;

impl RecorderId {
    /// The identity of `recorder`.
    pub(crate) fn of(recorder: &dyn Recorder) -> Self {
        if std::mem::size_of_val(recorder) == 0 {
            return Self(ZERO_SIZED);
        }
        Self(std::ptr::from_ref(recorder).cast::<()>() as usize)
    }

    /// The identity of the recorder `metrics` would use on this thread now.
    #[inline]
    pub(crate) fn current() -> Self {
        metrics::with_recorder(Self::of)
    }
}

/// The recorder coord's exporter installed, once it has.
static COORD_RECORDER: OnceLock<RecorderId> = OnceLock::new();

/// Remembers the current global recorder as coord's exporter; called once the exporter is
/// installed.
pub(crate) fn remember_coord_recorder() {
    // Read back through `metrics`, as call sites will see it (the recorder moved).
    let _ = COORD_RECORDER.set(metrics::with_recorder(RecorderId::of));
}

/// Whether `recorder` is coord's exporter, which renders operation durations itself rather than
/// taking them as samples (see `export/exposition.rs`).
pub(crate) fn renders_durations(recorder: &dyn Recorder) -> bool {
    COORD_RECORDER
        .get()
        .is_some_and(|coord| *coord == RecorderId::of(recorder))
}
