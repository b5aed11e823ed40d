//! The configuration in effect: installed once, explicitly by [`init`](crate::init::init) /
//! [`init_with`](crate::init::init_with) or lazily
//! by the first annotated function (or runtime call) that needs it.
//!
//! The first of the two wins and the configuration never changes afterwards: call sites cache
//! what they derive from it (a retry policy, a breaker's options), so a later change could only
//! apply to some of them. `init` after the configuration is in effect is therefore an error,
//! not a silent no-op.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{ConfigError, CoordinationConfig};

static CONFIG: OnceLock<CoordinationConfig> = OnceLock::new();
static EXPLICIT: AtomicBool = AtomicBool::new(false);

/// Whether a configuration is in effect already.
pub(crate) fn is_in_effect() -> bool {
    CONFIG.get().is_some()
}

/// Makes `config` the configuration in effect, unless one already is (then
/// [`ConfigError::AlreadyInitialized`]); for [`init_with`](crate::init::init_with), which
/// checks it first.
pub(crate) fn install(
    config: CoordinationConfig,
) -> Result<&'static CoordinationConfig, ConfigError> {
    let mut installed_now = false;
    let installed = CONFIG.get_or_init(|| {
        installed_now = true;
        config
    });
    if !installed_now {
        return Err(already_initialized());
    }
    EXPLICIT.store(true, Ordering::Relaxed);
    Ok(installed)
}

pub(crate) fn already_initialized() -> ConfigError {
    ConfigError::AlreadyInitialized {
        by: if EXPLICIT.load(Ordering::Relaxed) {
            "explicitly"
        } else {
            "lazily on first use"
        },
    }
}

/// The configuration in effect, loading it (as [`CoordinationConfig::load`]) if nothing has yet.
///
/// # Panics
/// When loading fails: the message names the bad value's source and key. Call [`init`](crate::init::init) at
/// startup to receive that as an error instead.
///
/// ```
/// assert!(coord::configuration().max_retries <= 100);
/// ```
pub fn configuration() -> &'static CoordinationConfig {
    match try_configuration() {
        Ok(config) => config,
        Err(err) => panic!(
            "coord: the configuration cannot be loaded: {err} (call coord::init() at startup to handle this as an error)"
        ),
    }
}

/// The configuration in effect, or why it cannot be loaded lazily.
pub(crate) fn try_configuration() -> Result<&'static CoordinationConfig, ConfigError> {
    if let Some(config) = CONFIG.get() {
        return Ok(config);
    }
    let loaded = CoordinationConfig::load()?;
    Ok(CONFIG.get_or_init(|| loaded))
}
