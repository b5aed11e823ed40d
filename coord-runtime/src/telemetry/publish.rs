//! Publishing the per-thread counts to the `metrics` recorder.
//!
//! Hot paths count into [`cells`](crate::base::cells), not into the recorder's counters (one
//! exporter counter increment costs two atomic read-modify-writes on a line every core shares).
//! Each owner of counts registers here once and, when asked, sets its counters to the totals
//! (`Counter::absolute`) and its gauges to their values. That happens on every scrape of coord's
//! exporter, every second on a background thread, and on [`flush_metrics`].

use std::sync::{Mutex, Once, PoisonError};
use std::time::Duration;

/// Something that owns counts and publishes them to the current recorder.
pub(crate) trait Publish: Sync {
    /// Sets this owner's series in the current recorder to its current totals.
    fn publish(&self);
}

static PUBLISHERS: Mutex<Vec<&'static dyn Publish>> = Mutex::new(Vec::new());

/// How often the background thread publishes.
const INTERVAL: Duration = Duration::from_secs(1);

/// Adds `publisher` to those published; starts the background publisher on first use.
pub(crate) fn register(publisher: &'static dyn Publish) {
    PUBLISHERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(publisher);
    static BACKGROUND: Once = Once::new();
    BACKGROUND.call_once(|| {
        let started = std::thread::Builder::new()
            .name("coord-metrics-publisher".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(INTERVAL);
                    flush_metrics();
                }
            });
        if let Err(err) = started {
            tracing::error!(error = %err, "coord: cannot start the metrics publisher; counters reach the recorder only on scrapes and flush_metrics()");
        }
    });
}

/// Publishes every coord counter and gauge to the current `metrics` recorder now.
///
/// coord's exporter does this on every scrape and a background thread every second, so only
/// code that reads a recorder directly (a test recorder, say) needs to call it.
///
/// ```
/// #[coord::track_performance]
/// fn ping() -> Result<(), String> {
///     Ok(())
/// }
///
/// let exporter = coord::prometheus().install()?;
/// ping().unwrap();
/// coord::flush_metrics();
/// assert!(exporter.render().contains(r#"coord_operation_calls_total{operation="ping",outcome="ok"} 1"#));
/// # Ok::<(), coord::export::ExportError>(())
/// ```
pub fn flush_metrics() {
    // Copied out, so a publisher registering meanwhile does not wait for every publish.
    let publishers: Vec<&'static dyn Publish> = PUBLISHERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    for publisher in publishers {
        publisher.publish();
    }
}
