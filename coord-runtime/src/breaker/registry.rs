//! The global, named circuit breakers and the declarations their options come from.
//!
//! Every `#[handle_errors(circuit_breaker(name = "...", options...))]` leaves a declaration in a
//! link-time list, so the registry knows every declaration of a name before the first call:
//! two that disagree make that breaker refuse calls with [`Error::BreakerConflict`] from the
//! start, rather than letting whichever ran first win.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use super::named::Breaker;
use crate::base::clock::{Clock, SystemClock};
use crate::telemetry::metric_names::OVERFLOW;
use crate::values::breaker_config::BreakerConfig;
use crate::values::error::Error;

/// The most breakers a process creates by name at run time ([`breaker`] with a name no
/// function declares). Past it, [`breaker`] gives every new name the one breaker named
/// [`OVERFLOW`](crate::metric_names::OVERFLOW) (its failures open it for all of them; a
/// warning is logged once) and [`register_breaker`] returns [`Error::TooManyBreakers`]. Names
/// declared on functions are fixed by the code and always get their own breaker.
pub const MAX_BREAKERS: usize = 1_000;

/// The counter cells of one breaker.
pub(crate) const CELLS_PER_BREAKER: usize = 2;

/// Options for breaker `name` written in code, at `location` (`file:line`).
#[derive(Debug)]
pub struct BreakerDeclaration {
    /// The breaker's name.
    pub name: &'static str,
    /// Its options.
    pub config: BreakerConfig,
    /// Where the declaration is written.
    pub location: &'static str,
}

/// Every declaration in the program, gathered by the linker.
#[linkme::distributed_slice]
pub static BREAKER_DECLARATIONS: [BreakerDeclaration];

struct Registry {
    breakers: Mutex<HashMap<String, &'static Breaker>>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    breakers: Mutex::new(HashMap::new()),
});

/// What the declarations of `name` say: its options, or the conflict between two of them.
fn declared(name: &str) -> Result<Option<BreakerConfig>, Error> {
    let mut declarations = BREAKER_DECLARATIONS.iter().filter(|d| d.name == name);
    let Some(first) = declarations.next() else {
        return Ok(None);
    };
    match declarations.find(|other| other.config != first.config) {
        None => Ok(Some(first.config)),
        Some(other) => Err(Error::BreakerConflict {
            breaker: name.to_owned(),
            first: format!("{} at {}", first.config, first.location),
            second: format!("{} at {}", other.config, other.location),
        }),
    }
}

/// The breaker called `name`, created on first use with the options an attribute declares for
/// it, else those of its `breakers` entry in the [configuration](crate::CoordinationConfig),
/// else [`BreakerConfig::new`] with the configuration's `circuit_breaker_threshold`.
///
/// ```
/// let payments = coord::breaker("docs.payments");
/// assert_eq!(payments.state(), coord::breaker::BreakerState::Closed);
/// payments.force_open();
/// assert_eq!(coord::breaker("docs.payments").state(), coord::breaker::BreakerState::ForcedOpen);
/// payments.reset();
/// ```
pub fn breaker(name: &str) -> &'static Breaker {
    get_or_create(name, None).breaker()
}

/// Creates breaker `name` with `config` and `clock` (a [`ManualClock`](crate::ManualClock)
/// in tests), before anything uses it.
///
/// # Errors
/// [`Error::BreakerExists`] when a breaker of that name already exists (used or registered);
/// [`Error::TooManyBreakers`] past [`MAX_BREAKERS`].
/// If code declares other options for the name, the breaker is created but its calls fail
/// with [`Error::BreakerConflict`].
///
/// ```
/// use coord::{breaker::BreakerConfig, clock::ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::shared();
/// let config = BreakerConfig::new().consecutive_failures(2).open_for(Duration::from_secs(5));
/// let breaker = coord::breaker::register_breaker("docs.register", config, clock.clone()).unwrap();
/// assert!(coord::breaker::register_breaker("docs.register", config, clock).is_err());
/// # let _ = breaker;
/// ```
pub fn register_breaker(
    name: &str,
    config: BreakerConfig,
    clock: Arc<dyn Clock>,
) -> Result<&'static Breaker, Error> {
    match get_or_create(name, Some((config, clock))) {
        Found::Created(breaker) => Ok(breaker),
        Found::Existing(_) => Err(Error::BreakerExists {
            breaker: name.to_owned(),
        }),
        Found::Overflow(_) => Err(Error::TooManyBreakers {
            breaker: name.to_owned(),
            limit: MAX_BREAKERS,
        }),
    }
}

/// What a lookup found.
enum Found {
    Created(&'static Breaker),
    Existing(&'static Breaker),
    /// The registry is full: the overflow breaker.
    Overflow(&'static Breaker),
}

impl Found {
    fn breaker(self) -> &'static Breaker {
        match self {
            Self::Created(breaker) | Self::Existing(breaker) | Self::Overflow(breaker) => breaker,
        }
    }
}

fn get_or_create(name: &str, explicit: Option<(BreakerConfig, Arc<dyn Clock>)>) -> Found {
    let mut breakers = REGISTRY
        .breakers
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(existing) = breakers.get(name) {
        return Found::Existing(existing);
    }
    let declared = declared(name);
    let undeclared = matches!(declared, Ok(None));
    let has_overflow = breakers.contains_key(OVERFLOW);
    if undeclared && breakers.len() - usize::from(has_overflow) >= MAX_BREAKERS {
        return Found::Overflow(overflow(&mut breakers, name));
    }
    let (config, clock) = match (explicit, &declared) {
        (Some((config, clock)), _) => (config, clock),
        (None, Ok(Some(config))) => (*config, Arc::new(SystemClock) as Arc<dyn Clock>),
        (None, _) => (
            crate::config::configuration().breaker_config(name),
            Arc::new(SystemClock) as Arc<dyn Clock>,
        ),
    };
    let conflict = match declared {
        Err(conflict) => Some(conflict),
        Ok(Some(declared)) if declared != config => Some(Error::BreakerConflict {
            breaker: name.to_owned(),
            first: format!("{config} (registered in code)"),
            second: format!("{declared} (declared on a function)"),
        }),
        Ok(_) => None,
    };
    if let Some(conflict) = &conflict {
        tracing::error!(breaker = name, error = %conflict, "coord: circuit breaker refuses calls");
    }
    // Leaked on purpose: one per breaker name, and call sites keep `&'static` references.
    let breaker: &'static Breaker =
        Box::leak(Box::new(Breaker::new(name, config, clock, conflict)));
    breakers.insert(name.to_owned(), breaker);
    crate::telemetry::publish::register(breaker);
    Found::Created(breaker)
}

/// The overflow breaker, created (with the configuration's options for its name) the first
/// time a name finds the registry full.
#[cold]
fn overflow(
    breakers: &mut HashMap<String, &'static Breaker>,
    first_unlisted: &str,
) -> &'static Breaker {
    if let Some(overflow) = breakers.get(OVERFLOW) {
        return overflow;
    }
    tracing::error!(
        limit = MAX_BREAKERS,
        first_unlisted,
        overflow = OVERFLOW,
        "coord: more circuit breaker names than the limit; further names share one breaker"
    );
    let config = crate::config::configuration().breaker_config(OVERFLOW);
    let breaker: &'static Breaker = Box::leak(Box::new(Breaker::new(
        OVERFLOW,
        config,
        Arc::new(SystemClock),
        None,
    )));
    breakers.insert(OVERFLOW.to_owned(), breaker);
    crate::telemetry::publish::register(breaker);
    breaker
}

/// Creates every breaker the program declares on a function or the configuration names, so
/// that reports and `/health` list each known breaker before its first call.
pub(crate) fn create_known() {
    for declaration in BREAKER_DECLARATIONS {
        breaker(declaration.name);
    }
    for name in crate::config::configuration().breakers.keys() {
        breaker(name);
    }
}

/// Every breaker created so far, sorted by name.
///
/// ```
/// coord::breaker("docs.listed");
/// assert!(coord::breaker::breakers().iter().any(|b| b.name() == "docs.listed"));
/// ```
pub fn breakers() -> Vec<&'static Breaker> {
    let breakers = REGISTRY
        .breakers
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut all: Vec<&'static Breaker> = breakers.values().copied().collect();
    all.sort_by(|a, b| a.name().cmp(b.name()));
    all
}

/// The conflicting declarations in the program, one per breaker name; empty when all agree.
/// Call it at startup to fail fast instead of at the first call.
///
/// ```
/// assert!(coord::breaker::breaker_conflicts().is_empty());
/// ```
pub fn breaker_conflicts() -> Vec<Error> {
    let mut names: Vec<&str> = BREAKER_DECLARATIONS.iter().map(|d| d.name).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| declared(name).err())
        .collect()
}
