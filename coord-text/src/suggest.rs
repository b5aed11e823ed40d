//! "Did you mean" hints for misspelt names: attribute arguments, rule keys, configuration keys.

/// The candidate closest to `typed`, if it is close enough to be a plausible typo (at most one
/// edit per three characters).
///
/// ```
/// assert_eq!(coord_text::closest("max_retrys", &["max_retries", "base_delay"]), Some("max_retries"));
/// assert_eq!(coord_text::closest("timeout", &["max_retries"]), None);
/// ```
#[must_use]
pub fn closest<'a>(typed: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (typed.len() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (edit_distance(typed, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit ("mni" is one edit
/// from "min").
///
/// ```
/// assert_eq!(coord_text::edit_distance("mni", "min"), 1);
/// ```
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_misses_only() {
        let known = ["name", "in_flight", "crate"];
        assert_eq!(closest("nmae", &known), Some("name"));
        assert_eq!(closest("inflight", &known), Some("in_flight"));
        assert_eq!(closest("crates", &known), Some("crate"));
        assert_eq!(closest("timeout", &known), None);
    }
}
