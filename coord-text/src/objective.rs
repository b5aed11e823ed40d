//! The bounds of a service-level objective declared on an operation
//! (`objective(success = 99.9, latency = "250ms", latency_percentile = 99)`), checked alike by
//! the attributes and by the runtime that turns objectives into alerting rules.

/// The percentile a latency objective holds at when none is written.
pub const DEFAULT_LATENCY_PERCENTILE: f64 = 99.0;

/// The longest latency objective: a day.
pub const MAX_OBJECTIVE_LATENCY_NANOS: u64 = 86_400 * 1_000_000_000;

/// What is wrong with an objective, as the key to point at and a sentence; `None` when it
/// holds. `success` and `percentile` are percentages; `latency_nanos` the latency bound.
///
/// ```
/// assert!(coord_text::objective_problem(Some(99.9), None, None).is_none());
/// let (key, message) = coord_text::objective_problem(Some(100.0), None, None).unwrap();
/// assert_eq!(key, "success");
/// assert!(message.contains("error budget"));
/// ```
#[must_use]
pub fn objective_problem(
    success: Option<f64>,
    latency_nanos: Option<u64>,
    percentile: Option<f64>,
) -> Option<(&'static str, String)> {
    if percentile.is_some() && latency_nanos.is_none() {
        return Some((
            "latency_percentile",
            "`latency_percentile` needs a `latency` to hold at, e.g. `latency = \"250ms\"`"
                .to_owned(),
        ));
    }
    if success.is_none() && latency_nanos.is_none() {
        return Some((
            "objective",
            "an objective needs `success = 99.9` (percent of calls that succeed) or `latency = \"250ms\"`, or both".to_owned(),
        ));
    }
    if let Some(success) = success
        && !(success > 0.0 && success < 100.0)
    {
        return Some((
            "success",
            format!(
                "`success` is the percent of calls that must succeed, above 0 and below 100 (100 leaves no error budget to alert on); found {success}"
            ),
        ));
    }
    if let Some(latency) = latency_nanos
        && (latency == 0 || latency > MAX_OBJECTIVE_LATENCY_NANOS)
    {
        return Some((
            "latency",
            "`latency` must be above 0 and at most a day".to_owned(),
        ));
    }
    if let Some(percentile) = percentile
        && !(percentile > 0.0 && percentile < 100.0)
    {
        return Some((
            "latency_percentile",
            format!(
                "`latency_percentile` is the percent of calls that must be faster than `latency`, above 0 and below 100; found {percentile}"
            ),
        ));
    }
    None
}
