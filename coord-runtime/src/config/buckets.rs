//! The duration histogram's bucket bounds as a configuration value: the default and what makes
//! a list of bounds unusable, checked alike for the file, the environment, values built in code
//! and the exporter's builder.

/// Default bucket boundaries (seconds) of every `*_seconds` histogram: 100 µs to 10 s.
pub const DEFAULT_DURATION_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// What makes `buckets` unusable as histogram bounds, if anything.
pub(crate) fn bucket_problem(buckets: &[f64]) -> Option<&'static str> {
    if buckets.is_empty() {
        Some("at least one bucket is needed")
    } else if buckets
        .iter()
        .any(|bound| !bound.is_finite() || *bound <= 0.0)
    {
        Some("bounds must be finite and positive (the +Inf bucket is implicit)")
    } else if buckets.windows(2).any(|pair| pair[0] >= pair[1]) {
        Some("bounds must be strictly increasing")
    } else {
        None
    }
}
