//! Retry budgets: retries of one operation kept to a fraction of its calls over the last ten
//! seconds, plus a floor a second, so a struggling dependency is not sent several times its
//! usual load when every call starts failing (Finagle's and gRPC's retry budgets).
//!
//! Each operation counts its calls and retries in ten one-second slots; a slot holds its second
//! and its count in one atomic, so counting is one compare-and-swap and needs no lock or timer.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::base::clock::{Clock, SystemClock};
use crate::values::retry_policy::RetryBudget;

/// The window, in one-second slots.
const SLOTS: usize = 10;
const COUNT_MASK: u64 = 0xffff_ffff;

/// An operation's calls and retries over the last ten seconds.
pub(crate) struct BudgetWindow {
    calls: [AtomicU64; SLOTS],
    retries: [AtomicU64; SLOTS],
}

fn now_seconds() -> u64 {
    SystemClock.now().as_secs()
}

/// Adds one to the slot of `second`, starting it afresh if it holds an older second.
fn count(slots: &[AtomicU64; SLOTS], second: u64) {
    let slot = &slots[(second % SLOTS as u64) as usize];
    let stamp = (second & COUNT_MASK) << 32;
    let mut current = slot.load(Ordering::Relaxed);
    loop {
        let next = if current & !COUNT_MASK == stamp {
            current + u64::from(current & COUNT_MASK < COUNT_MASK)
        } else {
            stamp | 1
        };
        match slot.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

/// The counts of the slots within the window ending at `second`.
fn total(slots: &[AtomicU64; SLOTS], second: u64) -> u64 {
    slots
        .iter()
        .map(|slot| {
            let value = slot.load(Ordering::Relaxed);
            let age = (second & COUNT_MASK).wrapping_sub(value >> 32) & COUNT_MASK;
            if age < SLOTS as u64 {
                value & COUNT_MASK
            } else {
                0
            }
        })
        .sum()
}

impl BudgetWindow {
    /// An empty window, for a `static`.
    pub(crate) const fn new() -> Self {
        Self {
            calls: [const { AtomicU64::new(0) }; SLOTS],
            retries: [const { AtomicU64::new(0) }; SLOTS],
        }
    }

    /// Counts one call.
    pub(crate) fn record_call(&self) {
        count(&self.calls, now_seconds());
    }

    /// Whether `budget` allows one more retry now; counts it if so.
    pub(crate) fn try_retry(&self, budget: RetryBudget) -> bool {
        let second = now_seconds();
        let calls = total(&self.calls, second) as f64;
        let retries = total(&self.retries, second) as f64;
        let allowed =
            budget.ratio_value() * calls + f64::from(budget.min_per_second_value()) * SLOTS as f64;
        if retries < allowed {
            count(&self.retries, second);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_count_their_second_and_age_out_of_the_window() {
        let slots: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];
        count(&slots, 100);
        count(&slots, 100);
        count(&slots, 105);
        assert_eq!(total(&slots, 105), 3);
        assert_eq!(total(&slots, 109), 3);
        assert_eq!(total(&slots, 110), 1, "second 100 left the window");
        count(&slots, 110); // the slot of 100, reused
        assert_eq!(total(&slots, 110), 2);
        assert_eq!(total(&slots, 200), 0);
    }
}
