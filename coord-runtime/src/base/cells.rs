//! Per-thread counters: the hot paths' counts, written without a single atomic
//! read-modify-write and without sharing a cache line between threads.
//!
//! Every counter is a *cell* with a process-wide index. Each thread owns a block of cells and is
//! the only writer of it, so an increment is a plain load and store on memory no other core
//! writes (about a nanosecond; a `fetch_add` costs several, and many more when two cores take
//! turns at one line). Readers — reports and the metrics publisher — sum a cell over every live
//! thread's block plus the totals of threads that have ended, under one lock that thread exit
//! also takes, so no count is seen twice or lost.

use std::cell::{Cell, OnceCell};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Cells per chunk; a thread allocates a chunk the first time it writes a cell in it.
const CHUNK: usize = 1024;
/// Chunks per block: at most `CHUNK * CHUNKS` cells in the process. A block holds one pointer
/// per chunk (16 KiB per counting thread); chunks are allocated only where a thread counts.
const CHUNKS: usize = 2048;
const _: () = assert!(CHUNKS.is_power_of_two());

/// Cells in the process. The registries that allocate them cap their entries so that together
/// they never need more (checked at compile time in the crate root), so [`allocate`] cannot
/// run out whatever names callers invent.
pub(crate) const CELLS: usize = CHUNK * CHUNKS;

/// The index of a process's first cell of a range (see [`allocate`]).
pub(crate) type CellIndex = u32;

type Chunk = [AtomicU64; CHUNK];

/// One thread's cells (or, for [`RETIRED`], the totals of threads that ended).
struct Block {
    // Inline, not boxed: one pointer fewer to follow on every count.
    chunks: [AtomicPtr<Chunk>; CHUNKS],
}

impl Block {
    fn new() -> Self {
        Self {
            chunks: std::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
        }
    }

    /// The cell, if its chunk exists.
    fn get(&self, index: CellIndex) -> Option<&AtomicU64> {
        let index = index as usize;
        let chunk = self.chunks.get(index / CHUNK)?.load(Ordering::Acquire);
        // SAFETY: a non-null chunk pointer came from `Box::into_raw` in `get_or_allocate` and is
        // freed only when the block is dropped, which needs every reference to it gone.
        (!chunk.is_null()).then(|| unsafe { &(*chunk)[index % CHUNK] })
    }

    /// The cell, allocating its chunk if needed. Only the block's one writer calls this.
    #[inline]
    fn get_or_allocate(&self, index: CellIndex) -> &AtomicU64 {
        let index = index as usize;
        // `allocate` never hands out an index past the last chunk, so the mask changes nothing
        // but lets the compiler drop the bounds check (`CHUNKS` is a power of two).
        let slot = &self.chunks[(index / CHUNK) % CHUNKS];
        let chunk = slot.load(Ordering::Acquire);
        if chunk.is_null() {
            return Self::allocate_chunk(slot, index);
        }
        // SAFETY: as in `get`.
        unsafe { &(*chunk)[index % CHUNK] }
    }

    #[cold]
    #[inline(never)]
    fn allocate_chunk(slot: &AtomicPtr<Chunk>, index: usize) -> &AtomicU64 {
        let mut chunk = slot.load(Ordering::Acquire);
        if chunk.is_null() {
            let fresh: Box<Chunk> = Box::new(std::array::from_fn(|_| AtomicU64::new(0)));
            let fresh = Box::into_raw(fresh);
            chunk = match slot.compare_exchange(
                ptr::null_mut(),
                fresh,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => fresh,
                Err(existing) => {
                    // SAFETY: `fresh` was never shared.
                    drop(unsafe { Box::from_raw(fresh) });
                    existing
                }
            };
        }
        // SAFETY: as in `get`.
        unsafe { &(*chunk)[index % CHUNK] }
    }

    /// Every non-zero cell, with its index.
    fn nonzero(&self) -> impl Iterator<Item = (CellIndex, u64)> + '_ {
        self.chunks.iter().enumerate().flat_map(|(n, slot)| {
            let chunk = slot.load(Ordering::Acquire);
            // SAFETY: as in `get`.
            let cells: &[AtomicU64] = if chunk.is_null() {
                &[]
            } else {
                unsafe { &*chunk }
            };
            cells.iter().enumerate().filter_map(move |(i, cell)| {
                let value = cell.load(Ordering::Relaxed);
                let index = CellIndex::try_from(n * CHUNK + i).ok()?;
                (value != 0).then_some((index, value))
            })
        })
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        for slot in self.chunks.iter() {
            let chunk = slot.swap(ptr::null_mut(), Ordering::AcqRel);
            if !chunk.is_null() {
                // SAFETY: allocated by `Box::into_raw` and no longer reachable.
                drop(unsafe { Box::from_raw(chunk) });
            }
        }
    }
}

/// The live threads' blocks; also the lock under which sums are read and threads retire.
static LIVE: Mutex<Vec<Arc<Block>>> = Mutex::new(Vec::new());
/// The totals of threads that have ended (written with `fetch_add`, under `LIVE`'s lock).
static RETIRED: std::sync::LazyLock<Block> = std::sync::LazyLock::new(Block::new);
static NEXT_INDEX: AtomicU32 = AtomicU32::new(0);

/// The current thread's block; folded into [`RETIRED`] when the thread ends.
struct ThreadBlock(Arc<Block>);

impl ThreadBlock {
    fn register() -> Self {
        let block = Arc::new(Block::new());
        LIVE.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&block));
        CURRENT_BLOCK.set(Arc::as_ptr(&block));
        Self(block)
    }
}

impl Drop for ThreadBlock {
    fn drop(&mut self) {
        // From here on, counts of this thread go through the slow path into the totals.
        CURRENT_BLOCK.set(ptr::null());
        let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
        for (index, value) in self.0.nonzero() {
            RETIRED
                .get_or_allocate(index)
                .fetch_add(value, Ordering::Relaxed);
        }
        live.retain(|block| !Arc::ptr_eq(block, &self.0));
    }
}

thread_local! {
    static THREAD_BLOCK: OnceCell<ThreadBlock> = const { OnceCell::new() };
    /// `THREAD_BLOCK`'s block while it is registered, else null. A `Cell` of a raw pointer
    /// needs no destructor, so reading it is one thread-relative load with no state check —
    /// the fast path of every count goes through here, not through `THREAD_BLOCK`.
    static CURRENT_BLOCK: Cell<*const Block> = const { Cell::new(ptr::null()) };
}

/// Reserves `len` consecutive cells and returns the first one's index.
///
/// # Panics
/// When the process's [`CELLS`] are used up. The registries' caps make that impossible (see
/// the crate root's budget); the index never wraps, so a bug there fails loudly instead of
/// sharing cells between two owners.
pub(crate) fn allocate(len: u32) -> CellIndex {
    let limit = u32::try_from(CELLS).unwrap_or(u32::MAX);
    let reserved = NEXT_INDEX.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |first| {
        first.checked_add(len).filter(|end| *end <= limit)
    });
    match reserved {
        Ok(first) => first,
        Err(used) => panic!(
            "coord: {len} more counter cells requested with {used} of {limit} in use; a registry exceeded its cap"
        ),
    }
}

/// Adds `value` to cell `index` for the current thread.
#[inline(always)]
pub(crate) fn add(index: CellIndex, value: u64) {
    let current = CURRENT_BLOCK.get();
    if current.is_null() {
        // Two scalars rather than `add_each_slow`'s array: the caller need not spill them to
        // the stack on the hot path for a call it rarely makes.
        add_slow(index, value);
        return;
    }
    // SAFETY: as in `add_each`.
    add_to(unsafe { &*current }, [(index, value)]);
}

#[cold]
#[inline(never)]
fn add_slow(index: CellIndex, value: u64) {
    add_each_slow([(index, value)]);
}

/// Adds each value to its cell for the current thread, looking the thread's block up once.
#[inline(always)]
pub(crate) fn add_each<const N: usize>(updates: [(CellIndex, u64); N]) {
    let current = CURRENT_BLOCK.get();
    if current.is_null() {
        add_each_slow(updates);
        return;
    }
    // SAFETY: non-null only between `ThreadBlock::register` and `ThreadBlock::drop` on this
    // thread, while the `ThreadBlock` holds an `Arc` of the block.
    add_to(unsafe { &*current }, updates);
}

/// Adds to the cells of the current thread's `block`.
#[inline(always)]
fn add_to<const N: usize>(block: &Block, updates: [(CellIndex, u64); N]) {
    for (index, value) in updates {
        let cell = block.get_or_allocate(index);
        // The thread is the cell's only writer: no read-modify-write needed.
        cell.store(
            cell.load(Ordering::Relaxed).wrapping_add(value),
            Ordering::Relaxed,
        );
    }
}

/// The first count of a thread (registers its block), or one made while the thread ends.
#[cold]
#[inline(never)]
fn add_each_slow<const N: usize>(updates: [(CellIndex, u64); N]) {
    let added = THREAD_BLOCK.try_with(|block| {
        add_to(&block.get_or_init(ThreadBlock::register).0, updates);
    });
    if added.is_err() {
        add_after_thread_end(&updates);
    }
}

/// The thread is ending and its block is gone: counts go straight into the totals.
#[cold]
#[inline(never)]
fn add_after_thread_end(updates: &[(CellIndex, u64)]) {
    let _live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    for &(index, value) in updates {
        RETIRED
            .get_or_allocate(index)
            .fetch_add(value, Ordering::Relaxed);
    }
}

/// The totals of cells `first..first + N` over every thread, read at one moment.
pub(crate) fn sums<const N: usize>(first: CellIndex) -> [u64; N] {
    let mut totals = [0u64; N];
    sum_into(first, &mut totals);
    totals
}

/// Fills `totals` with the sums of cells `first..first + totals.len()`.
pub(crate) fn sum_into(first: CellIndex, totals: &mut [u64]) {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    for block in live.iter().map(|block| &**block).chain([&*RETIRED]) {
        for (offset, total) in (0u32..).zip(totals.iter_mut()) {
            if let Some(cell) = block.get(first + offset) {
                *total = total.wrapping_add(cell.load(Ordering::Relaxed));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_every_thread_are_summed_including_ended_ones() {
        let first = allocate(2);
        add(first, 3);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..1000 {
                        add(first, 1);
                        add(first + 1, 2);
                    }
                });
            }
        });
        // The four threads have ended: their counts live on in the totals.
        assert_eq!(sums::<2>(first), [3 + 4000, 8000]);
    }

    #[test]
    fn cells_of_different_ranges_do_not_mix() {
        let a = allocate(1);
        let b = allocate(1);
        add(a, 5);
        assert_eq!(sums::<1>(b), [0]);
        assert_eq!(sums::<1>(a), [5]);
    }
}
