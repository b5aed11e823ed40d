//! The lock-free breaker state machine: admission, outcome recording and transitions.
//!
//! Closed admission is one atomic load. Closed outcomes update counters with relaxed atomics.
//! Everything else is a compare-and-swap on the state word (see `state.rs`). Metrics and logs
//! are not done here: every operation returns the transition it caused, and the caller reports
//! it, so this file is all the loom model needs.

use std::sync::Arc;
use std::time::Duration;

use super::state::{BreakerState, Word};
use super::time_window::TimeWindow;
use crate::base::clock::Clock;
use crate::base::sync::{AtomicU32, AtomicU64, Ordering};
use crate::values::breaker_config::BreakerConfig;

/// A state change, reported exactly once by the operation that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transition {
    /// The state left.
    pub from: BreakerState,
    /// The state entered.
    pub to: BreakerState,
}

/// Why a call was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// Time until the breaker lets a probe through, when it knows.
    pub retry_after: Option<Duration>,
}

/// An admitted call's ticket; hand it back with [`BreakerCore::record`] or
/// [`BreakerCore::release`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    /// The generation above three bits of state: one aligned word, so passing a ticket around
    /// (inside `Result<Option<Permit>, E>`, say) never splits it into odd-sized pieces.
    packed: u64,
}

impl Ticket {
    #[inline]
    fn new(generation: u64, state: BreakerState) -> Self {
        Self {
            packed: (generation << 3) | state.index() as u64,
        }
    }

    /// The state the call was admitted in.
    #[inline]
    pub(crate) fn state(self) -> BreakerState {
        #[allow(clippy::cast_possible_truncation)] // three bits
        BreakerState::ALL[(self.packed & 0b111) as usize]
    }

    #[inline]
    fn generation(self) -> u64 {
        self.packed >> 3
    }
}

/// What happened to an admitted call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallResult {
    /// It succeeded.
    Success,
    /// It failed in a way that counts against the breaker.
    Failure,
    /// It failed in a way that does not count (a low-severity error); the permit is returned.
    Ignored,
}

/// Which rule opened a breaker, with the figures that tripped it; logged with the transition
/// and shown in the report.
///
/// ```
/// use coord::breaker::OpenReason;
///
/// let reason = OpenReason::FailureRate { failures: 11, calls: 20, threshold: 0.5 };
/// assert_eq!(reason.to_string(), "failure rate 0.55 ≥ 0.5 over the last 20 calls");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum OpenReason {
    /// `consecutive_failures` failures in a row.
    ConsecutiveFailures {
        /// Failures in a row.
        failures: u32,
    },
    /// The failure rate over the window reached `failure_rate`.
    FailureRate {
        /// Failures in the window.
        failures: u32,
        /// Calls in the window.
        calls: u32,
        /// The configured rate.
        threshold: f64,
    },
    /// The share of slow calls over the window reached `slow_call_rate`.
    SlowCallRate {
        /// Slow calls in the window.
        slow: u32,
        /// Calls in the window.
        calls: u32,
        /// The configured rate.
        threshold: f64,
        /// What counted as slow.
        slower_than: Duration,
    },
    /// A half-open probe failed (or was slow).
    ProbeFailed,
    /// An operator forced it open.
    Forced,
}

impl std::fmt::Display for OpenReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            OpenReason::ConsecutiveFailures { failures } => {
                write!(f, "{failures} consecutive failures")
            }
            OpenReason::FailureRate {
                failures,
                calls,
                threshold,
            } => write!(
                f,
                "failure rate {:.2} ≥ {threshold} over the last {calls} calls",
                f64::from(failures) / f64::from(calls.max(1))
            ),
            OpenReason::SlowCallRate {
                slow,
                calls,
                threshold,
                slower_than,
            } => write!(
                f,
                "slow-call rate {:.2} ≥ {threshold} over the last {calls} calls (slow: ≥ {slower_than:?})",
                f64::from(slow) / f64::from(calls.max(1))
            ),
            OpenReason::ProbeFailed => f.write_str("a half-open probe failed"),
            OpenReason::Forced => f.write_str("forced open by an operator"),
        }
    }
}

/// Bits of a window slot: the call failed, the call was slow.
const FAILED: u32 = 1;
const SLOW: u32 = 2;

/// Outcome counts since the breaker was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BreakerCounts {
    /// Admitted calls that succeeded.
    pub successes: u64,
    /// Admitted calls that failed (and counted).
    pub failures: u64,
    /// Calls rejected without running.
    pub rejected: u64,
}

/// The state machine of one breaker.
pub(crate) struct BreakerCore {
    config: BreakerConfig,
    clock: Arc<dyn Clock>,
    word: AtomicU64,
    consecutive_failures: AtomicU32,
    window: Box<[AtomicU32]>,
    window_cursor: AtomicU64,
    window_failures: AtomicU32,
    window_slow: AtomicU32,
    /// The rates' window when it is a stretch of time (`time_window`), instead of `window`.
    time_window: Option<TimeWindow>,
    rejected: AtomicU64,
    last_transition: AtomicU64,
    /// Why it last opened; written only when it opens.
    opened_because: std::sync::Mutex<Option<OpenReason>>,
}

impl BreakerCore {
    /// A closed breaker with `config`, timed by `clock`.
    pub(crate) fn new(config: BreakerConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            config,
            clock,
            word: AtomicU64::new(Word::closed(0).0),
            consecutive_failures: AtomicU32::new(0),
            window: (0..config.window).map(|_| AtomicU32::new(0)).collect(),
            window_cursor: AtomicU64::new(0),
            window_failures: AtomicU32::new(0),
            window_slow: AtomicU32::new(0),
            time_window: config.time_window.map(TimeWindow::new),
            rejected: AtomicU64::new(0),
            last_transition: AtomicU64::new(0),
            opened_because: std::sync::Mutex::new(None),
        }
    }

    /// Why it last opened, if it ever did.
    pub(crate) fn opened_because(&self) -> Option<OpenReason> {
        *self
            .opened_because
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember_reason(&self, reason: OpenReason) {
        *self
            .opened_because
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason);
    }

    /// The clock's time, for timing calls against `slow_call_duration`.
    pub(crate) fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The options it runs with.
    pub(crate) fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// The current state.
    #[inline]
    pub(crate) fn state(&self) -> BreakerState {
        self.load().state()
    }

    /// Probes running now (non-zero only while half-open); for the tests and the loom model.
    #[cfg(test)]
    pub(crate) fn probes_in_flight(&self) -> u64 {
        let word = self.load();
        if word.state() == BreakerState::HalfOpen {
            word.in_flight()
        } else {
            0
        }
    }

    /// Calls rejected since creation. (Successes and failures are counted by the caller of
    /// [`record`](Self::record), per thread, where they cost no shared write.)
    pub(crate) fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }

    /// Failures in a row so far while closed.
    pub(crate) fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures.load(Ordering::Relaxed)
    }

    /// Clock time of the last transition, if any happened.
    pub(crate) fn last_transition_at(&self) -> Option<Duration> {
        match self.last_transition.load(Ordering::Relaxed) {
            0 => None,
            nanos => Some(Duration::from_nanos(nanos)),
        }
    }

    /// Time since the last transition, on this breaker's clock.
    pub(crate) fn since_last_transition(&self) -> Option<Duration> {
        self.last_transition_at()
            .map(|at| self.clock.now().saturating_sub(at))
    }

    #[inline]
    fn load(&self) -> Word {
        Word(self.word.load(Ordering::Acquire))
    }

    fn swap(&self, current: Word, new: Word) -> Result<(), Word> {
        self.word
            .compare_exchange(current.0, new.0, Ordering::AcqRel, Ordering::Acquire)
            .map(drop)
            .map_err(Word)
    }

    fn transitioned(&self, from: BreakerState, to: BreakerState) -> Transition {
        let nanos = u64::try_from(self.clock.now().as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        self.last_transition.store(nanos, Ordering::Relaxed);
        Transition { from, to }
    }

    /// Decides whether a call may run now.
    #[inline]
    pub(crate) fn admit(&self) -> (Result<Ticket, Rejection>, Option<Transition>) {
        // The closed path, inlined into every call site; everything else is out of line.
        let word = self.load();
        match word.state() {
            BreakerState::Closed | BreakerState::Disabled => {
                (Ok(Ticket::new(word.generation(), word.state())), None)
            }
            _ => self.admit_slowly(word),
        }
    }

    #[cold]
    #[inline(never)]
    fn admit_slowly(&self, mut word: Word) -> (Result<Ticket, Rejection>, Option<Transition>) {
        let mut transition = None;
        loop {
            let generation = word.generation();
            match word.state() {
                BreakerState::Closed | BreakerState::Disabled => {
                    return (Ok(Ticket::new(generation, word.state())), transition);
                }
                BreakerState::ForcedOpen => {
                    self.rejected.fetch_add(1, Ordering::Relaxed);
                    return (Err(Rejection { retry_after: None }), transition);
                }
                BreakerState::Open => {
                    let open_for = word.open_so_far(self.clock.now());
                    if open_for < self.config.open_for {
                        self.rejected.fetch_add(1, Ordering::Relaxed);
                        let retry_after = Some(self.config.open_for - open_for);
                        return (Err(Rejection { retry_after }), transition);
                    }
                    // The open time is over: whoever swaps first moves to half-open and
                    // takes the first probe permit.
                    let probing = Word::half_open(word.next_generation(), 1, 0);
                    match self.swap(word, probing) {
                        Ok(()) => {
                            let ticket = Ticket::new(probing.generation(), BreakerState::HalfOpen);
                            let changed =
                                self.transitioned(BreakerState::Open, BreakerState::HalfOpen);
                            return (Ok(ticket), Some(changed));
                        }
                        Err(actual) => word = actual,
                    }
                }
                BreakerState::HalfOpen => {
                    if word.in_flight() >= u64::from(self.config.half_open_permits) {
                        self.rejected.fetch_add(1, Ordering::Relaxed);
                        return (Err(Rejection { retry_after: None }), transition);
                    }
                    let taken = Word::half_open(generation, word.in_flight() + 1, word.successes());
                    match self.swap(word, taken) {
                        Ok(()) => {
                            let ticket = Ticket::new(generation, BreakerState::HalfOpen);
                            return (Ok(ticket), transition.take());
                        }
                        Err(actual) => word = actual,
                    }
                }
            }
        }
    }

    /// Records how an admitted call ended, and whether it was slow (always `false` without a
    /// `slow_call_duration`); returns the transition it caused, if any.
    #[inline]
    pub(crate) fn record(
        &self,
        ticket: Ticket,
        result: CallResult,
        slow: bool,
    ) -> Option<Transition> {
        match ticket.state() {
            BreakerState::Closed if self.time_window.is_some() => {
                self.record_timed(ticket, result, slow)
            }
            BreakerState::Closed if result == CallResult::Success && !slow => {
                self.record_closed_success(ticket)
            }
            BreakerState::Closed => self.record_closed(ticket, result, slow),
            // A slow probe says the dependency has not recovered, as a failed one does.
            BreakerState::HalfOpen if slow && result == CallResult::Success => {
                self.record_probe(ticket, CallResult::Failure)
            }
            BreakerState::HalfOpen => self.record_probe(ticket, result),
            _ => None,
        }
    }

    /// Gives back an admitted call's permit without an outcome (it panicked or was cancelled).
    pub(crate) fn release(&self, ticket: Ticket) {
        if ticket.state() == BreakerState::HalfOpen {
            self.record_probe(ticket, CallResult::Ignored);
        }
    }

    /// A success while closed: when the window holds no failure and is full, it changes
    /// nothing (every slot stays 0 wherever the cursor points), so a healthy breaker's success
    /// path only reads shared memory.
    #[inline]
    fn record_closed_success(&self, ticket: Ticket) -> Option<Transition> {
        let window = u64::try_from(self.window.len()).unwrap_or(u64::MAX);
        if self.window_failures.load(Ordering::Relaxed) == 0
            && self.window_slow.load(Ordering::Relaxed) == 0
            && self.window_cursor.load(Ordering::Relaxed) >= window
        {
            if self.consecutive_failures.load(Ordering::Relaxed) != 0 {
                self.consecutive_failures.store(0, Ordering::Relaxed);
            }
            return None;
        }
        self.record_in_window(ticket, false, false)
    }

    #[inline(never)]
    fn record_closed(&self, ticket: Ticket, result: CallResult, slow: bool) -> Option<Transition> {
        let failed = match result {
            CallResult::Ignored => return None,
            CallResult::Failure => true,
            CallResult::Success => false,
        };
        if !failed && !slow {
            return self.record_closed_success(ticket);
        }
        self.record_in_window(ticket, failed, slow)
    }

    /// Writes one outcome into the window (failed or not, slow or not); a failure or a slow
    /// call opens the breaker if it trips a rule.
    #[cold]
    #[inline(never)]
    fn record_in_window(&self, ticket: Ticket, failed: bool, slow: bool) -> Option<Transition> {
        let window = u64::try_from(self.window.len()).unwrap_or(u64::MAX);
        let slot = self.window_cursor.fetch_add(1, Ordering::Relaxed);
        let index = usize::try_from(slot % window).unwrap_or(0);
        let value = if failed { FAILED } else { 0 } | if slow { SLOW } else { 0 };
        // Only write when the slot changes: a healthy breaker's slots stay 0 and stay shared.
        if self.window[index].load(Ordering::Relaxed) != value {
            let old = self.window[index].swap(value, Ordering::Relaxed);
            for (bit, count) in [(FAILED, &self.window_failures), (SLOW, &self.window_slow)] {
                match (old & bit != 0, value & bit != 0) {
                    (false, true) => {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    (true, false) => {
                        count.fetch_sub(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
        }
        let in_a_row = if failed {
            self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            if self.consecutive_failures.load(Ordering::Relaxed) != 0 {
                self.consecutive_failures.store(0, Ordering::Relaxed);
            }
            0
        };
        let calls = (slot + 1).min(window);
        let counts = (
            calls,
            u64::from(self.window_failures.load(Ordering::Relaxed)),
            u64::from(self.window_slow.load(Ordering::Relaxed)),
        );
        let reason = self.tripped(counts, failed, slow, in_a_row)?;
        self.open_because(ticket, reason)
    }

    /// Records one outcome of a closed breaker counting over a stretch of time.
    #[cold]
    #[inline(never)]
    fn record_timed(&self, ticket: Ticket, result: CallResult, slow: bool) -> Option<Transition> {
        let failed = match result {
            CallResult::Ignored => return None,
            CallResult::Failure => true,
            CallResult::Success => false,
        };
        let window = self.time_window.as_ref()?;
        let timing_slow = self.config.slow_call_duration.is_some();
        let counts = window.record(self.clock.now(), failed, slow, timing_slow);
        let in_a_row = if failed {
            self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            if self.consecutive_failures.load(Ordering::Relaxed) != 0 {
                self.consecutive_failures.store(0, Ordering::Relaxed);
            }
            0
        };
        let reason = self.tripped(
            (counts.calls, counts.failures, counts.slow),
            failed,
            slow,
            in_a_row,
        )?;
        self.open_because(ticket, reason)
    }

    /// Opens the breaker for `reason`, if the call's closed period is still the current one.
    fn open_because(&self, ticket: Ticket, reason: OpenReason) -> Option<Transition> {
        let word = self.load();
        if word.state() != BreakerState::Closed || word.generation() != ticket.generation() {
            return None;
        }
        let opened = Word::open(BreakerState::Open, word.next_generation(), self.clock.now());
        // Of all the calls that cross a threshold together, exactly one swap succeeds.
        self.swap(word, opened).ok().map(|()| {
            self.remember_reason(reason);
            self.transitioned(BreakerState::Closed, BreakerState::Open)
        })
    }

    /// The rule the outcome just recorded trips, if any, given the window's `(calls,
    /// failures, slow calls)`.
    fn tripped(
        &self,
        (calls, failures, slow_calls): (u64, u64, u64),
        failed: bool,
        slow: bool,
        in_a_row: u32,
    ) -> Option<OpenReason> {
        let config = &self.config;
        if failed && in_a_row >= config.consecutive_failures {
            return Some(OpenReason::ConsecutiveFailures { failures: in_a_row });
        }
        if calls < u64::from(config.min_calls.max(1)) {
            return None;
        }
        let calls32 = u32::try_from(calls).unwrap_or(u32::MAX);
        let failures = u32::try_from(failures).unwrap_or(u32::MAX);
        let slow_calls = u32::try_from(slow_calls).unwrap_or(u32::MAX);
        if failed
            && let Some(threshold) = config.failure_rate
            && f64::from(failures) >= threshold * calls as f64
        {
            return Some(OpenReason::FailureRate {
                failures,
                calls: calls32,
                threshold,
            });
        }
        if slow
            && let Some(slower_than) = config.slow_call_duration
            && f64::from(slow_calls) >= config.slow_call_rate * calls as f64
        {
            return Some(OpenReason::SlowCallRate {
                slow: slow_calls,
                calls: calls32,
                threshold: config.slow_call_rate,
                slower_than,
            });
        }
        None
    }

    fn record_probe(&self, ticket: Ticket, result: CallResult) -> Option<Transition> {
        let mut word = self.load();
        loop {
            if word.state() != BreakerState::HalfOpen || word.generation() != ticket.generation() {
                // The half-open period this probe belonged to is over; its permit went with it.
                return None;
            }
            let in_flight = word.in_flight().saturating_sub(1);
            let (next, to) = match result {
                CallResult::Failure => (
                    Word::open(BreakerState::Open, word.next_generation(), self.clock.now()),
                    Some(BreakerState::Open),
                ),
                CallResult::Success
                    if word.successes() + 1 >= u64::from(self.config.close_after) =>
                {
                    (
                        Word::closed(word.next_generation()),
                        Some(BreakerState::Closed),
                    )
                }
                CallResult::Success => (
                    Word::half_open(word.generation(), in_flight, word.successes() + 1),
                    None,
                ),
                CallResult::Ignored => (
                    Word::half_open(word.generation(), in_flight, word.successes()),
                    None,
                ),
            };
            if to == Some(BreakerState::Closed) {
                // Start the closed period with clean counters; harmless if the swap then fails.
                self.reset_counters();
            }
            match self.swap(word, next) {
                Ok(()) => {
                    if to == Some(BreakerState::Open) {
                        self.remember_reason(OpenReason::ProbeFailed);
                    }
                    return to.map(|to| self.transitioned(BreakerState::HalfOpen, to));
                }
                Err(actual) => word = actual,
            }
        }
    }

    fn reset_counters(&self) {
        self.consecutive_failures.store(0, Ordering::Relaxed);
        for slot in self.window.iter() {
            slot.store(0, Ordering::Relaxed);
        }
        self.window_failures.store(0, Ordering::Relaxed);
        self.window_slow.store(0, Ordering::Relaxed);
        self.window_cursor.store(0, Ordering::Relaxed);
        if let Some(window) = &self.time_window {
            window.clear();
        }
    }

    /// Moves to `to` whatever the current state (operator actions).
    pub(crate) fn force(&self, to: BreakerState) -> Option<Transition> {
        let mut word = self.load();
        loop {
            let from = word.state();
            if from == to && to != BreakerState::Closed {
                return None;
            }
            let next = match to {
                BreakerState::Open | BreakerState::ForcedOpen => {
                    Word::open(to, word.next_generation(), self.clock.now())
                }
                BreakerState::HalfOpen => Word::half_open(word.next_generation(), 0, 0),
                BreakerState::Closed | BreakerState::Disabled => {
                    Word::plain(to, word.next_generation())
                }
            };
            if to == BreakerState::Closed {
                self.reset_counters();
            }
            match self.swap(word, next) {
                Ok(()) => {
                    if matches!(to, BreakerState::Open | BreakerState::ForcedOpen) && from != to {
                        self.remember_reason(OpenReason::Forced);
                    }
                    return (from != to).then(|| self.transitioned(from, to));
                }
                Err(actual) => word = actual,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::clock::ManualClock;

    fn breaker(config: BreakerConfig) -> (BreakerCore, Arc<ManualClock>) {
        let clock = ManualClock::shared();
        (BreakerCore::new(config, clock.clone()), clock)
    }

    fn call(core: &BreakerCore, result: CallResult) -> Result<Vec<Transition>, Rejection> {
        let (admitted, transition) = core.admit();
        let ticket = admitted?;
        Ok(transition
            .into_iter()
            .chain(core.record(ticket, result, false))
            .collect())
    }

    fn t(from: BreakerState, to: BreakerState) -> Transition {
        Transition { from, to }
    }

    use BreakerState::{Closed, HalfOpen, Open};
    use CallResult::{Failure, Success};

    #[test]
    fn consecutive_failures_open_then_time_half_opens_then_success_closes() {
        let config = BreakerConfig::new()
            .consecutive_failures(3)
            .min_calls(100)
            .open_for(Duration::from_secs(10));
        let (core, clock) = breaker(config);
        assert_eq!(call(&core, Failure), Ok(vec![]));
        assert_eq!(call(&core, Success), Ok(vec![]));
        assert_eq!(call(&core, Failure), Ok(vec![]));
        assert_eq!(call(&core, Failure), Ok(vec![]));
        assert_eq!(call(&core, Failure), Ok(vec![t(Closed, Open)]));
        assert_eq!(core.state(), Open);

        clock.advance(Duration::from_secs(4));
        assert_eq!(
            call(&core, Success),
            Err(Rejection {
                retry_after: Some(Duration::from_secs(6))
            })
        );
        clock.advance(Duration::from_secs(6));
        assert_eq!(
            call(&core, Success),
            Ok(vec![t(Open, HalfOpen), t(HalfOpen, Closed)])
        );
        assert_eq!(core.state(), Closed);
        assert_eq!(core.rejected(), 1);
    }

    #[test]
    fn failure_rate_over_the_window_opens() {
        let config = BreakerConfig::new()
            .consecutive_failures(100)
            .failure_rate(0.5)
            .window(4)
            .min_calls(4);
        let (core, _) = breaker(config);
        for result in [Failure, Success, Failure] {
            assert_eq!(call(&core, result), Ok(vec![]));
        }
        // 2 of 3 failed but fewer than min_calls; the 4th call makes 3 of 4.
        assert_eq!(call(&core, Failure), Ok(vec![t(Closed, Open)]));
    }

    #[test]
    fn old_failures_leave_the_window() {
        let config = BreakerConfig::new()
            .consecutive_failures(100)
            .failure_rate(0.75)
            .window(4)
            .min_calls(4);
        let (core, _) = breaker(config);
        for result in [
            Failure, Failure, Success, Success, Success, Failure, Failure,
        ] {
            assert_eq!(
                call(&core, result),
                Ok(vec![]),
                "window holds at most 2 failures of 4"
            );
        }
        assert_eq!(
            call(&core, Failure),
            Ok(vec![t(Closed, Open)]),
            "3 of the last 4"
        );
    }

    #[test]
    fn half_open_failure_reopens_and_permits_are_bounded() {
        let config = BreakerConfig::new()
            .consecutive_failures(1)
            .open_for(Duration::from_secs(1))
            .half_open_permits(2)
            .close_after(2);
        let (core, clock) = breaker(config);
        assert_eq!(call(&core, Failure), Ok(vec![t(Closed, Open)]));
        clock.advance(Duration::from_secs(1));

        let (first, opened) = core.admit();
        assert_eq!(opened, Some(t(Open, HalfOpen)));
        let (second, _) = core.admit();
        let (third, _) = core.admit();
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(
            third,
            Err(Rejection { retry_after: None }),
            "only 2 permits"
        );
        assert_eq!(core.probes_in_flight(), 2);

        assert_eq!(
            core.record(first.unwrap(), Success, false),
            None,
            "1 of 2 successes"
        );
        assert_eq!(
            core.record(second.unwrap(), Failure, false),
            Some(t(HalfOpen, Open))
        );
        assert_eq!(core.state(), Open);
    }

    #[test]
    fn a_released_probe_gives_its_permit_back() {
        let config = BreakerConfig::new()
            .consecutive_failures(1)
            .open_for(Duration::from_millis(1));
        let (core, clock) = breaker(config);
        assert_eq!(call(&core, Failure), Ok(vec![t(Closed, Open)]));
        clock.advance(Duration::from_millis(1));
        let (probe, _) = core.admit();
        let probe = probe.expect("first probe");
        assert!(core.admit().0.is_err(), "the single permit is taken");
        core.release(probe);
        assert_eq!(core.probes_in_flight(), 0);
        assert!(core.admit().0.is_ok(), "the permit came back");
    }

    #[test]
    fn a_stale_probe_does_not_touch_a_later_period() {
        let config = BreakerConfig::new()
            .consecutive_failures(1)
            .open_for(Duration::from_millis(1));
        let (core, clock) = breaker(config);
        call(&core, Failure).unwrap();
        clock.advance(Duration::from_millis(1));
        let stale = core.admit().0.unwrap();
        core.force(BreakerState::Open);
        clock.advance(Duration::from_millis(1));
        let fresh = core.admit().0.unwrap();
        assert_eq!(
            core.record(stale, Failure, false),
            None,
            "belongs to an ended period"
        );
        assert_eq!(core.probes_in_flight(), 1);
        assert_eq!(
            core.record(fresh, Success, false),
            Some(t(HalfOpen, Closed))
        );
    }

    #[test]
    fn an_epoch_clock_still_honours_open_for() {
        // A clock counting from 1970 in microseconds reads past 2^48 µs: the 48-bit open time
        // once wrapped there, and the next call half-opened the breaker at once.
        let config = BreakerConfig::new()
            .consecutive_failures(1)
            .open_for(Duration::from_secs(10));
        let (core, clock) = breaker(config);
        clock.advance(Duration::from_micros(1 << 48) + Duration::from_secs(1_800_000_000));
        assert_eq!(call(&core, Failure), Ok(vec![t(Closed, Open)]));
        clock.advance(Duration::from_secs(5));
        let rejected = core.admit().0.expect_err("open for 5 s of 10");
        // Kept to the millisecond, rounded so that it never ends early.
        let retry_after = rejected.retry_after.expect("known");
        assert!(retry_after >= Duration::from_secs(5));
        assert!(retry_after <= Duration::from_secs(5) + Duration::from_millis(2));
        clock.advance(retry_after);
        assert_eq!(
            call(&core, Success),
            Ok(vec![t(Open, HalfOpen), t(HalfOpen, Closed)])
        );
    }

    #[test]
    fn a_probe_held_across_many_transitions_stays_stale() {
        // 13 generation bits once repeated after 8 192 transitions: a probe held across them
        // reopened a later half-open period it did not belong to.
        let (core, _) = breaker(BreakerConfig::new());
        core.force(HalfOpen);
        let stale = core.admit().0.expect("probe");
        for _ in 0..(4 * 8_192 / 2) {
            core.force(Open);
            core.force(HalfOpen);
        }
        let fresh = core.admit().0.expect("a fresh probe");
        assert_eq!(
            core.record(stale, Failure, false),
            None,
            "belongs to an ended period"
        );
        assert_eq!((core.state(), core.probes_in_flight()), (HalfOpen, 1));
        assert_eq!(
            core.record(fresh, Success, false),
            Some(t(HalfOpen, Closed))
        );
    }

    #[test]
    fn the_largest_permit_count_is_exact() {
        // The half-open counters are 16 bits: 65 535 permits (the most the option table
        // accepts) admit exactly that many probes, and all must succeed to close at the bound.
        let config = BreakerConfig::new()
            .half_open_permits(65_535)
            .close_after(65_535);
        let (core, _) = breaker(config);
        core.force(HalfOpen);
        let probes: Vec<Ticket> = (0..65_535)
            .map(|_| core.admit().0.expect("within the permits"))
            .collect();
        assert!(core.admit().0.is_err(), "the 65 536th is refused");
        assert_eq!(core.probes_in_flight(), 65_535);
        let mut closed = None;
        for probe in probes {
            closed = core.record(probe, Success, false);
        }
        assert_eq!(
            closed,
            Some(t(HalfOpen, Closed)),
            "closed by the last success only"
        );
    }

    #[test]
    fn admin_states() {
        let (core, _) = breaker(BreakerConfig::new().consecutive_failures(1));
        assert_eq!(
            core.force(BreakerState::ForcedOpen),
            Some(t(Closed, BreakerState::ForcedOpen))
        );
        assert_eq!(core.admit().0, Err(Rejection { retry_after: None }));
        assert_eq!(
            core.force(BreakerState::Disabled),
            Some(t(BreakerState::ForcedOpen, BreakerState::Disabled))
        );
        for _ in 0..5 {
            assert_eq!(call(&core, Failure), Ok(vec![]), "disabled counts nothing");
        }
        assert_eq!(core.state(), BreakerState::Disabled);
        assert_eq!(core.force(Closed), Some(t(BreakerState::Disabled, Closed)));
        assert_eq!(call(&core, Failure), Ok(vec![t(Closed, Open)]));
    }

    #[test]
    fn ignored_failures_do_not_count() {
        let (core, _) = breaker(BreakerConfig::new().consecutive_failures(2));
        for _ in 0..10 {
            assert_eq!(call(&core, CallResult::Ignored), Ok(vec![]));
        }
        assert_eq!(core.state(), Closed);
    }
}
