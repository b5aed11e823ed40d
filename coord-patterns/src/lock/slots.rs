//! Entries kept by index, a freed index reused by the next entry: what the watchdog and the
//! call sweeper keep their entries in, so removing one costs the same however many there are
//! (the index is handed back at insertion), and a thread scanning them all sees them in place.

/// Entries by index; `const`-constructible, for a `static` behind a mutex.
pub(crate) struct Slots<T> {
    slots: Vec<Option<T>>,
    free: Vec<usize>,
    in_use: usize,
}

impl<T> Slots<T> {
    pub(crate) const fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
            in_use: 0,
        }
    }

    /// Keeps `entry`; its index.
    pub(crate) fn insert(&mut self, entry: T) -> usize {
        self.in_use += 1;
        match self.free.pop() {
            Some(index) => {
                self.slots[index] = Some(entry);
                index
            }
            None => {
                self.slots.push(Some(entry));
                self.slots.len() - 1
            }
        }
    }

    /// The entry at `index`, taken out; `None` if there is none.
    pub(crate) fn remove(&mut self, index: usize) -> Option<T> {
        let entry = self.slots.get_mut(index)?.take()?;
        self.free.push(index);
        self.in_use -= 1;
        Some(entry)
    }

    /// The entry at `index`.
    #[cfg(feature = "redis")] // the call sweeper's; the watchdog needs none
    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.slots.get_mut(index)?.as_mut()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.in_use == 0
    }

    /// Every entry.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten()
    }

    /// Every entry, to change.
    #[cfg(feature = "redis")]
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.slots.iter_mut().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::Slots;

    #[test]
    fn a_freed_index_is_reused_and_others_stay_in_place() {
        let mut slots = Slots::new();
        let (a, b, c) = (slots.insert('a'), slots.insert('b'), slots.insert('c'));
        assert_eq!(slots.remove(b), Some('b'));
        assert_eq!(slots.remove(b), None);
        assert_eq!(slots.insert('d'), b);
        assert_eq!(slots.iter().collect::<String>(), "adc");
        assert_eq!((slots.remove(a), slots.remove(c)), (Some('a'), Some('c')));
        assert!(!slots.is_empty());
        assert_eq!(slots.remove(b), Some('d'));
        assert!(slots.is_empty());
    }
}
