//! A process-wide list of values keyed by name, each leaked so holders get `&'static` access.
//!
//! Used for per-operation statistics: one entry per name written in code, created on first
//! use and never removed, so call sites can cache the reference.

use std::sync::{Mutex, PoisonError};

/// Something with a name.
pub trait Named {
    /// The name it is registered under.
    fn name(&self) -> &str;
}

/// Values of type `T`, one per name.
pub struct NamedRegistry<T: 'static> {
    items: Mutex<Vec<&'static T>>,
}

impl<T: Named + Sync + 'static> NamedRegistry<T> {
    /// An empty registry, for a `static`.
    pub const fn new() -> Self {
        Self {
            items: Mutex::new(Vec::new()),
        }
    }

    /// The value named `name`, created with `make` on first use.
    pub fn get_or_insert_with(&self, name: &str, make: impl FnOnce() -> T) -> &'static T {
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(item) = items.iter().find(|item| item.name() == name) {
            return item;
        }
        // Leaked on purpose: the names are bounded by the code, and holders keep references.
        let item: &'static T = Box::leak(Box::new(make()));
        items.push(item);
        item
    }

    /// Every value, sorted by name.
    pub fn all(&self) -> Vec<&'static T> {
        let mut items = self
            .items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        items.sort_by(|a, b| a.name().cmp(b.name()));
        items
    }
}
