//! A process-wide list of values keyed by name, each leaked so holders get `&'static` access.
//!
//! Used for per-operation statistics: one entry per name, created on first use and never
//! removed, so call sites can cache the reference. Lookups by name (the runtime API's
//! `coord::track("name")`, the tower layer's per-route names) take a shared read lock and one
//! hash, so callers on many threads do not queue behind each other.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// Something with a name.
pub(crate) trait Named {
    /// The name it is registered under.
    fn name(&self) -> &str;
}

/// Values of type `T`, one per name.
pub(crate) struct NamedRegistry<T: 'static> {
    items: RwLock<Option<HashMap<Box<str>, &'static T, foldhash::fast::RandomState>>>,
}

impl<T: Named + Sync + 'static> NamedRegistry<T> {
    /// An empty registry, for a `static`.
    pub(crate) const fn new() -> Self {
        Self {
            items: RwLock::new(None),
        }
    }

    /// The value named `name`, if there is one.
    pub(crate) fn get(&self, name: &str) -> Option<&'static T> {
        let items = self.items.read().unwrap_or_else(PoisonError::into_inner);
        items.as_ref().and_then(|items| items.get(name).copied())
    }

    /// The value named `name`, created with `make` on first use.
    pub(crate) fn get_or_insert_with(&self, name: &str, make: impl FnOnce() -> T) -> &'static T {
        if let Some(item) = self.get(name) {
            return item;
        }
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        let items = items.get_or_insert_with(HashMap::default);
        if let Some(item) = items.get(name) {
            return item;
        }
        // Leaked on purpose: the names are bounded by the code, and holders keep references.
        let item: &'static T = Box::leak(Box::new(make()));
        items.insert(name.into(), item);
        item
    }

    /// Every value, sorted by name.
    pub(crate) fn all(&self) -> Vec<&'static T> {
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
