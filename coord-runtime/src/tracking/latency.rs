//! A fixed-size, lock-free latency histogram with bounded relative error, for in-process percentiles.
//!
//! Values (nanoseconds) fall into log-linear buckets: each power of two is split into
//! [`SUB_BUCKETS`] equal parts, so a bucket is at most 1/16 of its lower bound wide and a reported
//! percentile is within about 3 % of the true one. The table covers all of `u64` in 976 buckets
//! (7.8 KiB per operation and thread that calls it) whatever the number of calls: memory stays
//! bounded. The counts are per-thread cells, so recording never contends.

use crate::base::cells::{self, CellIndex};

const SUB_BITS: u32 = 4;
/// Buckets per power of two.
pub(crate) const SUB_BUCKETS: usize = 1 << SUB_BITS;
/// Number of buckets needed to cover every `u64`.
pub(crate) const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB_BUCKETS;

/// Counts of observations per bucket, kept in per-thread [`cells`].
pub(crate) struct LatencyHistogram {
    first: CellIndex,
}

impl LatencyHistogram {
    /// An empty histogram.
    pub(crate) fn new() -> Self {
        #[allow(clippy::cast_possible_truncation)] // BUCKETS is 976
        Self {
            first: cells::allocate(BUCKETS as u32),
        }
    }

    /// The cell counting observations of `value` nanoseconds (to add to with other cells).
    #[inline]
    pub(crate) fn cell_of(&self, value: u64) -> CellIndex {
        #[allow(clippy::cast_possible_truncation)] // below BUCKETS
        let bucket = bucket_of(value) as u32;
        self.first + bucket
    }

    /// Counts one observation of `value` nanoseconds.
    #[cfg(test)]
    pub(crate) fn record(&self, value: u64) {
        cells::add(self.cell_of(value), 1);
    }

    /// A copy of the bucket counts, for computing percentiles without racing writers.
    pub(crate) fn counts(&self) -> Vec<u64> {
        let mut counts = vec![0; BUCKETS];
        cells::sum_into(self.first, &mut counts);
        counts
    }
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket index of `value`.
#[inline]
pub(crate) fn bucket_of(value: u64) -> usize {
    if value < SUB_BUCKETS as u64 {
        return value as usize;
    }
    let exponent = 63 - value.leading_zeros();
    let sub = (value >> (exponent - SUB_BITS)) as usize & (SUB_BUCKETS - 1);
    (exponent - SUB_BITS + 1) as usize * SUB_BUCKETS + sub
}

/// The smallest and largest value that fall into bucket `index`.
pub(crate) fn bucket_bounds(index: usize) -> (u64, u64) {
    if index < SUB_BUCKETS {
        return (index as u64, index as u64);
    }
    let exponent = (index / SUB_BUCKETS) as u32 + SUB_BITS - 1;
    let sub = (index % SUB_BUCKETS) as u64;
    let width = 1u64 << (exponent - SUB_BITS);
    let low = (SUB_BUCKETS as u64 + sub) * width;
    (low, low + (width - 1))
}

/// The value at quantile `q` (0.0..=1.0) of the observations in `counts`, or `None` when empty.
///
/// Returns the middle of the bucket holding the observation of rank `ceil(q * total)`.
pub(crate) fn quantile(counts: &[u64], q: f64) -> Option<u64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    // Rank of the wanted observation, 1-based; ceil so that p100 is the largest observation.
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (index, count) in counts.iter().enumerate() {
        seen += count;
        if seen >= rank {
            let (low, high) = bucket_bounds(index);
            return Some(low + (high - low) / 2);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_falls_inside_its_bucket() {
        let mut values: Vec<u64> = (0..5000).collect();
        values.extend((0..64).map(|shift| 1u64 << shift));
        values.extend((1..64).map(|shift| (1u64 << shift) - 1));
        values.push(u64::MAX);
        for value in values {
            let index = bucket_of(value);
            assert!(index < BUCKETS, "{value} -> {index}");
            let (low, high) = bucket_bounds(index);
            assert!(
                low <= value && value <= high,
                "{value} not in {low}..={high}"
            );
        }
    }

    #[test]
    fn buckets_are_contiguous() {
        for index in 1..BUCKETS {
            assert_eq!(bucket_bounds(index - 1).1 + 1, bucket_bounds(index).0);
        }
        assert_eq!(bucket_bounds(BUCKETS - 1).1, u64::MAX);
    }

    #[test]
    fn quantiles_are_within_the_bucket_error() {
        let histogram = LatencyHistogram::new();
        for value in 1..=10_000u64 {
            histogram.record(value * 1_000);
        }
        let counts = histogram.counts();
        for (q, exact) in [(0.5, 5_000_000.0), (0.95, 9_500_000.0), (0.99, 9_900_000.0)] {
            let got = quantile(&counts, q).expect("non-empty") as f64;
            assert!(
                (got - exact).abs() / exact < 0.035,
                "q{q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn empty_histogram_has_no_quantile() {
        assert_eq!(quantile(&LatencyHistogram::new().counts(), 0.5), None);
    }
}
