//! What can be wrong with the configuration, and where it was written.

use std::fmt;
use std::path::PathBuf;

use super::problems::MissingRuleSet;
use crate::values::error::Error;
use crate::values::rules_error::RulesError;

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A YAML file, at a line and column when they could be found.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line of the key.
        line: Option<u32>,
        /// 1-based column of the key.
        column: Option<u32>,
    },
    /// A `COORDINATION_*` environment variable.
    Environment {
        /// The variable's name.
        variable: String,
    },
    /// A [`CoordinationConfig`](crate::CoordinationConfig) built in code and passed to
    /// [`init_with`](crate::init_with).
    Code,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::File { path, line, column } => {
                write!(f, "{}", path.display())?;
                if let Some(line) = line {
                    write!(f, ":{line}")?;
                    if let Some(column) = column {
                        write!(f, ":{column}")?;
                    }
                }
                Ok(())
            }
            ConfigSource::Environment { variable } => write!(f, "environment variable {variable}"),
            ConfigSource::Code => f.write_str("configuration built in code"),
        }
    }
}

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueProblem {
    /// Not `true` or `false`.
    #[error("expected `true` or `false`")]
    NotBoolean,
    /// Not a whole number.
    #[error("expected a whole number")]
    NotWholeNumber,
    /// Not a number.
    #[error("expected a number")]
    NotNumber,
    /// Below the smallest value that makes sense.
    #[error("must be at least {minimum}")]
    TooSmall {
        /// The smallest value accepted.
        minimum: f64,
    },
    /// Zero or below where only a positive value makes sense.
    #[error("must be greater than zero")]
    NotPositive,
    /// Above the largest value that makes sense.
    #[error("must be at most {maximum}")]
    TooLarge {
        /// The largest value accepted.
        maximum: f64,
    },
    /// Not a duration such as `"250ms"` (boxed: it carries the text, and errors stay small).
    #[error(transparent)]
    Duration(Box<coord_text::DurationError>),
    /// A zero duration where one would make no sense.
    #[error("must be longer than zero")]
    ZeroDuration,
    /// A duration outside the range that makes sense.
    #[error("must be between {minimum:?} and {maximum:?}")]
    DurationOutside {
        /// The shortest accepted.
        minimum: std::time::Duration,
        /// The longest accepted.
        maximum: std::time::Duration,
    },
    /// Outside the bounds of a retry or breaker option (the same bounds the attributes and
    /// the builders check; see `coord_text::BREAKER_OPTIONS` and `RETRY_OPTIONS`).
    #[error(transparent)]
    Bound(coord_text::OptionProblem),
    /// Two options that contradict each other (`min_calls` above `window`).
    #[error("{0}")]
    Conflict(String),
    /// A list or mapping where text or a number was expected.
    #[error("expected a single value, not a list or mapping")]
    NotScalar,
    /// Not a list of numbers (or, in an environment variable, numbers separated by commas).
    #[error("expected a list of numbers")]
    NotNumberList,
    /// Not a list of non-empty names (or, in an environment variable, names separated by
    /// commas).
    #[error("expected a list of names, such as [payments, ledger] (or \"*\" for every breaker)")]
    NotNameList,
    /// Not a mapping of keys to values.
    #[error("expected a mapping of keys to values")]
    NotMapping,
    /// Histogram buckets that cannot be used.
    #[error("{0}")]
    Buckets(&'static str),
    /// Not a coordination store location: `sqlite://PATH`, `postgres://…` or `memory:`.
    #[error("{0}")]
    StoreLocation(String),
    /// A key that only the file can set (its value has structure).
    #[error("can only be set in the configuration file")]
    FileOnly,
    /// An environment variable whose name or value is not Unicode.
    #[error("is not valid Unicode")]
    NotUnicode,
}

impl From<coord_text::DurationError> for ValueProblem {
    fn from(error: coord_text::DurationError) -> Self {
        ValueProblem::Duration(Box::new(error))
    }
}

/// Why the configuration could not be loaded or installed.
///
/// Every message names where the bad value was written and which key it was:
///
/// ```
/// let err = coord::config::CoordinationConfig::builder()
///     .env([("COORDINATION_MAX_RETRIES", "three")])
///     .load()
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "environment variable COORDINATION_MAX_RETRIES: `max_retries` = `three`: expected a whole number"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A value that cannot be used for its key.
    #[error("{origin}: `{key}` = `{value}`: {problem}")]
    InvalidValue {
        /// Where it was written.
        origin: ConfigSource,
        /// The key, dotted for nested keys (`breakers.payments.open_for`).
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        problem: ValueProblem,
    },
    /// A key coord does not know.
    #[error("{origin}: unknown key `{key}`{}", suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownKey {
        /// Where it was written.
        origin: ConfigSource,
        /// The key (for a variable, the part after `COORDINATION_`, lower-cased).
        key: String,
        /// The known key it is closest to.
        suggestion: Option<&'static str>,
    },
    /// The file could not be read.
    #[error("cannot read the configuration file {} ({named_by}): {error}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What named it: `COORDINATION_CONFIG`, the builder, or the default location.
        named_by: &'static str,
        /// The operating system's reason.
        #[source]
        error: std::io::Error,
    },
    /// The path names something other than a regular file (a directory, a device, a FIFO),
    /// which is not read.
    #[error(
        "the configuration file {} ({named_by}) is {kind}, not a regular file",
        path.display()
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What named it.
        named_by: &'static str,
        /// What it is: "a directory", "a character device", "a FIFO", …
        kind: &'static str,
    },
    /// The file is larger than [`MAX_CONFIG_FILE_BYTES`](crate::MAX_CONFIG_FILE_BYTES),
    /// and is not read.
    #[error(
        "the configuration file {} ({named_by}) is {size} bytes; configuration files are limited to {limit}",
        path.display()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What named it.
        named_by: &'static str,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is not YAML.
    #[error("{origin}: not valid YAML: {message}")]
    Syntax {
        /// The file, at the error's position.
        origin: ConfigSource,
        /// The parser's message.
        message: String,
    },
    /// The file is YAML but not a mapping at the top.
    #[error("{}: the configuration must be a mapping of keys to values", path.display())]
    NotAMapping {
        /// The file.
        path: PathBuf,
    },
    /// The rule files in `validation_rules_path` are bad.
    #[error("validation rules at {}: {error}", path.display())]
    Rules {
        /// The rules directory.
        path: PathBuf,
        /// What is wrong with them.
        #[source]
        error: RulesError,
    },
    /// Attributes name rule sets (`rules = "..."`) that no rule file defines and no code
    /// registered before `init`: every call of those functions would fail.
    #[error(
        "{} named by attributes {} not loaded from {}: {}; define {} in a rule file there, or register {} with coord::validation::register_rule_set before coord::init",
        if missing.len() == 1 { "a rule set" } else { "rule sets" },
        if missing.len() == 1 { "is" } else { "are" },
        rules_dir.display(),
        super::problems::describe(missing),
        if missing.len() == 1 { "it" } else { "them" },
        if missing.len() == 1 { "it" } else { "them" },
    )]
    UnknownRuleSets {
        /// The rules directory that was loaded.
        rules_dir: PathBuf,
        /// Each missing rule set with where it is named.
        missing: Vec<MissingRuleSet>,
    },
    /// The rules directory does not exist although it was set explicitly, or attributes name
    /// rule sets to load from it.
    #[error(
        "the validation rules directory {} ({}) does not exist{}",
        path.display(),
        rules_dir_origin(path, set_by.as_ref()),
        if missing.is_empty() { String::new() } else { format!(", but attributes name rule sets from it: {}", super::problems::describe(missing)) },
    )]
    RulesDirectoryMissing {
        /// The directory, as resolved (relative to the configuration file when set there).
        path: PathBuf,
        /// Where it was set; `None` for the default (or a value set in code).
        set_by: Option<ConfigSource>,
        /// The rule sets attributes name, if any.
        missing: Vec<MissingRuleSet>,
    },
    /// Functions declare one breaker name with different options: every call of either would
    /// fail with [`Error::BreakerConflict`].
    #[error("{}", conflicts.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    BreakerConflicts {
        /// Each conflict, as [`Error::BreakerConflict`] naming both declarations.
        conflicts: Vec<Error>,
    },
    /// [`init`](crate::init) or [`init_with`](crate::init_with) ran after the configuration was
    /// already in effect.
    #[error(
        "the configuration is already initialised ({by}); call coord::init once, before the first annotated function runs"
    )]
    AlreadyInitialized {
        /// What initialised it: `"explicitly"` or `"lazily on first use"`.
        by: &'static str,
    },
    /// The system monitor's thread could not start.
    #[error("cannot start the system monitor: {0}")]
    Monitor(#[source] std::io::Error),
    /// A server the configuration names does not answer (checked by `init`); the message
    /// names it without its password.
    #[error("`{key}`: {reason}")]
    Unavailable {
        /// The key naming the server.
        key: &'static str,
        /// Why it cannot be used.
        reason: String,
    },
}

/// Where a rules directory came from, in words.
fn rules_dir_origin(path: &std::path::Path, set_by: Option<&ConfigSource>) -> String {
    match set_by {
        Some(origin) => format!("set by {origin}"),
        None if path == std::path::Path::new(super::DEFAULT_RULES_DIR) => {
            "the default, relative to the working directory".to_owned()
        }
        None => format!("set in the {}", ConfigSource::Code),
    }
}
