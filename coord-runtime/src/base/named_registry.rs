//! A process-wide list of values keyed by name, each leaked so holders get `&'static` access,
//! with a cap on how many names it holds.
//!
//! Used for every per-name statistic (operations, retry statistics, rule sets, event
//! processors): one entry per name, created on first use and never removed, so call sites can
//! cache the reference. Lookups by name (the runtime API's `coord::track("name")`, the tower
//! layer's per-route names) take a shared read lock and one hash, so callers on many threads do
//! not queue behind each other.
//!
//! Names can come from callers at run time (`track_fn(format!(..))`, a route function), so
//! each registry holds at most `limit` names: past that, every new name shares one overflow
//! entry, logged once. This bounds memory, metric series and the process's counter cells
//! (each entry owns some; see `cells`), so a flood of names degrades the statistics instead of
//! exhausting anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock};

/// Something with a name.
pub trait Named {
    /// The name it is registered under.
    fn name(&self) -> &str;
}

/// Values of type `T`, one per name, at most `limit` names plus the overflow entry.
pub struct NamedRegistry<T: 'static> {
    items: RwLock<Option<HashMap<Box<str>, &'static T, foldhash::fast::RandomState>>>,
    /// What the entries are, for the warning ("operations", "rule sets", …).
    kind: &'static str,
    limit: usize,
    /// The name of the entry every name past `limit` shares.
    overflow: &'static str,
    warned: AtomicBool,
}

impl<T: Named + Sync + 'static> NamedRegistry<T> {
    /// An empty registry of at most `limit` names of `kind`, for a `static`; names past the
    /// limit share the entry named `overflow`.
    pub const fn new(kind: &'static str, limit: usize, overflow: &'static str) -> Self {
        Self {
            items: RwLock::new(None),
            kind,
            limit,
            overflow,
            warned: AtomicBool::new(false),
        }
    }

    /// The value named `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&'static T> {
        let items = self.items.read().unwrap_or_else(PoisonError::into_inner);
        items.as_ref().and_then(|items| items.get(name).copied())
    }

    /// The value named `name`, created with `make(name)` on first use; once the registry holds
    /// `limit` names, a new name gets the overflow entry instead (created with
    /// `make(overflow)` the first time).
    pub fn get_or_insert_with(&self, name: &str, make: impl FnOnce(&str) -> T) -> &'static T {
        if let Some(item) = self.get(name) {
            return item;
        }
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        let items = items.get_or_insert_with(HashMap::default);
        if let Some(item) = items.get(name) {
            return item;
        }
        let name = if self.full(items.len(), items.contains_key(self.overflow)) {
            if let Some(overflow) = items.get(self.overflow) {
                return overflow;
            }
            self.warn_once(name);
            self.overflow
        } else {
            name
        };
        // Leaked on purpose: the names are bounded by `limit`, and holders keep references.
        let item: &'static T = Box::leak(Box::new(make(name)));
        items.insert(name.into(), item);
        item
    }

    /// Whether a registry of `len` entries (the overflow entry among them when
    /// `has_overflow`) takes no more names.
    fn full(&self, len: usize, has_overflow: bool) -> bool {
        len - usize::from(has_overflow) >= self.limit
    }

    #[cold]
    fn warn_once(&self, first_unlisted: &str) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                kind = self.kind,
                limit = self.limit,
                first_unlisted,
                overflow = self.overflow,
                "coord: more distinct names than the limit; further names are counted together under the overflow name"
            );
        }
    }

    /// Every value, sorted by name.
    pub fn all(&self) -> Vec<&'static T> {
        let mut items: Vec<&'static T> = self
            .items
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|items| items.values().copied().collect())
            .unwrap_or_default();
        items.sort_by(|a, b| a.name().cmp(b.name()));
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Entry(String);

    impl Named for Entry {
        fn name(&self) -> &str {
            &self.0
        }
    }

    #[test]
    fn names_past_the_limit_share_the_overflow_entry() {
        static REGISTRY: NamedRegistry<Entry> = NamedRegistry::new("entries", 2, "overflow");
        let a = REGISTRY.get_or_insert_with("a", |name| Entry(name.to_owned()));
        let b = REGISTRY.get_or_insert_with("b", |name| Entry(name.to_owned()));
        let c = REGISTRY.get_or_insert_with("c", |name| Entry(name.to_owned()));
        let d = REGISTRY.get_or_insert_with("d", |name| Entry(name.to_owned()));
        assert_eq!((a.name(), b.name()), ("a", "b"));
        assert_eq!(c.name(), "overflow");
        assert!(std::ptr::eq(c, d));
        assert!(std::ptr::eq(
            a,
            REGISTRY.get_or_insert_with("a", |_| unreachable!())
        ));
        let names: Vec<&str> = REGISTRY.all().iter().map(|entry| entry.name()).collect();
        assert_eq!(names, ["a", "b", "overflow"]);
    }

    #[test]
    fn a_name_equal_to_the_overflow_name_is_the_overflow_entry() {
        static REGISTRY: NamedRegistry<Entry> = NamedRegistry::new("entries", 1, "overflow");
        let overflow = REGISTRY.get_or_insert_with("overflow", |name| Entry(name.to_owned()));
        let a = REGISTRY.get_or_insert_with("a", |name| Entry(name.to_owned()));
        assert_eq!(a.name(), "a");
        let b = REGISTRY.get_or_insert_with("b", |name| Entry(name.to_owned()));
        assert!(std::ptr::eq(b, overflow));
    }
}
