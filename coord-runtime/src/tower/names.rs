//! The operation names one layer gives requests, kept bounded: a naming function that returns
//! something unbounded (a raw path with ids in it) must not mint a series per request. Each
//! name is looked up once per request, and the lookup gives everything the request counts
//! into, so no other registry is searched on the request path.

use std::collections::HashMap;
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
    overflow: Box<str>,
    counts_retries: bool,
    known: RwLock<HashMap<Box<str>, Route, foldhash::fast::RandomState>>,
}

impl NameTable {
    /// At most `limit` names; later new names are counted under `overflow`. With
    /// `counts_retries`, each name has retry statistics too.
    pub(super) fn new(limit: usize, overflow: &str, counts_retries: bool) -> Self {
        Self {
            limit,
            overflow: overflow.into(),
            counts_retries,
            known: RwLock::new(HashMap::default()),
        }
    }

    /// An empty table like this one that also counts retries.
    pub(super) fn counting_retries(&self) -> Self {
        Self::new(self.limit, &self.overflow, true)
    }

    /// What a request named `name` counts into.
    pub(super) fn route(&self, name: &str) -> Route {
        {
            let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(route) = known.get(name) {
                return *route;
            }
            // Past the limit (the overflow entry is then one more than it), new names share
            // the overflow entry without taking the write lock.
            if known.len() > self.limit
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
        if known.len() >= self.limit {
            if let Some(overflow) = known.get(&*self.overflow) {
                return *overflow;
            }
            tracing::warn!(
                limit = self.limit,
                first_unlisted = name,
                overflow = &*self.overflow,
                "coord: the tower layer's naming function gave more operation names than its limit; further names are counted together"
            );
            let overflow = self.resolve(&self.overflow);
            known.insert(self.overflow.clone(), overflow);
            return overflow;
        }
        let route = self.resolve(name);
        known.insert(name.into(), route);
        route
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
        let table = NameTable::new(2, "names_test.other", false);
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
}
