//! The configuration in effect: installed once, explicitly by [`init`] / [`init_with`] or lazily
//! by the first annotated function (or runtime call) that needs it.
//!
//! The first of the two wins and the configuration never changes afterwards: call sites cache
//! what they derive from it (a retry policy, a breaker's options), so a later change could only
//! apply to some of them. `init` after the configuration is in effect is therefore an error,
//! not a silent no-op.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::{ConfigError, CoordinationConfig};
use crate::system::{SystemMonitor, start_system_monitor};

static CONFIG: OnceLock<CoordinationConfig> = OnceLock::new();
static EXPLICIT: AtomicBool = AtomicBool::new(false);
/// The monitor [`init`] started; it runs for the rest of the process.
static MONITOR: Mutex<Option<SystemMonitor>> = Mutex::new(None);

/// Loads the configuration (defaults < file < environment) and makes it the one in effect;
/// loads the validation rules and, if `enable_performance_monitoring`, starts the system
/// monitor. Call it first thing in `main` to get configuration mistakes as a value.
///
/// Without `init`, the configuration is loaded the same way on first use, and a bad value
/// panics there with the same message (it is never replaced by a default).
///
/// ```no_run
/// fn main() -> Result<(), coord::ConfigError> {
///     let config = coord::init()?;
///     println!("retrying up to {} times", config.max_retries);
///     Ok(())
/// }
/// ```
///
/// # Errors
/// [`ConfigError`]: a bad value (naming its source and key), bad rule files, a rules directory
/// set explicitly that does not exist, [`ConfigError::AlreadyInitialized`] when a configuration
/// is already in effect, or a system monitor that cannot start.
pub fn init() -> Result<&'static CoordinationConfig, ConfigError> {
    init_with(CoordinationConfig::load()?)
}

/// Makes `config` (built in code, or loaded and then adjusted) the configuration in effect,
/// as [`init`] does.
///
/// ```
/// let config = coord::CoordinationConfig {
///     enable_performance_monitoring: false,
///     ..coord::CoordinationConfig::load()?
/// };
/// coord::init_with(config)?;
/// assert!(!coord::configuration().enable_performance_monitoring);
/// assert!(matches!(coord::init(), Err(coord::ConfigError::AlreadyInitialized { .. })));
/// # Ok::<(), coord::ConfigError>(())
/// ```
///
/// # Errors
/// As [`init`]; values built in code are checked by the same rules as values read from a file.
pub fn init_with(config: CoordinationConfig) -> Result<&'static CoordinationConfig, ConfigError> {
    config.check()?;
    if CONFIG.get().is_some() {
        return Err(already_initialized());
    }
    if config.enable_validation {
        load_rules(&config.validation_rules_path)?;
    }
    let mut installed_now = false;
    let installed = CONFIG.get_or_init(|| {
        installed_now = true;
        config
    });
    if !installed_now {
        return Err(already_initialized());
    }
    EXPLICIT.store(true, Ordering::Relaxed);
    if installed.enable_performance_monitoring {
        let monitor =
            start_system_monitor(installed.collection_interval, installed.max_data_points)
                .map_err(ConfigError::Monitor)?;
        *MONITOR.lock().unwrap_or_else(PoisonError::into_inner) = Some(monitor);
    }
    Ok(installed)
}

/// The default directory may be absent (no rules); one that was set explicitly must exist.
fn load_rules(dir: &Path) -> Result<(), ConfigError> {
    let is_default = dir == Path::new(crate::DEFAULT_RULES_DIR);
    if is_default && !dir.is_dir() {
        return Ok(());
    }
    crate::load_rules(dir)
        .map(drop)
        .map_err(|error| ConfigError::Rules {
            path: dir.to_path_buf(),
            error,
        })
}

fn already_initialized() -> ConfigError {
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
/// When loading fails: the message names the bad value's source and key. Call [`init`] at
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
