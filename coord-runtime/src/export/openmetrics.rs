//! The OpenMetrics exposition, for scrapers that ask for it (`Accept:
//! application/openmetrics-text`, as Prometheus does): the same families as the text format,
//! with counter families named without `_total` (their samples keep it), no blank lines, the
//! closing `# EOF`, and coord's duration buckets carrying their exemplars (the latest traced
//! call of each bucket, see `tracking/exemplar.rs`). Exemplars exist only in this format.

use std::collections::HashSet;

/// The `Content-Type` of the OpenMetrics exposition.
pub(super) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether an `Accept` header asks for OpenMetrics.
pub(super) fn asked_for(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| {
        accept
            .split(',')
            .any(|media| media.trim().starts_with("application/openmetrics-text"))
    })
}

/// `text` (the text exposition format) as OpenMetrics: counter families renamed, blank lines
/// dropped, `# EOF` added.
pub(super) fn from_text(text: &str) -> String {
    let counters: HashSet<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .filter(|name| name.ends_with("_total"))
        .collect();
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let family = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let name = rest.split(' ').next()?;
            counters
                .contains(name)
                .then(|| (prefix, name, &rest[name.len()..]))
        });
        match family {
            Some((prefix, name, rest)) => {
                out.push_str(prefix);
                out.push_str(name.strip_suffix("_total").unwrap_or(name));
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str("# EOF\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_lose_total_in_their_family_name_only() {
        let text = "# HELP a_total Calls.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n\n# TYPE g gauge\ng 1\n";
        assert_eq!(
            from_text(text),
            "# HELP a Calls.\n# TYPE a counter\na_total{x=\"1\"} 3\n# TYPE g gauge\ng 1\n# EOF\n"
        );
    }

    #[test]
    fn accept_headers() {
        assert!(asked_for(Some(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        )));
        assert!(!asked_for(Some("text/plain")));
        assert!(!asked_for(None));
    }
}
