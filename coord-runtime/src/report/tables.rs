//! The report as terminal tables, one per section, columns sized to their content.

use std::fmt::{self, Write as _};

use super::Report;

/// A table: a header row and data rows of cells, left-aligned first column, right-aligned rest.
struct Table {
    title: &'static str,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        if self.rows.is_empty() {
            return writeln!(f, "  (none)");
        }
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|column| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(column))
                    .map(|cell| cell.chars().count())
                    .chain(self.header.get(column).map(|h| h.len()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &mut dyn Iterator<Item = String>| {
            let mut out = String::from(" ");
            for (column, cell) in cells.enumerate() {
                if column == 0 {
                    let _ = write!(out, " {cell:<width$}", width = widths[0]);
                } else {
                    let _ = write!(out, "  {cell:>width$}", width = widths[column]);
                }
            }
            out
        };
        writeln!(
            f,
            "{}",
            line(&mut self.header.iter().map(|h| (*h).to_owned()))
        )?;
        for row in &self.rows {
            writeln!(f, "{}", line(&mut row.iter().cloned()))?;
        }
        Ok(())
    }
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.3}"))
}

/// Writes every section of `report`.
pub(super) fn write(report: &Report, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "overall: {}", report.overall)?;
    for reason in &report.overall_reasons {
        writeln!(f, "  because {reason}")?;
    }
    writeln!(
        f,
        "performance: {:.1}/100 ({})",
        report.performance_score, report.performance_class
    )?;
    let performance = Table {
        title: "performance (ms)",
        header: vec![
            "operation",
            "calls",
            "errors",
            "panics",
            "cancelled",
            "refused",
            "error rate",
            "mean",
            "p50",
            "p95",
            "p99",
            "max",
            "calls/s",
            "score",
            "class",
        ],
        rows: report
            .performance
            .iter()
            .map(|op| {
                vec![
                    op.operation.clone(),
                    op.calls.to_string(),
                    op.errors.to_string(),
                    op.panics.to_string(),
                    op.cancelled.to_string(),
                    op.refused.to_string(),
                    format!("{:.2}%", op.error_rate * 100.0),
                    ms(op.mean_ms),
                    ms(op.p50_ms),
                    ms(op.p95_ms),
                    ms(op.p99_ms),
                    ms(op.max_ms),
                    format!("{:.1}", op.throughput_per_sec),
                    format!("{:.1}", op.score),
                    op.class.to_string(),
                ]
            })
            .collect(),
    };
    let breakers = Table {
        title: "circuit breakers",
        header: vec![
            "breaker",
            "state",
            "successes",
            "failures",
            "rejected",
            "in a row",
            "last opened because",
        ],
        rows: report
            .error_handling
            .breakers
            .iter()
            .map(|b| {
                vec![
                    b.name.clone(),
                    b.state.to_string(),
                    b.successes.to_string(),
                    b.failures.to_string(),
                    b.rejected.to_string(),
                    b.consecutive_failures.to_string(),
                    b.opened_because.clone().unwrap_or_else(|| "-".to_owned()),
                ]
            })
            .collect(),
    };
    let retries = Table {
        title: "retries",
        header: vec![
            "operation",
            "ok first",
            "ok on retry",
            "failed",
            "failed after retry",
            "retries",
            "exhausted",
            "timeouts",
            "fallbacks",
        ],
        rows: report
            .error_handling
            .retries
            .iter()
            .map(|r| {
                vec![
                    r.operation.clone(),
                    r.successful_without_retry.to_string(),
                    r.successful_with_retry.to_string(),
                    r.failed_without_retry.to_string(),
                    r.failed_with_retry.to_string(),
                    r.retries.to_string(),
                    r.exhausted.to_string(),
                    r.timeouts.to_string(),
                    r.fallbacks.to_string(),
                ]
            })
            .collect(),
    };
    let validation = Table {
        title: "validation",
        header: vec![
            "rule set",
            "validations",
            "valid",
            "valid %",
            "mean score",
            "most frequent failure",
            "rule paths never seen",
        ],
        rows: report
            .validation
            .rule_sets
            .iter()
            .map(|r| {
                vec![
                    r.rule_set.clone(),
                    r.validations.to_string(),
                    r.valid.to_string(),
                    format!("{:.1}", r.valid_percent),
                    format!("{:.1}", r.mean_score),
                    r.top_failures.first().map_or_else(
                        || "-".to_owned(),
                        |top| format!("`{}` {} ×{}", top.path, top.code, top.count),
                    ),
                    if r.unmatched_paths.is_empty() {
                        "-".to_owned()
                    } else {
                        r.unmatched_paths
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                ]
            })
            .collect(),
    };
    let limits = Table {
        title: "limits",
        header: vec!["limit", "kind", "admitted", "rejected", "in use", "options"],
        rows: report
            .error_handling
            .limits
            .iter()
            .map(|l| {
                vec![
                    l.name.clone(),
                    l.kind.to_owned(),
                    l.admitted.to_string(),
                    l.rejected.to_string(),
                    l.in_use.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                    l.options.clone(),
                ]
            })
            .collect(),
    };
    for table in [performance, breakers, retries, limits, validation] {
        writeln!(f)?;
        table.write(f)?;
    }
    // Only when an event processor exists: most services have none.
    if !report.unknown_events.is_empty() {
        let unknown_events = Table {
            title: "unknown events (not handled)",
            header: vec!["processor", "unknown", "most frequent type"],
            rows: report
                .unknown_events
                .iter()
                .map(|r| {
                    vec![
                        r.processor.clone(),
                        r.unknown.to_string(),
                        r.types.first().map_or_else(
                            || "-".to_owned(),
                            |(event_type, count)| format!("`{event_type}` ×{count}"),
                        ),
                    ]
                })
                .collect(),
        };
        writeln!(f)?;
        unknown_events.write(f)?;
    }
    // Only when a saga is declared or has run.
    if !report.sagas.is_empty() {
        let sagas = Table {
            title: "sagas",
            header: vec![
                "saga",
                "completed",
                "compensated",
                "compensation failed",
                "failed",
                "in flight",
                "recovered",
                "awaiting operator",
            ],
            rows: report
                .sagas
                .iter()
                .map(|saga| {
                    vec![
                        saga.saga.clone(),
                        saga.completed.to_string(),
                        saga.compensated.to_string(),
                        saga.compensation_failed.to_string(),
                        saga.failed.to_string(),
                        saga.in_flight.to_string(),
                        saga.recovered.to_string(),
                        if saga.awaiting_operator.is_empty() {
                            "-".to_owned()
                        } else {
                            saga.awaiting_operator.join(", ")
                        },
                    ]
                })
                .collect(),
        };
        writeln!(f)?;
        sagas.write(f)?;
    }
    // Only when a lock has been used.
    if !report.locks.is_empty() {
        let locks = Table {
            title: "distributed locks",
            header: vec![
                "lock",
                "acquired",
                "timeouts",
                "errors",
                "lost",
                "held now",
                "max wait (ms)",
            ],
            rows: report
                .locks
                .iter()
                .map(|lock| {
                    vec![
                        lock.lock.clone(),
                        lock.acquired.to_string(),
                        lock.timeouts.to_string(),
                        lock.errors.to_string(),
                        lock.lost.to_string(),
                        lock.held.to_string(),
                        format!("{:.3}", lock.max_wait_ms),
                    ]
                })
                .collect(),
        };
        writeln!(f)?;
        locks.write(f)?;
    }
    if let Some(system) = &report.system {
        let mib = |bytes: u64| bytes / (1 << 20);
        writeln!(f)?;
        writeln!(
            f,
            "system: process CPU {:.1}% (mean {:.1}% over {} samples), resident {} MiB (peak {} MiB), system memory {} / {} MiB",
            system.latest.process_cpu_percent,
            system.mean_process_cpu_percent,
            system.samples,
            mib(system.latest.process_resident_bytes),
            mib(system.peak_process_resident_bytes),
            mib(system.latest.system_memory_used_bytes),
            mib(system.latest.system_memory_total_bytes),
        )?;
    }
    Ok(())
}
