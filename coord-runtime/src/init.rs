//! Start-up: the one place that wires side effects. [`init`] and [`init_with`] make a
//! configuration the one in effect, load the validation rules it names and start the system
//! monitor; the configuration module itself stays inert data.

use std::path::Path;
#[cfg(feature = "system")]
use std::sync::{Mutex, PoisonError};

use crate::config::{ConfigError, CoordinationConfig, global};
#[cfg(feature = "system")]
use crate::system::{SystemMonitor, start_system_monitor};
use crate::validation::{references, registry};

/// The monitor [`init`] started; it runs for the rest of the process.
#[cfg(feature = "system")]
static MONITOR: Mutex<Option<SystemMonitor>> = Mutex::new(None);

/// What else starts with the configuration: the crates that build on the runtime (the saga
/// engine of `coord-patterns` starts recovering unfinished runs) add a function here at link
/// time, and [`init_with`] calls each once the configuration is in effect. **Not a stable API.**
#[linkme::distributed_slice]
pub static STARTUP_HOOKS: [fn(&'static CoordinationConfig)];

/// Checks of what the configuration names that only other crates can make (the lock backend
/// of `coord-patterns` connects to the Redis server `lock_backend` names): [`init_with`] calls
/// each before the configuration takes effect, and fails with its error. **Not a stable API.**
#[linkme::distributed_slice]
pub static STARTUP_CHECKS: [fn(&CoordinationConfig) -> Result<(), ConfigError>];

/// Loads the configuration (defaults < file < environment) and makes it the one in effect;
/// loads the validation rules and, if `enable_performance_monitoring` (and the `system`
/// feature, on by default), starts the system monitor. Call it first thing in `main` to get configuration mistakes as a value.
///
/// Without `init`, the configuration is loaded the same way on first use, and a bad value
/// panics there with the same message (it is never replaced by a default).
///
/// ```no_run
/// fn main() -> Result<(), coord::config::ConfigError> {
///     let config = coord::init()?;
///     println!("retrying up to {} times", config.max_retries);
///     Ok(())
/// }
/// ```
///
/// # Errors
/// [`ConfigError`]: a bad value (naming its source and key), bad rule files, a rules directory
/// set explicitly that does not exist (or the default one, when attributes name rule sets:
/// [`ConfigError::RulesDirectoryMissing`]), rule sets that attributes name and nothing loads
/// ([`ConfigError::UnknownRuleSets`], with each call site and a "did you mean"; register rule
/// sets written in code before `init`), functions declaring one breaker with different options
/// ([`ConfigError::BreakerConflicts`], both call sites), [`ConfigError::AlreadyInitialized`] when a configuration
/// is already in effect, or a system monitor that cannot start.
pub fn init() -> Result<&'static CoordinationConfig, ConfigError> {
    init_with(CoordinationConfig::load()?)
}

/// Makes `config` (built in code, or loaded and then adjusted) the configuration in effect,
/// as [`init`] does.
///
/// ```
/// let config = coord::config::CoordinationConfig {
///     enable_performance_monitoring: false,
///     ..coord::config::CoordinationConfig::load()?
/// };
/// coord::init_with(config)?;
/// assert!(!coord::configuration().enable_performance_monitoring);
/// assert!(matches!(coord::init(), Err(coord::config::ConfigError::AlreadyInitialized { .. })));
/// # Ok::<(), coord::config::ConfigError>(())
/// ```
///
/// # Errors
/// As [`init`]; values built in code are checked by the same rules as values read from a file.
pub fn init_with(config: CoordinationConfig) -> Result<&'static CoordinationConfig, ConfigError> {
    config.check()?;
    // A property of the program, not of the configuration: reported even when one is in effect.
    let conflicts = crate::breaker::registry::breaker_conflicts();
    if !conflicts.is_empty() {
        return Err(ConfigError::BreakerConflicts { conflicts });
    }
    if global::is_in_effect() {
        return Err(global::already_initialized());
    }
    if config.enable_validation {
        load_rules(&config)?;
    }
    for check in STARTUP_CHECKS {
        check(&config)?;
    }
    let installed = global::install(config)?;
    for hook in STARTUP_HOOKS {
        hook(installed);
    }
    #[cfg(feature = "system")]
    if installed.enable_performance_monitoring {
        let monitor =
            start_system_monitor(installed.collection_interval, installed.max_data_points)
                .map_err(ConfigError::Monitor)?;
        *MONITOR.lock().unwrap_or_else(PoisonError::into_inner) = Some(monitor);
    }
    Ok(installed)
}

/// Loads the rules directory and checks that every rule set an attribute names is there (or
/// was registered in code before `init`). The default directory may be absent when no
/// attribute names a rule set; one that was set explicitly must exist.
fn load_rules(config: &CoordinationConfig) -> Result<(), ConfigError> {
    let dir = &config.validation_rules_path;
    if !dir.is_dir() {
        let missing = references::missing_from(&registry::loaded_names());
        let is_default = config.validation_rules_path_origin.is_none()
            && dir == Path::new(crate::config::DEFAULT_RULES_DIR);
        if is_default && missing.is_empty() {
            return Ok(());
        }
        return Err(ConfigError::RulesDirectoryMissing {
            path: dir.clone(),
            set_by: config.validation_rules_path_origin.clone(),
            missing,
        });
    }
    registry::load_rules(dir).map_err(|error| ConfigError::Rules {
        path: dir.clone(),
        error,
    })?;
    let missing = references::missing_from(&registry::loaded_names());
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::UnknownRuleSets {
            rules_dir: dir.clone(),
            missing,
        })
    }
}
