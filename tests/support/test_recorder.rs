//! A `metrics` recorder for tests that reads values without resetting them (after publishing
//! coord's per-thread counts with `coord::flush_metrics`).
//!
//! `metrics-util`'s `DebuggingRecorder` swaps counters and gauges to zero on every snapshot, so
//! two tests in one binary would steal each other's counts and an in-flight gauge read mid-call
//! would go negative afterwards. This one only reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use metrics::{
    Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};

#[derive(Default)]
struct Samples(Mutex<Vec<f64>>);

impl HistogramFn for Samples {
    fn record(&self, value: f64) {
        self.0.lock().unwrap().push(value);
    }
}

/// Every series registered so far, keyed `name{label="value",...}` with labels as registered.
#[derive(Default)]
pub struct TestRecorder {
    counters: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
    gauges: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
    histograms: Mutex<BTreeMap<String, Arc<Samples>>>,
    descriptions: Mutex<BTreeMap<String, (Option<Unit>, String)>>,
}

/// Installs one `TestRecorder` as the global recorder of this test binary and returns it.
pub fn global() -> &'static TestRecorder {
    static RECORDER: OnceLock<&'static TestRecorder> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder: &'static TestRecorder = Box::leak(Box::default());
        metrics::set_global_recorder(recorder).expect("no other recorder in this test binary");
        recorder
    })
}

/// The series of `series` labelled `operation="<operation>"`, each read with `read`.
fn labelled<H, V>(
    series: &Mutex<BTreeMap<String, H>>,
    operation: &str,
    read: impl Fn(&H) -> V,
) -> BTreeMap<String, V> {
    let needle = format!("operation=\"{operation}\"");
    series
        .lock()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.contains(&needle))
        .map(|(name, handle)| (name.clone(), read(handle)))
        .collect()
}

/// The series of `series` whose name starts with `prefix`, each read with `read`.
fn named<H, V>(
    series: &Mutex<BTreeMap<String, H>>,
    prefix: &str,
    read: impl Fn(&H) -> V,
) -> BTreeMap<String, V> {
    series
        .lock()
        .unwrap()
        .range(prefix.to_owned()..)
        .take_while(|(name, _)| name.starts_with(prefix))
        .map(|(name, handle)| (name.clone(), read(handle)))
        .collect()
}

fn series_name(key: &Key) -> String {
    let labels: Vec<String> = key
        .labels()
        .map(|label| format!("{}=\"{}\"", label.key(), label.value()))
        .collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl TestRecorder {
    /// Counter values of the series labelled with `operation`.
    pub fn counters(&self, operation: &str) -> BTreeMap<String, u64> {
        // coord publishes counts to the recorder in batches; read them all.
        coord::flush_metrics();
        labelled(&self.counters, operation, |value| {
            value.load(Ordering::SeqCst)
        })
    }

    /// Gauge values of the series labelled with `operation`.
    pub fn gauges(&self, operation: &str) -> BTreeMap<String, f64> {
        // coord publishes counts to the recorder in batches; read them all.
        coord::flush_metrics();
        labelled(&self.gauges, operation, |value| {
            f64::from_bits(value.load(Ordering::SeqCst))
        })
    }

    /// Histogram samples of the series labelled with `operation`.
    pub fn histograms(&self, operation: &str) -> BTreeMap<String, Vec<f64>> {
        labelled(&self.histograms, operation, |samples| {
            samples.0.lock().unwrap().clone()
        })
    }

    /// Counter values of the series whose name starts with `prefix`.
    pub fn counters_named(&self, prefix: &str) -> BTreeMap<String, u64> {
        // coord publishes counts to the recorder in batches; read them all.
        coord::flush_metrics();
        named(&self.counters, prefix, |value| value.load(Ordering::SeqCst))
    }

    /// Gauge values of the series whose name starts with `prefix`.
    pub fn gauges_named(&self, prefix: &str) -> BTreeMap<String, f64> {
        // coord publishes counts to the recorder in batches; read them all.
        coord::flush_metrics();
        named(&self.gauges, prefix, |value| {
            f64::from_bits(value.load(Ordering::SeqCst))
        })
    }

    /// Every series registered so far (after publishing coord's counts), sorted.
    pub fn all_series(&self) -> Vec<String> {
        coord::flush_metrics();
        let mut all: Vec<String> = self.counters.lock().unwrap().keys().cloned().collect();
        all.extend(self.gauges.lock().unwrap().keys().cloned());
        all.extend(self.histograms.lock().unwrap().keys().cloned());
        all.sort();
        all
    }

    /// Unit and help text given for `name`.
    pub fn description(&self, name: &str) -> Option<(Option<Unit>, String)> {
        self.descriptions.lock().unwrap().get(name).cloned()
    }

    fn describe(&self, name: KeyName, unit: Option<Unit>, help: SharedString) {
        self.descriptions
            .lock()
            .unwrap()
            .insert(name.as_str().to_owned(), (unit, help.to_string()));
    }
}

impl Recorder for TestRecorder {
    fn describe_counter(&self, name: KeyName, unit: Option<Unit>, help: SharedString) {
        self.describe(name, unit, help);
    }

    fn describe_gauge(&self, name: KeyName, unit: Option<Unit>, help: SharedString) {
        self.describe(name, unit, help);
    }

    fn describe_histogram(&self, name: KeyName, unit: Option<Unit>, help: SharedString) {
        self.describe(name, unit, help);
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let mut counters = self.counters.lock().unwrap();
        Counter::from_arc(counters.entry(series_name(key)).or_default().clone())
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let mut gauges = self.gauges.lock().unwrap();
        Gauge::from_arc(gauges.entry(series_name(key)).or_default().clone())
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let mut histograms = self.histograms.lock().unwrap();
        Histogram::from_arc(histograms.entry(series_name(key)).or_default().clone())
    }
}
