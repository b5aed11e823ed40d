//! coord's operation duration histograms in the Prometheus text format, rendered by coord's own
//! exporter straight from the per-thread bucket counts, with the exporter's own formatting
//! helpers so names, help text and label escaping match its other families exactly.
//!
//! Through the `metrics` facade, every duration would be one sample pushed into the exporter's
//! shared queue (by the caller, or by the publisher on its behalf): the cost of the busiest
//! operation's call rate, paid again on one thread. coord already counts calls per bucket and
//! sums their durations per bucket, exactly, so its exporter renders those counts directly and
//! the duration histogram costs nothing per call beyond two per-thread cells.

use indexmap::IndexMap;
use metrics::{Key, Label};
use metrics_exporter_prometheus::LabelSet;
use metrics_exporter_prometheus::formatting::{
    write_help_line, write_metric_line, write_type_line,
};

use crate::telemetry::metric_names::{self, DURATION_SECONDS, OPERATION_LABEL};
use crate::tracking::stats::{OperationStats, all_operations};

/// Appends the `coord_operation_duration_seconds` family to `out` (nothing if no operation ran),
/// with each bucket's exemplar when `exemplars` (OpenMetrics only).
pub(super) fn render_durations(out: &mut String, exemplars: bool) {
    let operations: Vec<&'static OperationStats> = all_operations();
    let no_global_labels = IndexMap::new();
    let mut header_written = false;
    for stats in operations {
        let (bounds, buckets) = stats.duration_buckets();
        let count: u64 = buckets.iter().map(|(calls, _)| calls).sum();
        if count == 0 {
            continue;
        }
        if !header_written {
            let help = metric_names::ALL
                .iter()
                .find(|metric| metric.name == DURATION_SECONDS)
                .map_or("", |metric| metric.help);
            write_help_line(out, DURATION_SECONDS, None, None, help);
            write_type_line(out, DURATION_SECONDS, None, None, "histogram");
            header_written = true;
        }
        let key = Key::from_parts(
            DURATION_SECONDS,
            vec![Label::new(OPERATION_LABEL, stats.name().to_owned())],
        );
        let labels = LabelSet::from_key_and_global(&key, &no_global_labels);
        let mut cumulative = 0u64;
        for (index, (bound, (calls, _))) in bounds.iter().zip(&buckets).enumerate() {
            cumulative += calls;
            write_metric_line(
                out,
                DURATION_SECONDS,
                Some("bucket"),
                &labels,
                Some(("le", bound)),
                cumulative,
                None,
            );
            if exemplars {
                append_exemplar(out, stats, index);
            }
        }
        write_metric_line(
            out,
            DURATION_SECONDS,
            Some("bucket"),
            &labels,
            Some(("le", "+Inf")),
            count,
            None,
        );
        if exemplars {
            append_exemplar(out, stats, bounds.len());
        }
        let nanos: u64 = buckets.iter().map(|(_, nanos)| nanos).sum();
        #[allow(clippy::cast_precision_loss)]
        let seconds = nanos as f64 / 1e9;
        write_metric_line::<&str, f64>(
            out,
            DURATION_SECONDS,
            Some("sum"),
            &labels,
            None,
            seconds,
            None,
        );
        write_metric_line::<&str, u64>(
            out,
            DURATION_SECONDS,
            Some("count"),
            &labels,
            None,
            count,
            None,
        );
    }
}

/// Appends bucket `bucket`'s exemplar to the line just written, if the operation has one:
/// ` # {trace_id="<32 hex digits>"} <seconds> <unix time>`.
fn append_exemplar(out: &mut String, stats: &OperationStats, bucket: usize) {
    use std::fmt::Write as _;
    let Some(exemplar) = stats.exemplar(bucket) else {
        return;
    };
    if out.ends_with('\n') {
        out.pop();
    }
    // Writing to a `String` cannot fail.
    let _ = writeln!(
        out,
        " # {{trace_id=\"{:032x}\"}} {} {:.3}",
        exemplar.trace_id, exemplar.seconds, exemplar.unix_seconds
    );
}
