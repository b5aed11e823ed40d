//! Building a [`CoordinationConfig`] from its layers: built-in defaults, then a YAML file, then
//! `COORDINATION_*` environment variables (later wins).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::error::{ConfigError, ConfigSource, ValueProblem};
use super::keys::{self, BREAKER_KEYS, BREAKERS, KEYS};
use super::values::Raw;
use super::{
    CONFIG_FILE_VAR, CoordinationConfig, DEFAULT_CONFIG_FILE, ENV_PREFIX, MAX_CONFIG_FILE_BYTES,
};
use crate::base::bounded_read::{ReadProblem, read_regular_file};
use crate::base::yaml_location::locate;
use crate::values::breaker_config::BreakerConfig;

/// Builds a [`CoordinationConfig`] from defaults, a file and the environment; see
/// [`CoordinationConfig::builder`].
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coord-doc-builder-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let file = dir.join("coordination.yaml");
/// std::fs::write(&file, "max_retries: 5\nbase_delay: 20ms\n").unwrap();
///
/// let config = coord::config::CoordinationConfig::builder()
///     .file(&file)
///     .env([("COORDINATION_MAX_RETRIES", "2")])
///     .load()?;
/// assert_eq!(config.max_retries, 2); // the environment wins over the file
/// assert_eq!(config.base_delay, std::time::Duration::from_millis(20));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), coord::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ConfigBuilder {
    file: Option<PathBuf>,
    env: Option<Vec<(OsString, OsString)>>,
}

impl ConfigBuilder {
    /// Reads `path` instead of `config/coordination.yaml` (it must exist).
    /// `COORDINATION_CONFIG`, when set, still names the file to read instead.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Reads these variables instead of the process environment (for tests, or a service that
    /// keeps its settings elsewhere). Only names starting with `COORDINATION_` are read.
    pub fn env<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        self.env = Some(
            vars.into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        );
        self
    }

    /// Applies the layers.
    ///
    /// # Errors
    /// The first bad value, unknown key, unreadable or malformed file, as a [`ConfigError`]
    /// naming its source and key.
    pub fn load(self) -> Result<CoordinationConfig, ConfigError> {
        let mut vars: Vec<(OsString, OsString)> = self
            .env
            .unwrap_or_else(|| std::env::vars_os().collect())
            .into_iter()
            .filter(|(name, _)| name.to_string_lossy().starts_with(ENV_PREFIX))
            .collect();
        // Sorted, so that with several bad variables the same one is reported every time.
        vars.sort();
        let named_file = vars
            .iter()
            .find(|(name, _)| name.to_str() == Some(CONFIG_FILE_VAR))
            .map(|(_, value)| PathBuf::from(value));

        let mut config = CoordinationConfig::default();
        let mut without_threshold = BTreeSet::new();
        let file = match (named_file, self.file) {
            (Some(path), _) => Some((path, CONFIG_FILE_VAR)),
            (None, Some(path)) => Some((path, "given to ConfigBuilder::file")),
            (None, None) => {
                let default = PathBuf::from(DEFAULT_CONFIG_FILE);
                default
                    .is_file()
                    .then_some((default, "the default location"))
            }
        };
        if let Some((path, named_by)) = file {
            read_file(&mut config, &path, named_by, &mut without_threshold)?;
        }
        for (name, value) in &vars {
            if name.to_str() != Some(CONFIG_FILE_VAR) {
                apply_variable(&mut config, name, value)?;
            }
        }
        // A breaker defined without `consecutive_failures` takes the threshold every layer
        // agreed on, not the one in force when the file was read.
        let threshold = config.circuit_breaker_threshold;
        for name in without_threshold {
            if let Some(breaker) = config.breakers.get_mut(&name) {
                *breaker = breaker.consecutive_failures(threshold);
            }
        }
        Ok(config)
    }
}

fn read_file(
    config: &mut CoordinationConfig,
    path: &Path,
    named_by: &'static str,
    without_threshold: &mut BTreeSet<String>,
) -> Result<(), ConfigError> {
    let unreadable = |error| ConfigError::Unreadable {
        path: path.to_path_buf(),
        named_by,
        error,
    };
    // A regular file, read up to the limit: a device, a FIFO or a huge file cannot exhaust
    // memory or block start-up.
    let bytes =
        read_regular_file(path, MAX_CONFIG_FILE_BYTES).map_err(|problem| match problem {
            ReadProblem::Io(error) => unreadable(error),
            ReadProblem::NotAFile(kind) => ConfigError::NotAFile {
                path: path.to_path_buf(),
                named_by,
                kind,
            },
            ReadProblem::TooLarge { size } => ConfigError::TooLarge {
                path: path.to_path_buf(),
                named_by,
                size,
                limit: MAX_CONFIG_FILE_BYTES,
            },
        })?;
    let text = String::from_utf8(bytes).map_err(|error| {
        unreadable(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("stream did not contain valid UTF-8: {}", error.utf8_error()),
        ))
    })?;
    let document: Value = serde_yaml::from_str(&text).map_err(|error| ConfigError::Syntax {
        origin: ConfigSource::File {
            path: path.to_path_buf(),
            line: error.location().map(|at| saturating_u32(at.line())),
            column: error.location().map(|at| saturating_u32(at.column())),
        },
        message: error.to_string(),
    })?;
    let empty = Mapping::new();
    let mapping = match &document {
        Value::Null => &empty,
        Value::Mapping(mapping) => mapping,
        _ => {
            return Err(ConfigError::NotAMapping {
                path: path.to_path_buf(),
            });
        }
    };
    let file = FileLayer { path, text: &text };
    for (key, value) in mapping {
        let key_text = key_text(key);
        if key_text == BREAKERS {
            read_breakers(config, &file, value, without_threshold)?;
            continue;
        }
        let Some(known) = KEYS.iter().find(|known| known.name == key_text) else {
            return Err(ConfigError::UnknownKey {
                origin: file.at(&[&key_text]),
                suggestion: coord_text::closest(&key_text, &keys::names()),
                key: key_text,
            });
        };
        (known.set)(config, Raw::Yaml(value)).map_err(|problem| {
            file.invalid(&[known.name], known.name.to_owned(), value, problem)
        })?;
    }
    // Relative to the file, so a shipped configuration works whatever the working directory.
    if config.validation_rules_path.is_relative()
        && mapping.contains_key("validation_rules_path")
        && let Some(dir) = path.parent()
    {
        config.validation_rules_path = dir.join(&config.validation_rules_path);
    }
    if mapping.contains_key("validation_rules_path") {
        config.validation_rules_path_origin = Some(file.at(&["validation_rules_path"]));
    }
    if let coord_text::StoreLocation::Sqlite(file) = &mut config.coordination_store
        && file.is_relative()
        && mapping.contains_key("coordination_store")
        && let Some(dir) = path.parent()
    {
        *file = dir.join(&*file);
    }
    if let Some(coord_text::LockLocation::Store(coord_text::StoreLocation::Sqlite(file))) =
        &mut config.lock_backend
        && file.is_relative()
        && mapping.contains_key("lock_backend")
        && let Some(dir) = path.parent()
    {
        *file = dir.join(&*file);
    }
    Ok(())
}

fn read_breakers(
    config: &mut CoordinationConfig,
    file: &FileLayer<'_>,
    value: &Value,
    without_threshold: &mut BTreeSet<String>,
) -> Result<(), ConfigError> {
    let Value::Mapping(breakers) = value else {
        return Err(file.invalid(
            &[BREAKERS],
            BREAKERS.to_owned(),
            value,
            ValueProblem::NotMapping,
        ));
    };
    for (name, options) in breakers {
        let name = key_text(name);
        let key = format!("{BREAKERS}.{name}");
        let Value::Mapping(options) = options else {
            return Err(file.invalid(&[BREAKERS, &name], key, options, ValueProblem::NotMapping));
        };
        let mut breaker = BreakerConfig::new();
        for (option, value) in options {
            let option = key_text(option);
            let Some(known) = BREAKER_KEYS.iter().find(|known| known.name == option) else {
                return Err(ConfigError::UnknownKey {
                    origin: file.at(&[BREAKERS, &name, &option]),
                    suggestion: coord_text::closest(&option, &keys::breaker_names()),
                    key: format!("{key}.{option}"),
                });
            };
            breaker = (known.set)(breaker, Raw::Yaml(value)).map_err(|problem| {
                file.invalid(
                    &[BREAKERS, &name, &option],
                    format!("{key}.{option}"),
                    value,
                    problem,
                )
            })?;
        }
        let written = |option: &str| {
            options
                .get(option)
                .and_then(Value::as_u64)
                .filter(|_| options.contains_key(option))
        };
        if let Some(problem) =
            coord_text::breaker_combination_problem(written("min_calls"), written("window"))
            && let Some(value) = options.get("min_calls")
        {
            return Err(file.invalid(
                &[BREAKERS, &name, "min_calls"],
                format!("{key}.min_calls"),
                value,
                ValueProblem::Conflict(problem),
            ));
        }
        if !options.contains_key("consecutive_failures") {
            without_threshold.insert(name.clone());
        }
        config.breakers.insert(name, breaker);
    }
    Ok(())
}

fn apply_variable(
    config: &mut CoordinationConfig,
    name: &OsString,
    value: &OsString,
) -> Result<(), ConfigError> {
    let variable = name.to_string_lossy().into_owned();
    let key = variable[ENV_PREFIX.len()..].to_ascii_lowercase();
    let key = keys::ENV_ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key, |(_, name)| (*name).to_owned());
    let origin = ConfigSource::Environment {
        variable: variable.clone(),
    };
    let invalid =
        |origin: ConfigSource, key: &str, value: String, problem| ConfigError::InvalidValue {
            origin,
            key: key.to_owned(),
            value,
            problem,
        };
    let (Some(_), Some(text)) = (name.to_str(), value.to_str()) else {
        let shown = value.to_string_lossy().into_owned();
        return Err(invalid(origin, &key, shown, ValueProblem::NotUnicode));
    };
    if key == BREAKERS {
        return Err(invalid(
            origin,
            &key,
            text.to_owned(),
            ValueProblem::FileOnly,
        ));
    }
    let Some(known) = KEYS.iter().find(|known| known.name == key) else {
        return Err(ConfigError::UnknownKey {
            origin,
            suggestion: coord_text::closest(&key, &keys::names()),
            key,
        });
    };
    // A URL's password never reaches a message.
    (known.set)(config, Raw::Text(text)).map_err(|problem| {
        invalid(
            origin.clone(),
            known.name,
            coord_text::without_password(text),
            problem,
        )
    })?;
    if known.name == "validation_rules_path" {
        config.validation_rules_path_origin = Some(origin);
    }
    Ok(())
}

/// Line and column numbers are `u32` so that errors stay small; a file is never that long.
fn saturating_u32(number: usize) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

/// A mapping key as text (YAML allows numbers and booleans as keys too).
fn key_text(key: &Value) -> String {
    match key {
        Value::String(text) => text.clone(),
        other => Raw::Yaml(other).shown(),
    }
}

/// The file being read, for locating keys in error messages.
struct FileLayer<'a> {
    path: &'a Path,
    text: &'a str,
}

impl FileLayer<'_> {
    fn at(&self, keys: &[&str]) -> ConfigSource {
        let (line, column) = locate(self.text, keys);
        ConfigSource::File {
            path: self.path.to_path_buf(),
            line: line.map(saturating_u32),
            column: column.map(saturating_u32),
        }
    }

    fn invalid(
        &self,
        keys: &[&str],
        key: String,
        value: &Value,
        problem: ValueProblem,
    ) -> ConfigError {
        ConfigError::InvalidValue {
            origin: self.at(keys),
            key,
            value: coord_text::without_password(&Raw::Yaml(value).shown()),
            problem,
        }
    }
}
