//! The lock section of the report. The locks live in `coord-patterns`, which this crate does
//! not import: it adds a source to [`LOCK_REPORT_SOURCES`] at link time.

use serde::Serialize;

/// One lock (by key template) as this process has used it since it started.
///
/// ```
/// for lock in &coord::report().locks {
///     println!("{}: {} acquired, {} timed out, {} lost", lock.lock, lock.acquired, lock.timeouts, lock.lost);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockReport {
    /// The key template (`inventory:{sku}`), as in the series' `lock` label.
    pub lock: String,
    /// Acquisitions that got the lock.
    pub acquired: u64,
    /// Acquisitions that gave up after their `wait`.
    pub timeouts: u64,
    /// Acquisitions the backend failed.
    pub errors: u64,
    /// Holds lost while held.
    pub lost: u64,
    /// Holds this process has now.
    pub held: u64,
    /// The longest wait for an acquisition that got the lock, in milliseconds.
    #[serde(serialize_with = "crate::base::json_numbers::three")]
    pub max_wait_ms: f64,
}

/// Where the report gets its lock rows. **Not a stable API.**
#[linkme::distributed_slice]
pub static LOCK_REPORT_SOURCES: [fn() -> Vec<LockReport>];

/// Every source's rows, by lock.
pub(crate) fn lock_report() -> Vec<LockReport> {
    let mut rows: Vec<LockReport> = LOCK_REPORT_SOURCES
        .iter()
        .flat_map(|source| source())
        .collect();
    rows.sort_by(|a, b| a.lock.cmp(&b.lock));
    rows
}
