//! coord's operation duration histograms in the Prometheus text format, rendered by coord's own
//! exporter straight from the per-thread bucket counts.
//!
//! Through the `metrics` facade, every duration would be one sample pushed into the exporter's
//! shared queue (by the caller, or by the publisher on its behalf): the cost of the busiest
//! operation's call rate, paid again on one thread. coord already counts calls per bucket and
//! sums their durations per bucket, exactly, so its exporter renders those counts directly and
//! the duration histogram costs nothing per call beyond two per-thread cells.

use std::fmt::Write as _;

use super::stats::{OperationStats, all_operations};
use crate::metric_names::{DURATION_SECONDS, OPERATION_LABEL};

/// Appends the `coord_operation_duration_seconds` family to `out` (nothing if no operation ran).
pub fn render_durations(out: &mut String) {
    let operations: Vec<&'static OperationStats> = all_operations();
    let mut header_written = false;
    for stats in operations {
        let (bounds, buckets) = stats.duration_buckets();
        let count: u64 = buckets.iter().map(|(calls, _)| calls).sum();
        if count == 0 {
            continue;
        }
        if !header_written {
            let help = crate::metric_names::ALL
                .iter()
                .find(|metric| metric.name == DURATION_SECONDS)
                .map_or("", |metric| metric.help);
            let _ = writeln!(out, "# HELP {DURATION_SECONDS} {help}");
            let _ = writeln!(out, "# TYPE {DURATION_SECONDS} histogram");
            header_written = true;
        }
        let operation = escape_label_value(stats.name());
        let mut cumulative = 0u64;
        for (bound, (calls, _)) in bounds.iter().zip(&buckets) {
            cumulative += calls;
            let _ = writeln!(
                out,
                "{DURATION_SECONDS}_bucket{{{OPERATION_LABEL}=\"{operation}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{DURATION_SECONDS}_bucket{{{OPERATION_LABEL}=\"{operation}\",le=\"+Inf\"}} {count}"
        );
        let nanos: u64 = buckets.iter().map(|(_, nanos)| nanos).sum();
        #[allow(clippy::cast_precision_loss)]
        let seconds = nanos as f64 / 1e9;
        let _ = writeln!(
            out,
            "{DURATION_SECONDS}_sum{{{OPERATION_LABEL}=\"{operation}\"}} {seconds}"
        );
        let _ = writeln!(
            out,
            "{DURATION_SECONDS}_count{{{OPERATION_LABEL}=\"{operation}\"}} {count}"
        );
    }
}

/// A label value as the text format needs it: backslash, double quote and newline escaped.
fn escape_label_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape_label_value;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label_value("x\ny"), "x\\ny");
    }
}
