//! A circuit breaker's options, built in `const` context so declarations can live in statics.

use std::fmt;
use std::time::Duration;

/// When a breaker opens, how long it stays open, and how it probes its way back.
///
/// | option | default | meaning |
/// | --- | --- | --- |
/// | `consecutive_failures` | 5 | failures in a row that open it |
/// | `failure_rate` | off | share of failures among the last `window` calls that opens it … |
/// | `slow_call_duration` | off | a call at least this long is *slow* (successful or not) … |
/// | `slow_call_rate` | 1.0 | … and this share of slow calls among the last `window` opens it |
/// | `window` | 20 | the rates are counted over this many most recent calls … |
/// | `time_window` | off | … or over the calls of this last stretch of time (in tenths) |
/// | `min_calls` | 10 | … once at least this many calls are in the window |
/// | `open_for` | 30 s | how long it rejects calls before letting probes through |
/// | `half_open_permits` | 1 | probe calls admitted at once while half-open |
/// | `close_after` | 1 | successful probes that close it again |
///
/// ```
/// use coord::breaker::BreakerConfig;
/// use std::time::Duration;
///
/// let config = BreakerConfig::new()
///     .consecutive_failures(3)
///     .open_for(Duration::from_secs(10))
///     .half_open_permits(2)
///     .close_after(2);
/// assert_eq!(config.open_for_value(), Duration::from_secs(10));
/// assert_ne!(config, BreakerConfig::new());
/// ```
///
/// Only `consecutive_failures` opens a breaker unless you ask for more: the rate rules are off
/// until `failure_rate` or `slow_call_duration` is written, so no option you did not write
/// opens it (resilience4j's default 50 % failure rate over 100 calls is its most reported
/// surprise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    pub(crate) consecutive_failures: u32,
    pub(crate) failure_rate: Option<f64>,
    pub(crate) slow_call_duration: Option<Duration>,
    pub(crate) slow_call_rate: f64,
    pub(crate) time_window: Option<Duration>,
    pub(crate) window: u32,
    pub(crate) min_calls: u32,
    pub(crate) open_for: Duration,
    pub(crate) half_open_permits: u32,
    pub(crate) close_after: u32,
}

impl BreakerConfig {
    /// The defaults in the table above.
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// let config = BreakerConfig::new();
    /// assert_eq!(config, BreakerConfig::default());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            consecutive_failures: 5,
            failure_rate: None,
            slow_call_duration: None,
            slow_call_rate: 1.0,
            time_window: None,
            window: 20,
            min_calls: 10,
            open_for: Duration::from_secs(30),
            half_open_permits: 1,
            close_after: 1,
        }
    }

    /// Failures in a row that open the breaker.
    ///
    /// # Panics
    /// Outside 1 to 1 000 000 (`coord_text::CONSECUTIVE_FAILURES`, the bounds the attributes and
    /// the configuration check too); in a `static` that is a compile error.
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// // Opens after 3 failures in a row.
    /// static PAYMENTS: BreakerConfig = BreakerConfig::new().consecutive_failures(3);
    /// assert_ne!(PAYMENTS, BreakerConfig::new());
    /// ```
    #[must_use]
    pub const fn consecutive_failures(mut self, failures: u32) -> Self {
        assert!(
            coord_text::CONSECUTIVE_FAILURES.admits_count(failures as u64),
            "BreakerConfig::consecutive_failures must be between 1 and 1000000"
        );
        self.consecutive_failures = failures;
        self
    }

    /// Share of failures among the last `window` calls that opens the breaker (once
    /// `min_calls` are in the window); off unless set.
    ///
    /// # Panics
    /// Outside `(0, 1]` or not finite (`coord_text::FAILURE_RATE`).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// // Opens when half of the last 40 calls failed, once 20 are in the window.
    /// let config = BreakerConfig::new().failure_rate(0.5).window(40).min_calls(20);
    /// assert_eq!(config.failure_rate_value(), Some(0.5));
    /// ```
    #[must_use]
    pub const fn failure_rate(mut self, rate: f64) -> Self {
        assert!(
            coord_text::FAILURE_RATE.admits_number(rate),
            "BreakerConfig::failure_rate must be above 0 and at most 1"
        );
        self.failure_rate = Some(rate);
        self
    }

    /// Counts a call that takes at least `duration` as slow, successful or not; once
    /// `slow_call_rate` of the last `window` calls are slow (and `min_calls` are in the
    /// window), the breaker opens: a dependency that answers, but too late to be useful, is
    /// failing too. Off unless set.
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    /// use std::time::Duration;
    ///
    /// let config = BreakerConfig::new().slow_call_duration(Duration::from_secs(1)).slow_call_rate(0.5);
    /// assert_eq!(config.slow_call_duration_value(), Some(Duration::from_secs(1)));
    /// ```
    ///
    /// # Panics
    /// When zero or above one day (`coord_text::SLOW_CALL_DURATION`).
    #[must_use]
    pub const fn slow_call_duration(mut self, duration: Duration) -> Self {
        assert!(
            coord_text::SLOW_CALL_DURATION.admits_nanos(super::saturating_nanos(duration)),
            "BreakerConfig::slow_call_duration must be longer than zero and at most one day"
        );
        self.slow_call_duration = Some(duration);
        self
    }

    /// Share of slow calls among the last `window` that opens the breaker (default 1.0: all
    /// of them); only with [`slow_call_duration`](BreakerConfig::slow_call_duration).
    ///
    /// # Panics
    /// Outside `(0, 1]` or not finite (`coord_text::SLOW_CALL_RATE`).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    /// use std::time::Duration;
    ///
    /// let config = BreakerConfig::new().slow_call_duration(Duration::from_millis(500)).slow_call_rate(0.8);
    /// assert_eq!(config.slow_call_duration_value(), Some(Duration::from_millis(500)));
    /// ```
    #[must_use]
    pub const fn slow_call_rate(mut self, rate: f64) -> Self {
        assert!(
            coord_text::SLOW_CALL_RATE.admits_number(rate),
            "BreakerConfig::slow_call_rate must be above 0 and at most 1"
        );
        self.slow_call_rate = rate;
        self
    }

    /// Counts the failure and slow-call rates over the calls of the last `span` instead of
    /// the last `window` calls — for traffic in bursts, where the last 20 calls may span a
    /// second or an hour. The window slides in tenths of `span`; `min_calls` still applies.
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    /// use std::time::Duration;
    ///
    /// let config = BreakerConfig::new().failure_rate(0.5).time_window(Duration::from_secs(60)).min_calls(20);
    /// assert_eq!(config.time_window_value(), Some(Duration::from_secs(60)));
    /// ```
    ///
    /// # Panics
    /// When zero or above one day (`coord_text::TIME_WINDOW`).
    #[must_use]
    pub const fn time_window(mut self, span: Duration) -> Self {
        assert!(
            coord_text::TIME_WINDOW.admits_nanos(super::saturating_nanos(span)),
            "BreakerConfig::time_window must be longer than zero and at most one day"
        );
        self.time_window = Some(span);
        self
    }

    /// The time window, if the rates are counted over one.
    #[must_use]
    pub const fn time_window_value(&self) -> Option<Duration> {
        self.time_window
    }

    /// How long a call must take to count as slow, if the slow-call rule is on.
    #[must_use]
    pub const fn slow_call_duration_value(&self) -> Option<Duration> {
        self.slow_call_duration
    }

    /// The failure-rate threshold, if the rule is on.
    #[must_use]
    pub const fn failure_rate_value(&self) -> Option<f64> {
        self.failure_rate
    }

    /// How many of the most recent calls the failure rate is computed over; each is kept in
    /// memory.
    ///
    /// # Panics
    /// Outside 1 to 100 000 (`coord_text::WINDOW`).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// let config = BreakerConfig::new().failure_rate(0.25).window(100);
    /// assert_ne!(config, BreakerConfig::new().failure_rate(0.25));
    /// ```
    #[must_use]
    pub const fn window(mut self, calls: u32) -> Self {
        assert!(
            coord_text::WINDOW.admits_count(calls as u64),
            "BreakerConfig::window must be between 1 and 100000 calls"
        );
        self.window = calls;
        self
    }

    /// Calls needed in the window before the failure rate is considered (0 and 1 alike check
    /// it from the first call).
    ///
    /// # Panics
    /// Above 100 000 (`coord_text::MIN_CALLS`).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// // Judge the failure rate only once 50 calls are in the window.
    /// let config = BreakerConfig::new().failure_rate(0.5).window(100).min_calls(50);
    /// assert_ne!(config, BreakerConfig::new().failure_rate(0.5).window(100));
    /// ```
    #[must_use]
    pub const fn min_calls(mut self, calls: u32) -> Self {
        assert!(
            coord_text::MIN_CALLS.admits_count(calls as u64),
            "BreakerConfig::min_calls must be at most 100000"
        );
        self.min_calls = calls;
        self
    }

    /// How long the breaker rejects calls once open. Kept to the millisecond: an open period
    /// never ends early and ends at most 2 ms late, whatever the clock's epoch.
    ///
    /// # Panics
    /// When zero or longer than 7 days (`coord_text::OPEN_FOR`).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    /// use std::time::Duration;
    ///
    /// let config = BreakerConfig::new().open_for(Duration::from_secs(10));
    /// assert_eq!(config.open_for_value(), Duration::from_secs(10));
    /// ```
    #[must_use]
    pub const fn open_for(mut self, duration: Duration) -> Self {
        assert!(
            coord_text::OPEN_FOR.admits_nanos(super::saturating_nanos(duration)),
            "BreakerConfig::open_for must be longer than zero and at most 7 days"
        );
        self.open_for = duration;
        self
    }

    /// Probe calls admitted at once while half-open.
    ///
    /// # Panics
    /// Outside 1 to 65 535 (`coord_text::HALF_OPEN_PERMITS`: the breaker's counter is 16 bits).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// // After the open time, let 3 probes through at once.
    /// let config = BreakerConfig::new().half_open_permits(3).close_after(3);
    /// assert_ne!(config, BreakerConfig::new());
    /// ```
    #[must_use]
    pub const fn half_open_permits(mut self, permits: u32) -> Self {
        assert!(
            coord_text::HALF_OPEN_PERMITS.admits_count(permits as u64),
            "BreakerConfig::half_open_permits must be between 1 and 65535"
        );
        self.half_open_permits = permits;
        self
    }

    /// Successful probes that close the breaker.
    ///
    /// # Panics
    /// Outside 1 to 65 535 (`coord_text::CLOSE_AFTER`: the breaker's counter is 16 bits).
    ///
    /// ```
    /// use coord::breaker::BreakerConfig;
    ///
    /// // Close only after 5 probes in a row succeeded.
    /// let config = BreakerConfig::new().half_open_permits(5).close_after(5);
    /// assert_ne!(config, BreakerConfig::new().half_open_permits(5));
    /// ```
    #[must_use]
    pub const fn close_after(mut self, successes: u32) -> Self {
        assert!(
            coord_text::CLOSE_AFTER.admits_count(successes as u64),
            "BreakerConfig::close_after must be between 1 and 65535"
        );
        self.close_after = successes;
        self
    }

    /// How long the breaker stays open.
    #[must_use]
    pub const fn open_for_value(&self) -> Duration {
        self.open_for
    }
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for BreakerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "consecutive_failures = {}", self.consecutive_failures)?;
        if let Some(rate) = self.failure_rate {
            write!(f, ", failure_rate = {rate}")?;
        }
        if let Some(duration) = self.slow_call_duration {
            write!(
                f,
                ", slow_call_duration = {duration:?}, slow_call_rate = {}",
                self.slow_call_rate
            )?;
        }
        match self.time_window {
            Some(span) => write!(f, ", time_window = {span:?}")?,
            None => write!(f, ", window = {}", self.window)?,
        }
        write!(
            f,
            ", min_calls = {}, open_for = {:?}, half_open_permits = {}, close_after = {}",
            self.min_calls, self.open_for, self.half_open_permits, self.close_after
        )
    }
}
