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
use crate::values::breaker_config::BreakerConfig;
use crate::values::error::Error;

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
    get_or_create(name, None).unwrap_or_else(|existing| existing)
}

/// Creates breaker `name` with `config` and `clock` (a [`ManualClock`](crate::ManualClock)
/// in tests), before anything uses it.
///
/// # Errors
/// [`Error::BreakerExists`] when a breaker of that name already exists (used or registered).
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
    get_or_create(name, Some((config, clock))).map_err(|_| Error::BreakerExists {
        breaker: name.to_owned(),
    })
}

fn get_or_create(
    name: &str,
    explicit: Option<(BreakerConfig, Arc<dyn Clock>)>,
) -> Result<&'static Breaker, &'static Breaker> {
    let mut breakers = REGISTRY
        .breakers
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(existing) = breakers.get(name) {
        return Err(existing);
    }
    let declared = declared(name);
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
    Ok(breaker)
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
