//! The breaker's states and the packed word that holds the current one.
//!
//! One `u64` holds the state, a generation that changes on every transition, and a payload
//! whose meaning depends on the state: the time it opened (Open, ForcedOpen), or the probes in
//! flight and probe successes so far (HalfOpen). Every decision is one compare-and-swap on
//! this word, so each transition happens exactly once and half-open permits are exact.

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
const GENERATION_BITS: u32 = 13;
const PAYLOAD_SHIFT: u32 = STATE_BITS + GENERATION_BITS;
const STATE_MASK: u64 = (1 << STATE_BITS) - 1;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;
const PAYLOAD_MASK: u64 = (1 << (64 - PAYLOAD_SHIFT)) - 1;
const COUNT_MASK: u64 = 0xffff;

/// The decoded breaker word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word(pub u64);

impl Word {
    /// Closed in `generation`.
    pub(crate) const fn closed(generation: u64) -> Self {
        Self::pack(BreakerState::Closed, generation, 0)
    }

    /// Open (or forced open) since `at`.
    pub(crate) fn open(state: BreakerState, generation: u64, at: Duration) -> Self {
        let micros = u64::try_from(at.as_micros()).unwrap_or(u64::MAX) & PAYLOAD_MASK;
        Self::pack(state, generation, micros)
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

    /// The generation (wraps after 8 192 transitions).
    pub(crate) const fn generation(self) -> u64 {
        (self.0 >> STATE_BITS) & GENERATION_MASK
    }

    /// The generation after this one.
    pub(crate) const fn next_generation(self) -> u64 {
        (self.generation() + 1) & GENERATION_MASK
    }

    /// When an open word opened.
    pub(crate) const fn opened_at(self) -> Duration {
        Duration::from_micros(self.0 >> PAYLOAD_SHIFT)
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
        let open = Word::open(BreakerState::Open, 8191, Duration::from_micros(123_456_789));
        assert_eq!(open.state(), BreakerState::Open);
        assert_eq!(open.generation(), 8191);
        assert_eq!(open.next_generation(), 0);
        assert_eq!(open.opened_at(), Duration::from_micros(123_456_789));

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
}
