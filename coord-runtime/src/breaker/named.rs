//! A named breaker: the state machine plus its metrics, logs and operator controls.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use metrics::{Counter, Gauge, Key, Label};

use super::core::{
    BreakerCore, BreakerCounts, CallResult, OpenReason, Rejection, Ticket, Transition,
};
use super::state::BreakerState;
use crate::base::cells::{self, CellIndex};
use crate::base::clock::Clock;
use crate::telemetry::METADATA;
use crate::telemetry::metric_names::{
    BREAKER_CALLS_TOTAL, BREAKER_LABEL, BREAKER_OUTCOME_LABEL, BREAKER_STATE,
    BREAKER_TRANSITIONS_TOTAL, FROM_LABEL, STATE_LABEL, TO_LABEL,
};
use crate::telemetry::publish::Publish;
use crate::telemetry::recorder_cache::RecorderCache;
use crate::values::breaker_config::BreakerConfig;
use crate::values::error::Error;

/// Offsets of a breaker's cells: admitted calls that succeeded, and that failed.
const SUCCESSES: u32 = 0;
const FAILURES: u32 = 1;

struct BreakerMetrics {
    state: [Gauge; 5],
    success: Counter,
    failure: Counter,
    rejected: Counter,
}

/// A named circuit breaker from the global registry; see [`breaker`](crate::breaker).
///
/// ```
/// use coord::{breaker::{BreakerConfig, BreakerState}, clock::ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::shared();
/// let config = BreakerConfig::new().consecutive_failures(1).open_for(Duration::from_secs(5));
/// let breaker = coord::breaker::register_breaker("docs.handle", config, clock.clone()).unwrap();
///
/// breaker.force_open();
/// assert_eq!(breaker.state(), BreakerState::ForcedOpen);
/// breaker.disable();
/// assert_eq!(breaker.state(), BreakerState::Disabled);
/// breaker.reset();
/// assert_eq!(breaker.state(), BreakerState::Closed);
/// assert_eq!(breaker.counts().rejected, 0);
/// ```
pub struct Breaker {
    name: Box<str>,
    core: BreakerCore,
    conflict: Option<Error>,
    /// Successes and failures, counted per thread (see the offsets above).
    cells: CellIndex,
    metrics: RecorderCache<BreakerMetrics>,
    // Serialises publishing the one-hot state gauge (transitions only, never calls), so the last
    // writer always publishes the latest state.
    publishing: Mutex<()>,
}

impl std::fmt::Debug for Breaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Breaker")
            .field("name", &self.name)
            .field("state", &self.state())
            .field("config", self.config())
            .finish_non_exhaustive()
    }
}

impl Breaker {
    pub(crate) fn new(
        name: &str,
        config: BreakerConfig,
        clock: Arc<dyn Clock>,
        conflict: Option<Error>,
    ) -> Self {
        Self {
            name: name.into(),
            core: BreakerCore::new(config, clock),
            conflict,
            #[allow(clippy::cast_possible_truncation)] // 2
            cells: cells::allocate(super::registry::CELLS_PER_BREAKER as u32),
            metrics: RecorderCache::new(),
            publishing: Mutex::new(()),
        }
    }

    /// Its name (the `breaker` label).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its options.
    #[must_use]
    pub fn config(&self) -> &BreakerConfig {
        self.core.config()
    }

    /// The current state.
    ///
    /// ```
    /// use coord::breaker::BreakerState;
    ///
    /// let breaker = coord::breaker("docs.named.state");
    /// assert_eq!(breaker.state(), BreakerState::Closed);
    /// ```
    #[must_use]
    #[inline]
    pub fn state(&self) -> BreakerState {
        self.core.state()
    }

    /// Successes, failures and rejections since it was created.
    ///
    /// ```
    /// use coord::breaker::CallResult;
    ///
    /// let breaker = coord::breaker("docs.named.counts");
    /// if let Ok(permit) = breaker.admit() {
    ///     permit.record(CallResult::Success);
    /// }
    /// assert_eq!(breaker.counts().successes, 1);
    /// ```
    #[must_use]
    pub fn counts(&self) -> BreakerCounts {
        let [successes, failures] = cells::sums(self.cells);
        BreakerCounts {
            successes,
            failures,
            rejected: self.core.rejected(),
        }
    }

    /// Failures in a row so far while closed.
    #[must_use]
    pub fn consecutive_failures(&self) -> u32 {
        self.core.consecutive_failures()
    }

    /// Time of the last state change on the breaker's clock, if it ever changed.
    #[must_use]
    pub fn last_transition_at(&self) -> Option<Duration> {
        self.core.last_transition_at()
    }

    /// Which rule last opened it, with the figures that tripped it; `None` if it never opened.
    ///
    /// ```
    /// let breaker = coord::breaker("docs.opened_because");
    /// assert_eq!(breaker.opened_because(), None);
    /// breaker.force_open();
    /// assert_eq!(breaker.opened_because(), Some(coord::breaker::OpenReason::Forced));
    /// ```
    #[must_use]
    pub fn opened_because(&self) -> Option<OpenReason> {
        self.core.opened_because()
    }

    /// Time since its last state change, on its own clock; `None` if it never changed.
    #[must_use]
    pub fn since_last_transition(&self) -> Option<Duration> {
        self.core.since_last_transition()
    }

    /// The conflict between its declarations, if any; while there is one, every call is refused.
    ///
    /// ```
    /// // Only declarations on functions can conflict; a breaker made by name has none.
    /// assert!(coord::breaker("docs.named.conflict").conflict().is_none());
    /// ```
    #[must_use]
    pub fn conflict(&self) -> Option<&Error> {
        self.conflict.as_ref()
    }

    /// Closes it and clears its failure counts.
    ///
    /// ```
    /// use coord::breaker::BreakerState;
    ///
    /// let breaker = coord::breaker("docs.named.reset");
    /// breaker.force_open();
    /// breaker.reset();
    /// assert_eq!(breaker.state(), BreakerState::Closed);
    /// assert!(breaker.admit().is_ok());
    /// ```
    pub fn reset(&self) {
        self.report(self.core.force(BreakerState::Closed));
    }

    /// Rejects every call until [`reset`](Self::reset).
    ///
    /// ```
    /// let breaker = coord::breaker("docs.named.force_open");
    /// breaker.force_open(); // maintenance: refuse every call
    /// assert!(matches!(breaker.admit(), Err(coord::Error::CircuitOpen { .. })));
    /// breaker.reset();
    /// ```
    pub fn force_open(&self) {
        self.report(self.core.force(BreakerState::ForcedOpen));
    }

    /// Lets every call through, counting nothing, until [`reset`](Self::reset).
    ///
    /// ```
    /// use coord::breaker::BreakerState;
    ///
    /// let breaker = coord::breaker("docs.named.disable");
    /// breaker.disable(); // let everything through while the dependency's breaker is tuned
    /// assert_eq!(breaker.state(), BreakerState::Disabled);
    /// assert!(breaker.admit().is_ok());
    /// breaker.reset();
    /// ```
    pub fn disable(&self) {
        self.report(self.core.force(BreakerState::Disabled));
    }

    fn metrics(&self) -> &'static BreakerMetrics {
        self.metrics.get(|recorder| {
            let label = Label::new(BREAKER_LABEL, self.name.to_string());
            let state = BreakerState::ALL.map(|state| {
                let key = Key::from_parts(
                    BREAKER_STATE,
                    vec![label.clone(), Label::new(STATE_LABEL, state.as_str())],
                );
                recorder.register_gauge(&key, &METADATA)
            });
            let calls = |outcome: &'static str| {
                let key = Key::from_parts(
                    BREAKER_CALLS_TOTAL,
                    vec![label.clone(), Label::new(BREAKER_OUTCOME_LABEL, outcome)],
                );
                recorder.register_counter(&key, &METADATA)
            };
            let metrics = BreakerMetrics {
                state,
                success: calls("success"),
                failure: calls("failure"),
                rejected: calls("rejected"),
            };
            self.publish_state(&metrics);
            metrics
        })
    }

    fn publish_state(&self, metrics: &BreakerMetrics) {
        let _publishing = self
            .publishing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let current = self.core.state();
        for state in BreakerState::ALL {
            metrics.state[state.index()].set(if state == current { 1.0 } else { 0.0 });
        }
    }

    #[inline]
    fn report(&self, transition: Option<Transition>) {
        if let Some(transition) = transition {
            self.report_transition(transition);
        }
    }

    #[cold]
    #[inline(never)]
    fn report_transition(&self, Transition { from, to }: Transition) {
        let name = &*self.name;
        match to {
            BreakerState::Open | BreakerState::ForcedOpen => {
                let reason = self
                    .core
                    .opened_because()
                    .map_or_else(String::new, |reason| reason.to_string());
                tracing::warn!(breaker = name, %from, %to, reason, "coord: circuit breaker opened");
            }
            _ => tracing::info!(breaker = name, %from, %to, "coord: circuit breaker changed state"),
        }
        let metrics = self.metrics();
        self.publish_state(metrics);
        let key = Key::from_parts(
            BREAKER_TRANSITIONS_TOTAL,
            vec![
                Label::new(BREAKER_LABEL, name.to_owned()),
                Label::new(FROM_LABEL, from.as_str()),
                Label::new(TO_LABEL, to.as_str()),
            ],
        );
        metrics::with_recorder(|recorder| recorder.register_counter(&key, &METADATA).increment(1));
    }

    /// Admits one call or says why not: the building block of your own integration, when
    /// neither an attribute nor [`ErrorHandling`](crate::retry::handling::ErrorHandling) fits.
    /// Record the call's result on the [`Permit`]; a permit dropped unrecorded gives its
    /// half-open probe slot back without counting.
    ///
    /// ```
    /// let breaker = coord::breaker("docs.admit");
    /// let permit = breaker.admit()?;
    /// permit.record(coord::breaker::CallResult::Success);
    /// assert_eq!(breaker.state(), coord::breaker::BreakerState::Closed);
    /// # Ok::<(), coord::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CircuitOpen`] when the breaker rejects the call, [`Error::BreakerConflict`]
    /// when its declarations disagree.
    #[inline]
    pub fn admit(&'static self) -> Result<Permit, Error> {
        if self.conflict.is_some() {
            return Err(self.refusal(None));
        }
        let (admitted, transition) = self.core.admit();
        self.report(transition);
        match admitted {
            Ok(ticket) => Ok(Permit {
                breaker: self,
                ticket,
                // Timed only when slow calls count: no clock read otherwise.
                started: if self.config().slow_call_duration.is_some() {
                    self.core.now()
                } else {
                    Duration::ZERO
                },
            }),
            // Counted by the core; published with the other counts.
            Err(rejection) => Err(self.refusal(Some(rejection))),
        }
    }

    /// The error of a refused call: the declaration conflict, else the rejection. Out of line,
    /// so building an error does not weigh on every admitted call.
    #[cold]
    #[inline(never)]
    fn refusal(&self, rejection: Option<Rejection>) -> Error {
        match (&self.conflict, rejection) {
            (Some(conflict), _) => conflict.clone(),
            (None, rejection) => Error::CircuitOpen {
                breaker: self.name.to_string(),
                retry_after: rejection.and_then(|rejection| rejection.retry_after),
            },
        }
    }
}

impl Publish for Breaker {
    fn publish(&self) {
        let metrics = self.metrics();
        let counts = self.counts();
        metrics.success.absolute(counts.successes);
        metrics.failure.absolute(counts.failures);
        metrics.rejected.absolute(counts.rejected);
        self.publish_state(metrics);
    }
}

/// One admitted call; [`Permit::record`] its result. Dropped unrecorded (the call panicked or
/// its future was dropped), it gives a half-open permit back without counting anything.
#[must_use = "an unrecorded permit counts as an abandoned call"]
pub struct Permit {
    breaker: &'static Breaker,
    ticket: Ticket,
    /// When the call was admitted, on the breaker's clock, if slow calls are timed.
    started: Duration,
}

impl Permit {
    /// Records how the call ended.
    #[inline]
    pub fn record(self, result: CallResult) {
        let breaker = self.breaker;
        let counted = match result {
            CallResult::Success => Some(SUCCESSES),
            CallResult::Failure => Some(FAILURES),
            CallResult::Ignored => None,
        };
        if let Some(offset) = counted
            && breaker.core.state() != BreakerState::Disabled
        {
            cells::add(breaker.cells + offset, 1);
        }
        let slow = breaker
            .config()
            .slow_call_duration
            .is_some_and(|slower_than| {
                breaker.core.now().saturating_sub(self.started) >= slower_than
            });
        let transition = breaker.core.record(self.ticket, result, slow);
        std::mem::forget(self);
        breaker.report(transition);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.breaker.core.release(self.ticket);
    }
}
