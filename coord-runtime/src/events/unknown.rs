//! Events of types no handler is registered for: counted per processor (and per type, up to a
//! bound), published as `coord_events_unknown_total{processor}`, logged, and listed in the
//! report — never dropped silently.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use metrics::{Counter, Key, Label};
use serde::Serialize;

use crate::base::named_registry::{Named, NamedRegistry};
use crate::telemetry::METADATA;
use crate::telemetry::metric_names::{EVENTS_UNKNOWN_TOTAL, OVERFLOW, PROCESSOR_LABEL};
use crate::telemetry::publish::{self, Publish};
use crate::telemetry::recorder_cache::RecorderCache;

/// Distinct unknown types counted apart per processor; the rest are counted under
/// [`OTHER_TYPES`]. Event types come from outside the process: unbounded.
pub const MAX_UNKNOWN_TYPES: usize = 100;

/// Where unknown types past [`MAX_UNKNOWN_TYPES`] are counted.
pub const OTHER_TYPES: &str = "(other types)";

/// One processor's unknown events.
pub(super) struct UnknownEvents {
    processor: Box<str>,
    total: AtomicU64,
    by_type: Mutex<BTreeMap<String, u64>>,
    counter: RecorderCache<Counter>,
}

impl Named for UnknownEvents {
    fn name(&self) -> &str {
        &self.processor
    }
}

impl Publish for UnknownEvents {
    fn publish(&self) {
        let counter = self.counter.get(|recorder| {
            let key = Key::from_parts(
                EVENTS_UNKNOWN_TOTAL,
                vec![Label::new(PROCESSOR_LABEL, self.processor.to_string())],
            );
            recorder.register_counter(&key, &METADATA)
        });
        counter.absolute(self.total.load(Ordering::Relaxed));
    }
}

impl UnknownEvents {
    /// Counts one event of the unknown type `event_type`.
    pub(super) fn count(&self, event_type: &str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let mut by_type = self.by_type.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = by_type.get_mut(event_type) {
            *count += 1;
        } else if by_type.len() < MAX_UNKNOWN_TYPES {
            by_type.insert(event_type.to_owned(), 1);
        } else {
            *by_type.entry(OTHER_TYPES.to_owned()).or_default() += 1;
        }
    }

    fn report(&self) -> UnknownEventsReport {
        let by_type = self.by_type.lock().unwrap_or_else(PoisonError::into_inner);
        let mut types: Vec<(String, u64)> = by_type
            .iter()
            .map(|(event_type, count)| (event_type.clone(), *count))
            .collect();
        types.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        UnknownEventsReport {
            processor: self.processor.to_string(),
            unknown: self.total.load(Ordering::Relaxed),
            types,
        }
    }
}

/// The most event processors whose unknown events are counted separately; further processor
/// names share [`OVERFLOW`](crate::metric_names::OVERFLOW), with a warning logged once.
pub const MAX_EVENT_PROCESSORS: usize = 1_000;

static UNKNOWN: NamedRegistry<UnknownEvents> =
    NamedRegistry::new("event processors", MAX_EVENT_PROCESSORS, OVERFLOW);

/// The unknown-event counts of `processor`, created (and published from then on) on first use.
pub(super) fn unknown_events(processor: &str) -> &'static UnknownEvents {
    let mut created = false;
    let events = UNKNOWN.get_or_insert_with(processor, |processor| {
        created = true;
        UnknownEvents {
            processor: processor.into(),
            total: AtomicU64::new(0),
            by_type: Mutex::new(BTreeMap::new()),
            counter: RecorderCache::new(),
        }
    });
    if created {
        publish::register(events);
    }
    events
}

/// Events one processor had no handler for; see [`unknown_events_report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownEventsReport {
    /// The processor's name.
    pub processor: String,
    /// Unknown events in all.
    pub unknown: u64,
    /// Per unknown type, most frequent first (at most [`MAX_UNKNOWN_TYPES`] types, then
    /// [`OTHER_TYPES`]).
    pub types: Vec<(String, u64)>,
}

/// Every event processor's unknown events, by processor name (also in [`report`](crate::report)).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let processor: coord::events::EventProcessor<u32> = coord::events::EventProcessor::new("docs.unknown");
/// assert!(processor.process("no.such.type", 1).await.is_err());
/// let report = coord::events::unknown_events_report();
/// let ours = report.iter().find(|r| r.processor == "docs.unknown").unwrap();
/// assert_eq!(ours.types, [("no.such.type".to_owned(), 1)]);
/// # });
/// ```
#[must_use]
pub fn unknown_events_report() -> Vec<UnknownEventsReport> {
    UNKNOWN.all().iter().map(|events| events.report()).collect()
}
