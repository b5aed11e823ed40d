//! The duration histogram's bucket bounds as a configuration value: the default and what makes
//! a list of bounds unusable, checked alike for the file, the environment, values built in code
//! and the exporter's builder.

/// Default bucket boundaries (seconds) of every `*_seconds` histogram: 100 µs to 10 s.
pub const DEFAULT_DURATION_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// The most bucket bounds a duration histogram takes: every operation counts each bucket, and
/// every scrape renders a line per bucket and operation.
pub const MAX_DURATION_BUCKETS: usize = 100;

/// The largest bucket bound, in seconds: one year. Durations are counted in nanoseconds, and a
/// bound past `u64::MAX` nanoseconds (about 584 years) could not be compared with them.
pub const MAX_DURATION_BUCKET_SECONDS: f64 = 31_536_000.0;

/// What makes `buckets` unusable as histogram bounds, if anything.
pub(crate) fn bucket_problem(buckets: &[f64]) -> Option<&'static str> {
    if buckets.is_empty() {
        Some("at least one bucket is needed")
    } else if buckets.len() > MAX_DURATION_BUCKETS {
        Some("at most 100 bounds are accepted")
    } else if buckets
        .iter()
        .any(|bound| *bound > MAX_DURATION_BUCKET_SECONDS)
    {
        Some("bounds must be at most 31536000 seconds (one year)")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_state_the_bounds() {
        // The messages spell the bounds out: they must change together.
        const { assert!(MAX_DURATION_BUCKETS == 100) };
        assert!((MAX_DURATION_BUCKET_SECONDS - 31_536_000.0).abs() < f64::EPSILON);
        let too_many: Vec<f64> = (1..=101).map(f64::from).collect();
        assert_eq!(
            bucket_problem(&too_many),
            Some("at most 100 bounds are accepted")
        );
        let many: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(bucket_problem(&many), None);
        assert!(bucket_problem(&[1.0, 1e20]).is_some_and(|reason| reason.contains("one year")));
        assert_eq!(bucket_problem(&[1.0, MAX_DURATION_BUCKET_SECONDS]), None);
    }
}
