//! The sampling thread behind [`start_system_monitor`] (feature `system`, which brings
//! `sysinfo`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sysinfo::{MemoryRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use crate::telemetry::recorder_identity::{RecorderId, renders_durations};

use super::SystemSample;

struct Shared {
    samples: Mutex<VecDeque<SystemSample>>,
    max_points: usize,
    stop: AtomicBool,
    /// Publishes the standard process series to a recorder that is not coord's exporter.
    process: metrics_process::Collector,
    /// The recorder the process series were last described to.
    described: Mutex<Option<RecorderId>>,
}

/// The monitor the report reads, if one runs.
static RUNNING: Mutex<Option<Weak<Shared>>> = Mutex::new(None);

/// A running system monitor; stopped by [`SystemMonitor::stop`] or when dropped.
///
/// ```
/// use std::time::Duration;
///
/// let monitor = coord::system::start_system_monitor(Duration::from_millis(10), 5)?;
/// while monitor.samples().len() < 2 {
///     std::thread::sleep(Duration::from_millis(5));
/// }
/// assert!(monitor.latest().unwrap().process_resident_bytes > 0);
/// monitor.stop();
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct SystemMonitor {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Starts sampling every `interval`, keeping the last `max_points` samples (at least 1).
///
/// # Errors
/// The operating system's reason when the sampling thread cannot start.
pub fn start_system_monitor(
    interval: Duration,
    max_points: usize,
) -> std::io::Result<SystemMonitor> {
    let shared = Arc::new(Shared {
        samples: Mutex::new(VecDeque::new()),
        max_points: max_points.max(1),
        stop: AtomicBool::new(false),
        process: metrics_process::Collector::default(),
        described: Mutex::new(None),
    });
    let sampler = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("coord-system-monitor".into())
        .spawn(move || sample_until_stopped(&sampler, interval))?;
    *RUNNING.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::downgrade(&shared));
    Ok(SystemMonitor {
        shared,
        thread: Some(thread),
    })
}

impl SystemMonitor {
    /// The samples kept, oldest first.
    #[must_use]
    pub fn samples(&self) -> Vec<SystemSample> {
        samples_of(&self.shared)
    }

    /// The newest sample.
    #[must_use]
    pub fn latest(&self) -> Option<SystemSample> {
        self.samples().last().copied()
    }

    /// Stops sampling and waits for the thread to end.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for SystemMonitor {
    fn drop(&mut self) {
        self.halt();
    }
}

fn samples_of(shared: &Shared) -> Vec<SystemSample> {
    shared
        .samples
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .copied()
        .collect()
}

/// The samples of the running monitor, if one runs.
pub(crate) fn running_samples() -> Option<Vec<SystemSample>> {
    let running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
    running
        .as_ref()
        .and_then(Weak::upgrade)
        .map(|shared| samples_of(&shared))
}

fn sample_until_stopped(shared: &Shared, interval: Duration) {
    let started = Instant::now();
    let mut system = System::new();
    let pid = sysinfo::get_current_pid().ok();
    while !shared.stop.load(Ordering::SeqCst) {
        let sample = read(&mut system, pid, started);
        publish(shared);
        {
            let mut samples = shared
                .samples
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if samples.len() == shared.max_points {
                samples.pop_front();
            }
            samples.push_back(sample);
        }
        // Unparked early by `stop`.
        std::thread::park_timeout(interval);
    }
}

fn read(system: &mut System, pid: Option<Pid>, started: Instant) -> SystemSample {
    system.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
    let process = pid.and_then(|pid| {
        system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[pid]),
            true,
            ProcessRefreshKind::nothing().with_cpu().with_memory(),
        );
        system.process(pid)
    });
    SystemSample {
        at_secs: started.elapsed().as_secs_f64(),
        process_cpu_percent: process.map_or(0.0, sysinfo::Process::cpu_usage),
        process_resident_bytes: process.map_or(0, sysinfo::Process::memory),
        system_memory_used_bytes: system.used_memory(),
        system_memory_total_bytes: system.total_memory(),
    }
}

/// The standard process series for a recorder other than coord's exporter (which renders them
/// itself at each scrape, see `export/process.rs`): through the `metrics` facade, where a
/// counter holds whole numbers, so `process_cpu_seconds_total` moves in whole seconds there.
fn publish(shared: &Shared) {
    if metrics::with_recorder(renders_durations) {
        return;
    }
    let current = metrics::with_recorder(RecorderId::of);
    if current == RecorderId::of(&metrics::NoopRecorder) {
        // Nobody to publish to: no reading of `/proc` every sample for nothing.
        return;
    }
    let mut described = shared
        .described
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if *described != Some(current) {
        shared.process.describe();
        *described = Some(current);
    }
    drop(described);
    shared.process.collect();
}
