//! The standard process series, as Prometheus's own clients name and type them
//! (`process_cpu_seconds_total` a counter of seconds, `process_resident_memory_bytes`,
//! `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds`,
//! `process_start_time_seconds`, `process_threads`), read from the operating system by
//! `metrics-process` at each scrape and rendered by coord's exporter: current at the scrape,
//! and the CPU time keeps its fraction of a second (a `metrics` counter would round it down to
//! whole seconds). A limit the system reports as unlimited is left out rather than shown as 0.

use std::fmt::Write as _;

/// One family: its name, type, help, and the value now (`None`: not known on this system).
struct Family {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
    value: Option<f64>,
}

/// Appends the process families to `out`.
#[allow(clippy::cast_precision_loss)] // byte and descriptor counts as sample values
pub(super) fn render_process(out: &mut String) {
    let now = metrics_process::collector::collect();
    let limit = |value: Option<u64>| value.filter(|v| *v > 0).map(|v| v as f64);
    let families = [
        Family {
            name: "process_cpu_seconds_total",
            kind: "counter",
            help: "Total user and system CPU time spent in seconds.",
            value: now.cpu_seconds_total,
        },
        Family {
            name: "process_resident_memory_bytes",
            kind: "gauge",
            help: "Resident memory size in bytes.",
            value: now.resident_memory_bytes.map(|v| v as f64),
        },
        Family {
            name: "process_virtual_memory_bytes",
            kind: "gauge",
            help: "Virtual memory size in bytes.",
            value: now.virtual_memory_bytes.map(|v| v as f64),
        },
        Family {
            name: "process_virtual_memory_max_bytes",
            kind: "gauge",
            help: "Maximum amount of virtual memory available in bytes.",
            value: limit(now.virtual_memory_max_bytes),
        },
        Family {
            name: "process_open_fds",
            kind: "gauge",
            help: "Number of open file descriptors.",
            value: now.open_fds.map(|v| v as f64),
        },
        Family {
            name: "process_max_fds",
            kind: "gauge",
            help: "Maximum number of open file descriptors.",
            value: limit(now.max_fds),
        },
        Family {
            name: "process_start_time_seconds",
            kind: "gauge",
            help: "Start time of the process since unix epoch in seconds.",
            value: now.start_time_seconds.map(|v| v as f64),
        },
        Family {
            name: "process_threads",
            kind: "gauge",
            help: "Number of OS threads in the process.",
            value: now.threads.map(|v| v as f64),
        },
    ];
    for family in families {
        if let Some(value) = family.value {
            // Writing to a `String` cannot fail.
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n",
                name = family.name,
                help = family.help,
                kind = family.kind,
            );
        }
    }
}
