//! The breaker's states and the packed word that holds the current one.
//!
//! One `u64` holds the state, a generation that changes on every transition, and a payload
//! whose meaning depends on the state: the time it opened (Open, ForcedOpen), or the probes in
//! flight and probe successes so far (HalfOpen). Every decision is one compare-and-swap on
//! this word, so each transition happens exactly once and half-open permits are exact.
//!
//! The bits: 3 of state, 25 of generation, 36 of payload. The generation tells a probe of an
//! ended half-open period from one of the current period; it repeats only after 33 554 432
//! transitions (13 bits once repeated after 8 192, and a probe held across them freed a permit
//! not its own). The open time is kept in whole milliseconds, rounded up, modulo 2³⁶ ms, and
//! compared by wrapping difference (exact for open periods up to 1.1 years; `open_for` is at
//! most 7 days): any clock epoch works (a 48-bit
//! microsecond time once ignored `open_for` on a clock reading past 2⁴⁸ µs), an open period
//! never ends early, and it ends at most 2 ms late. The half-open counters take 16 bits each,
//! which `coord_text::HALF_OPEN_PERMITS` and `CLOSE_AFTER` bound.

use std::fmt;
use std::time::Duration;

/// Where a breaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through; failures are counted.
    Closed,
    /// Calls are rejected until the open duration has passed.
    Open,
    /// A limited number of probe calls go through; their outcomes close or reopen it.
    HalfOpen,
    /// Rejects every call until reset (an operator's decision).
    ForcedOpen,
    /// Lets every call through and counts nothing (an operator's decision).
    Disabled,
}

impl BreakerState {
    /// Every state, in the order of their code.
    pub const ALL: [BreakerState; 5] = [
        BreakerState::Closed,
        BreakerState::Open,
        BreakerState::HalfOpen,
        BreakerState::ForcedOpen,
        BreakerState::Disabled,
    ];

    /// The value of the `state` (and `from`/`to`) label.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
            BreakerState::ForcedOpen => "forced_open",
            BreakerState::Disabled => "disabled",
        }
    }

    /// Position in [`BreakerState::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    const fn from_code(code: u64) -> Self {
        match code {
            0 => BreakerState::Closed,
            1 => BreakerState::Open,
            2 => BreakerState::HalfOpen,
            3 => BreakerState::ForcedOpen,
            _ => BreakerState::Disabled,
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const STATE_BITS: u32 = 3;
const GENERATION_BITS: u32 = 25;
const PAYLOAD_SHIFT: u32 = STATE_BITS + GENERATION_BITS;
const STATE_MASK: u64 = (1 << STATE_BITS) - 1;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;
const PAYLOAD_MASK: u64 = (1 << (64 - PAYLOAD_SHIFT)) - 1;
const COUNT_MASK: u64 = 0xffff;
const NANOS_PER_MILLI: u128 = 1_000_000;
// The half-open payload (two 16-bit counts) must fit.
const _: () = assert!(64 - PAYLOAD_SHIFT >= 32);

/// The decoded breaker word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word(pub u64);

impl Word {
    /// Closed in `generation`.
    pub(crate) const fn closed(generation: u64) -> Self {
        Self::pack(BreakerState::Closed, generation, 0)
    }

    /// Open (or forced open) since `at` on the breaker's clock.
    pub(crate) fn open(state: BreakerState, generation: u64, at: Duration) -> Self {
        // Rounded up, so the open period is never cut short by the rounding.
        let millis = at.as_nanos().div_ceil(NANOS_PER_MILLI);
        #[allow(clippy::cast_possible_truncation)] // kept modulo 2^36 on purpose
        let millis = (millis as u64) & PAYLOAD_MASK;
        Self::pack(state, generation, millis)
    }

    /// Half-open with `in_flight` probes running and `successes` so far.
    pub(crate) const fn half_open(generation: u64, in_flight: u64, successes: u64) -> Self {
        Self::pack(
            BreakerState::HalfOpen,
            generation,
            (in_flight & COUNT_MASK) | ((successes & COUNT_MASK) << 16),
        )
    }

    /// A payload-less word in `state` (Closed, Disabled).
    pub(crate) const fn plain(state: BreakerState, generation: u64) -> Self {
        Self::pack(state, generation, 0)
    }

    const fn pack(state: BreakerState, generation: u64, payload: u64) -> Self {
        Self(
            state as u64
                | ((generation & GENERATION_MASK) << STATE_BITS)
                | ((payload & PAYLOAD_MASK) << PAYLOAD_SHIFT),
        )
    }

    /// The state.
    pub(crate) const fn state(self) -> BreakerState {
        BreakerState::from_code(self.0 & STATE_MASK)
    }

    /// The generation (repeats after 2²⁵ transitions).
    pub(crate) const fn generation(self) -> u64 {
        (self.0 >> STATE_BITS) & GENERATION_MASK
    }

    /// The generation after this one.
    pub(crate) const fn next_generation(self) -> u64 {
        (self.generation() + 1) & GENERATION_MASK
    }

    /// How long an open word has been open at `now`, to the millisecond and never more than
    /// the truth; correct for open periods up to 2³⁵ ms (1.1 years) whatever the clock's epoch.
    pub(crate) fn open_so_far(self, now: Duration) -> Duration {
        #[allow(clippy::cast_possible_truncation)] // kept modulo 2^36 on purpose
        let now_millis = (now.as_nanos() / NANOS_PER_MILLI) as u64;
        let opened_millis = self.0 >> PAYLOAD_SHIFT;
        let so_far = now_millis.wrapping_sub(opened_millis) & PAYLOAD_MASK;
        // The open time was rounded up, so within its millisecond `now` reads as before it:
        // a difference in the upper half of the range is such a negative one, not 1.1 years.
        if so_far > PAYLOAD_MASK / 2 {
            Duration::ZERO
        } else {
            Duration::from_millis(so_far)
        }
    }

    /// Probes in flight of a half-open word.
    pub(crate) const fn in_flight(self) -> u64 {
        (self.0 >> PAYLOAD_SHIFT) & COUNT_MASK
    }

    /// Probe successes of a half-open word.
    pub(crate) const fn successes(self) -> u64 {
        (self.0 >> (PAYLOAD_SHIFT + 16)) & COUNT_MASK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        let last = GENERATION_MASK;
        let open = Word::open(BreakerState::Open, last, Duration::from_micros(123_456_789));
        assert_eq!(open.state(), BreakerState::Open);
        assert_eq!(open.generation(), (1 << 25) - 1);
        assert_eq!(open.next_generation(), 0);
        // Opened at 123 456.789 ms, kept as 123 457 ms: never early, under 2 ms late.
        assert_eq!(
            open.open_so_far(Duration::from_millis(123_457)),
            Duration::ZERO
        );
        assert_eq!(
            open.open_so_far(Duration::from_micros(123_456_789 + 10_000_500)),
            Duration::from_millis(10_000)
        );

        let half = Word::half_open(7, 3, 2);
        assert_eq!(
            (half.state(), half.generation()),
            (BreakerState::HalfOpen, 7)
        );
        assert_eq!((half.in_flight(), half.successes()), (3, 2));

        for state in BreakerState::ALL {
            assert_eq!(Word::plain(state, 1).state(), state);
            assert_eq!(BreakerState::ALL[state.index()], state);
        }
    }

    proptest::proptest! {
        /// Whatever the clock's epoch (nanoseconds since boot, or since 1970, or past 2⁶³),
        /// an open period lasts at least its length and ends within 2 ms after it.
        #[test]
        fn an_open_period_is_honoured_on_any_epoch(
            epoch_nanos in 0u64..=u64::MAX,
            elapsed_nanos in 0u64..=(8 * 86_400 * 1_000_000_000u64),
        ) {
            let opened = Duration::from_nanos(epoch_nanos);
            let now = opened + Duration::from_nanos(elapsed_nanos);
            let word = Word::open(BreakerState::Open, 1, opened);
            let so_far = word.open_so_far(now);
            proptest::prop_assert!(so_far <= Duration::from_nanos(elapsed_nanos));
            proptest::prop_assert!(
                Duration::from_nanos(elapsed_nanos) < so_far + Duration::from_millis(2)
            );
        }
    }
}
