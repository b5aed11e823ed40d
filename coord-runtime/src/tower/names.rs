//! The operation names one layer gives requests, kept bounded: a naming function that returns
//! something unbounded (a raw path with ids in it) must not mint a series per request. Each
//! name is looked up once per request, and the lookup gives everything the request counts
//! into, so no other registry is searched on the request path.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock};

use crate::retry::site::RetryCounts;
use crate::tracking::stats::{OperationStats, stats_for};

/// What one operation name counts into.
#[derive(Clone, Copy)]
pub(super) struct Route {
    /// Its tracking statistics.
    pub stats: &'static OperationStats,
    /// Its retry statistics, when the layer retries.
    pub retries: Option<RetryCounts>,
}

/// Names a layer has used so far, each with what it counts into.
pub(super) struct NameTable {
    limit: usize,
    /// Names given out so far, counted with the other tables sharing it (every `by` layer of
    /// the process), so the limit holds process-wide; `None`: this table's own names count.
    budget: Option<&'static AtomicUsize>,
    overflow: Box<str>,
    /// Set once a name was refused: the limit never frees up, so later new names go straight
    /// to the overflow entry under the read lock.
    overflowed: AtomicBool,
    counts_retries: bool,
    known: RwLock<HashMap<Box<str>, Route, foldhash::fast::RandomState>>,
}

impl NameTable {
    /// At most `limit` names (in this table, or in all tables sharing `budget`); later new
    /// names are counted under `overflow`. With `counts_retries`, each name has retry
    /// statistics too.
    pub(super) fn new(
        limit: usize,
        budget: Option<&'static AtomicUsize>,
        overflow: &str,
        counts_retries: bool,
    ) -> Self {
        Self {
            limit,
            budget,
            overflow: overflow.into(),
            overflowed: AtomicBool::new(false),
            counts_retries,
            known: RwLock::new(HashMap::default()),
        }
    }

    /// An empty table like this one that also counts retries.
    pub(super) fn counting_retries(&self) -> Self {
        Self::new(self.limit, self.budget, &self.overflow, true)
    }

    /// What a request named `name` counts into.
    pub(super) fn route(&self, name: &str) -> Route {
        {
            let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(route) = known.get(name) {
                return *route;
            }
            // Past the limit, new names share the overflow entry without the write lock.
            if self.overflowed.load(Ordering::Relaxed)
                && let Some(overflow) = known.get(&*self.overflow)
            {
                return *overflow;
            }
        }
        self.insert(name)
    }

    #[cold]
    fn insert(&self, name: &str) -> Route {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(route) = known.get(name) {
            return *route;
        }
        if !self.take_one(known.len()) {
            self.overflowed.store(true, Ordering::Relaxed);
            if let Some(overflow) = known.get(&*self.overflow) {
                return *overflow;
            }
            tracing::warn!(
                limit = self.limit,
                first_unlisted = name,
                overflow = &*self.overflow,
                "coord: tower layers' naming functions gave more operation names than the limit; further names are counted together"
            );
            let overflow = self.resolve(&self.overflow);
            known.insert(self.overflow.clone(), overflow);
            return overflow;
        }
        let route = self.resolve(name);
        known.insert(name.into(), route);
        route
    }

    /// Whether one more name may be given out, taking it from the budget if there is one.
    fn take_one(&self, known: usize) -> bool {
        match self.budget {
            Some(budget) => budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |given| {
                    (given < self.limit).then_some(given + 1)
                })
                .is_ok(),
            None => known < self.limit,
        }
    }

    fn resolve(&self, name: &str) -> Route {
        let stats = stats_for(name);
        stats.keep_in_flight();
        Route {
            stats,
            retries: self.counts_retries.then(|| RetryCounts::of(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_limit_share_the_overflow_operation() {
        let table = NameTable::new(2, None, "names_test.other", false);
        let a = table.route("names_test.a").stats;
        assert!(std::ptr::eq(a, table.route("names_test.a").stats));
        let b = table.route("names_test.b").stats;
        assert!(!std::ptr::eq(a, b));
        let c = table.route("names_test.c").stats;
        assert_eq!(c.name(), "names_test.other");
        assert!(std::ptr::eq(c, table.route("names_test.d").stats));
        assert_eq!(table.route("names_test.b").stats.name(), "names_test.b");
        assert!(table.route("names_test.a").retries.is_none());
        assert!(
            table
                .counting_retries()
                .route("names_test.a")
                .retries
                .is_some()
        );
    }

    #[test]
    fn tables_sharing_a_budget_share_the_limit() {
        static BUDGET: AtomicUsize = AtomicUsize::new(0);
        let first = NameTable::new(3, Some(&BUDGET), "budget_test.other", false);
        let second = NameTable::new(3, Some(&BUDGET), "budget_test.other", false);
        assert_eq!(first.route("budget_test.a").stats.name(), "budget_test.a");
        assert_eq!(first.route("budget_test.b").stats.name(), "budget_test.b");
        assert_eq!(second.route("budget_test.c").stats.name(), "budget_test.c");
        assert_eq!(
            second.route("budget_test.d").stats.name(),
            "budget_test.other"
        );
        assert_eq!(
            first.route("budget_test.e").stats.name(),
            "budget_test.other"
        );
        assert_eq!(first.route("budget_test.a").stats.name(), "budget_test.a");
    }
}
