//! The operation names one layer gives requests, kept bounded: a naming function that returns
//! something unbounded (a raw path with ids in it) must not mint a series per request.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use crate::tracking::stats::{OperationStats, stats_for};

/// Names a layer has used so far, each with its operation's statistics.
pub(super) struct NameTable {
    limit: usize,
    overflow: Box<str>,
    known: RwLock<HashMap<Box<str>, &'static OperationStats, foldhash::fast::RandomState>>,
}

impl NameTable {
    /// At most `limit` names; later new names are counted under `overflow`.
    pub(super) fn new(limit: usize, overflow: &str) -> Self {
        Self {
            limit,
            overflow: overflow.into(),
            known: RwLock::new(HashMap::default()),
        }
    }

    /// The statistics a request named `name` is counted in.
    pub(super) fn stats(&self, name: &str) -> &'static OperationStats {
        if let Some(stats) = self
            .known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
        {
            return stats;
        }
        self.insert(name)
    }

    #[cold]
    fn insert(&self, name: &str) -> &'static OperationStats {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(stats) = known.get(name) {
            return stats;
        }
        if known.len() >= self.limit {
            if known.len() == self.limit {
                tracing::warn!(
                    limit = self.limit,
                    first_unlisted = name,
                    overflow = &*self.overflow,
                    "coord: the tower layer's naming function gave more operation names than its limit; further names are counted together"
                );
            }
            let overflow = stats_for(&self.overflow);
            overflow.keep_in_flight();
            // Remembered under its own name so the warning is logged once.
            known.insert(self.overflow.clone(), overflow);
            return overflow;
        }
        let stats = stats_for(name);
        stats.keep_in_flight();
        known.insert(name.into(), stats);
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_limit_share_the_overflow_operation() {
        let table = NameTable::new(2, "names_test.other");
        let a = table.stats("names_test.a");
        assert!(std::ptr::eq(a, table.stats("names_test.a")));
        let b = table.stats("names_test.b");
        assert!(!std::ptr::eq(a, b));
        let c = table.stats("names_test.c");
        assert_eq!(c.name(), "names_test.other");
        assert!(std::ptr::eq(c, table.stats("names_test.d")));
        assert_eq!(table.stats("names_test.b").name(), "names_test.b");
    }
}
