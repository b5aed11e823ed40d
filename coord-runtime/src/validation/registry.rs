//! The loaded rule sets, swapped as a whole on reload so readers never block and never see a
//! half-loaded state; and loading them from a directory of YAML files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde::Serialize;

use super::plan::compile;
use super::rule_set::RuleSet;
use super::spec::{PERFORMANCE_THRESHOLDS_KEY, RuleFile, RuleSetSpec, ThresholdsFile};
use crate::base::bounded_read::{ReadProblem, read_regular_file};
use crate::base::yaml_location::locate;
use crate::values::error::Error;
use crate::values::rules_error::{RuleProblem, RulesError};
use crate::values::score::PerformanceThresholds;
use crate::values::validation_result::ValidationResult;

/// Largest rule file read, so a stray huge file cannot exhaust memory.
pub(crate) const MAX_RULE_FILE_BYTES: u64 = 4 << 20;

/// Rule sets by name. Names come from code and config, never from callers' values, so a fast
/// unkeyed hash is safe; SipHash was a twentieth of a valid call's cost.
type RuleSets = HashMap<String, Arc<RuleSet>, foldhash::fast::RandomState>;

#[derive(Default)]
struct Registry {
    /// Every rule set: from files and from code.
    sets: RuleSets,
    /// The performance score's thresholds, if a rule file sets them.
    thresholds: Option<PerformanceThresholds>,
    /// The names registered in code, which survive reloads of the files.
    from_code: Vec<String>,
}

static REGISTRY: LazyLock<ArcSwap<Registry>> =
    LazyLock::new(|| ArcSwap::from_pointee(Registry::default()));
/// Held by every change to [`REGISTRY`] from reading the current registry to storing the next,
/// so no change is built on a registry another change has replaced: a reload racing
/// `register_rule_set` once stored a registry built before the registration and lost it.
/// Readers never take it.
static WRITER: Mutex<()> = Mutex::new(());
/// Runs `with` on the current registry.
///
/// Through an `arc_swap` guard held for this call only: no thread keeps a registry once its
/// validation ends. (Each thread once cached the registry it last used, so idle threads pinned
/// old registries, 1.8 GB for five threads and a 10 000-set registry, and the first validation
/// after a reload freed the old one on the request path.)
fn with_registry<R>(with: impl FnOnce(&Registry) -> R) -> R {
    with(&REGISTRY.load())
}

/// Makes `next` the registry, and frees the one it replaces on this (the writer's) thread
/// rather than on a validation's: the writer waits, briefly, for validations that began on the
/// old registry to end.
fn replace_registry(next: Registry) {
    let old = REGISTRY.swap(Arc::new(next));
    let patience = Instant::now();
    // A validation holds the registry for microseconds; one stuck inside a caller's
    // `Serialize` impl is not waited for past a second (it then frees the old one itself).
    while Arc::strong_count(&old) > 1 && patience.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_micros(100));
    }
    drop(old);
}

/// The directory last loaded (successfully or not), for `reload_rules`.
static LOADED_FROM: Mutex<Option<PathBuf>> = Mutex::new(None);
/// Whether the default directory has been tried, so first use loads it once.
static DEFAULT_LOADED: OnceLock<()> = OnceLock::new();
/// Set once rules are loaded explicitly, so first use does not load the default directory.
static EXPLICITLY_LOADED: AtomicBool = AtomicBool::new(false);

/// What a successful load brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    /// The directory.
    pub dir: PathBuf,
    /// Rule set names, sorted.
    pub rule_sets: Vec<String>,
    /// Files read.
    pub files: usize,
}

/// Loads every `*.yaml` (and `*.yml`) file in `dir` and replaces all loaded rule sets with
/// them, atomically. On any problem nothing changes and every problem is reported.
///
/// # Errors
/// [`RulesError`] listing each problem with its file, line and column: unreadable or oversized
/// files, malformed YAML, unknown keys (with a suggestion), unknown types, `min > max`, bad or
/// oversized regexes, a rule set name defined twice.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coord-doc-load-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("a.yaml"), "greeting:\n  field_validations:\n    text: {type: string, max_length: 5}\n").unwrap();
/// let summary = coord::validation::load_rules(&dir).unwrap();
/// assert_eq!(summary.rule_sets, ["greeting"]);
/// assert!(coord::validate("greeting", &serde_json::json!({"text": "hi"})).unwrap().is_valid);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn load_rules(dir: impl AsRef<Path>) -> Result<LoadSummary, RulesError> {
    EXPLICITLY_LOADED.store(true, Ordering::SeqCst);
    load_into_registry(dir.as_ref())
}

fn load_into_registry(dir: &Path) -> Result<LoadSummary, RulesError> {
    let dir = dir.to_path_buf();
    *LOADED_FROM.lock().unwrap_or_else(PoisonError::into_inner) = Some(dir.clone());
    let (file_sets, thresholds, files) = read_dir(&dir)?;
    let mut rule_sets: Vec<String> = file_sets.keys().cloned().collect();
    rule_sets.sort();
    // Rule sets registered in code are kept; a file may not redefine one.
    let _writing = WRITER.lock().unwrap_or_else(PoisonError::into_inner);
    let current = REGISTRY.load();
    let mut problems = Vec::new();
    let mut sets = file_sets;
    for name in &current.from_code {
        if sets.contains_key(name) {
            problems.push(RuleProblem {
                file: dir.clone(),
                line: None,
                column: None,
                message: format!("rule set `{name}` is already registered in code"),
            });
        } else if let Some(rule_set) = current.sets.get(name) {
            sets.insert(name.clone(), Arc::clone(rule_set));
        }
    }
    if !problems.is_empty() {
        return Err(RulesError { problems });
    }
    let from_code = current.from_code.clone();
    drop(current);
    replace_registry(Registry {
        sets,
        thresholds,
        from_code,
    });
    tracing::info!(dir = %dir.display(), rule_sets = rule_sets.len(), "coord: validation rules loaded");
    Ok(LoadSummary {
        dir,
        rule_sets,
        files,
    })
}

/// Loads again from the directory last loaded (or the default one). A failed reload keeps the
/// last good rules, logs why, and returns the problems.
///
/// # Errors
/// As [`load_rules`].
pub fn reload_rules() -> Result<LoadSummary, RulesError> {
    let dir = LOADED_FROM
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_else(default_dir);
    EXPLICITLY_LOADED.store(true, Ordering::SeqCst);
    load_into_registry(&dir).inspect_err(|err| {
        tracing::error!(error = %err, "coord: validation rules reload failed; keeping the last good rules");
    })
}

/// Adds (or replaces) rule set `name` defined in code, e.g. from a `serde_yaml` or JSON value.
///
/// # Errors
/// [`RulesError`] when the rule set does not compile.
///
/// ```
/// let spec: coord::validation::RuleSetSpec = serde_json::from_value(serde_json::json!({
///     "required_fields": ["id"],
///     "field_validations": {"id": {"type": "uuid"}}
/// })).unwrap();
/// coord::validation::register_rule_set("doc_custom", &spec).unwrap();
/// assert!(coord::validation::rule_sets().contains(&"doc_custom".to_owned()));
/// ```
pub fn register_rule_set(name: &str, spec: &RuleSetSpec) -> Result<(), RulesError> {
    let plan = compile(name, spec).map_err(|problems| RulesError {
        problems: problems
            .into_iter()
            .map(|problem| RuleProblem {
                file: PathBuf::from("<code>"),
                line: None,
                column: None,
                // No file to point into: the keys say where in the spec the problem is.
                message: if problem.keys.is_empty() {
                    format!("{name}: {}", problem.message)
                } else {
                    format!("{name}: {}: {}", problem.keys.join(" > "), problem.message)
                },
            })
            .collect(),
    })?;
    let rule_set = Arc::new(RuleSet::new(plan));
    // Without loading the default directory (which would read the configuration and put one
    // in effect): registering before `coord::init` must leave `init` to the caller, and a
    // later load keeps the sets registered in code.
    let _writing = WRITER.lock().unwrap_or_else(PoisonError::into_inner);
    let current = REGISTRY.load();
    let mut sets = current.sets.clone();
    sets.insert(name.to_owned(), rule_set);
    let mut from_code = current.from_code.clone();
    if !from_code.iter().any(|known| known == name) {
        from_code.push(name.to_owned());
    }
    let thresholds = current.thresholds;
    drop(current);
    replace_registry(Registry {
        sets,
        thresholds,
        from_code,
    });
    Ok(())
}

fn default_dir() -> PathBuf {
    crate::config::configuration().validation_rules_path.clone()
}

/// The names of the loaded rule sets, sorted.
#[must_use]
pub fn rule_sets() -> Vec<String> {
    ensure_default_loaded();
    let mut names: Vec<String> = REGISTRY.load().sets.keys().cloned().collect();
    names.sort();
    names
}

/// The names in the registry now, without loading anything.
pub(crate) fn loaded_names() -> Vec<String> {
    with_registry(|registry| registry.sets.keys().cloned().collect())
}

/// Loads the configured directory on first use when `init` did not, and then logs once, at
/// ERROR, what `init` would have refused: rule sets that attributes name and nothing loaded.
fn ensure_default_loaded() {
    if EXPLICITLY_LOADED.load(Ordering::Relaxed) {
        return;
    }
    DEFAULT_LOADED.get_or_init(|| {
        let dir = default_dir();
        if EXPLICITLY_LOADED.load(Ordering::SeqCst) {
            return;
        }
        if dir.is_dir()
            && let Err(err) = load_into_registry(&dir)
        {
            tracing::error!(error = %err, "coord: validation rules could not be loaded");
            return;
        }
        let missing = super::references::missing_from(&loaded_names());
        if !missing.is_empty() {
            tracing::error!(
                rules_dir = %dir.display(),
                missing = %crate::config::problems::describe(&missing),
                "coord: attributes name rule sets that are not loaded; every call of those functions fails with UnknownRuleSet (coord::init() reports this as an error)"
            );
        }
    });
}

/// Runs `with` on rule set `name`.
///
/// # Errors
/// [`Error::UnknownRuleSet`] when no rule set has that name.
pub fn with_rule_set<R>(name: &str, with: impl FnOnce(&RuleSet) -> R) -> Result<R, Error> {
    ensure_default_loaded();
    with_registry(|registry| match registry.sets.get(name) {
        Some(rule_set) => Ok(with(rule_set)),
        None => {
            let mut known: Vec<String> = registry.sets.keys().cloned().collect();
            known.sort();
            Err(Error::UnknownRuleSet {
                rule_set: name.to_owned(),
                known,
            })
        }
    })
}

/// Validates `value` against rule set `name`. Allocates nothing when the value is valid.
///
/// # Errors
/// [`Error::UnknownRuleSet`] when no rule set has that name. An invalid value is not an
/// error: see [`ValidationResult::is_valid`].
pub fn validate<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<ValidationResult, Error> {
    with_rule_set(name, |rule_set| rule_set.validate(value))
}

/// Validates `value` against rule set `name` as `#[validate_input]` does: `Ok(())` when valid
/// or when validation is switched off (`enable_validation: false`), the invalid result as
/// [`Error::Validation`] otherwise, ready for `?` into an error type with `From<coord::Error>`.
///
/// ```
/// use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
///
/// coord::validation::register_rule_set("docs.quantity", &RuleSetSpec::new()
///     .field("quantity", FieldSpec::of(FieldType::Integer).range(1.0, 99.0)))?;
///
/// #[derive(serde::Serialize)]
/// struct Line { quantity: u32 }
/// assert!(coord::ensure_valid("docs.quantity", &Line { quantity: 3 }).is_ok());
/// let err = coord::ensure_valid("docs.quantity", &Line { quantity: 300 }).unwrap_err();
/// assert!(matches!(err, coord::Error::Validation(_)));
/// # Ok::<(), coord::validation::RulesError>(())
/// ```
///
/// # Errors
/// [`Error::Validation`] for an invalid value, [`Error::UnknownRuleSet`] when no rule set has
/// that name.
pub fn ensure_valid<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<(), Error> {
    if !crate::config::configuration().enable_validation {
        return Ok(());
    }
    super::outcome(validate(name, value))
}

/// The performance score's thresholds: from the rule files (`performance_thresholds` in
/// `rules/quality.yaml`), or the defaults of [`PerformanceThresholds`].
#[must_use]
pub fn performance_thresholds() -> PerformanceThresholds {
    ensure_default_loaded();
    REGISTRY.load().thresholds.unwrap_or_default()
}

type Loaded = (RuleSets, Option<PerformanceThresholds>, usize);

fn read_dir(dir: &Path) -> Result<Loaded, RulesError> {
    let io_problem = |file: &Path, err: std::io::Error| RuleProblem {
        file: file.to_path_buf(),
        line: None,
        column: None,
        message: format!("cannot read: {err}"),
    };
    let entries = std::fs::read_dir(dir).map_err(|err| RulesError {
        problems: vec![io_problem(dir, err)],
    })?;
    let mut problems = Vec::new();
    // Every `*.yaml`/`*.yml` name is a rule file: one that is not a readable regular file (a
    // directory, a FIFO, a dangling link) is a problem, never silently skipped, so a reload
    // cannot "succeed" with rule sets missing. Hidden names (`.#orders.yaml`, an editor's lock
    // link) are not rule files.
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => files.push(entry.path()),
            Err(err) => problems.push(io_problem(dir, err)),
        }
    }
    files.retain(|path| {
        path.extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
            && !path
                .file_name()
                .is_some_and(|name| name.as_encoded_bytes().starts_with(b"."))
    });
    files.sort();
    let mut sets = RuleSets::default();
    let mut defined_in: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut thresholds: Option<(PerformanceThresholds, PathBuf)> = None;
    for file in &files {
        let text = match read_limited(file) {
            Ok(text) => text,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match parse_file(file, &text) {
            Err(mut found) => problems.append(&mut found),
            Ok(parsed) => {
                // Only a file that parsed: a YAML error is reported once, by `parse_file`.
                match parse_thresholds(file, &text) {
                    Ok(None) => {}
                    Ok(Some(found)) => match &thresholds {
                        Some((_, first)) => {
                            let (line, column) = locate(&text, &[PERFORMANCE_THRESHOLDS_KEY]);
                            problems.push(RuleProblem {
                                file: file.clone(),
                                line,
                                column,
                                message: format!(
                                    "`{PERFORMANCE_THRESHOLDS_KEY}` is already set in {}",
                                    first.display()
                                ),
                            });
                        }
                        None => thresholds = Some((found, file.clone())),
                    },
                    Err(problem) => problems.push(problem),
                }

                for (name, rule_set) in parsed {
                    if let Some(first) = defined_in.get(&name) {
                        let (line, column) = locate(&text, &[&name]);
                        problems.push(RuleProblem {
                            file: file.clone(),
                            line,
                            column,
                            message: format!(
                                "rule set `{name}` is already defined in {}",
                                first.display()
                            ),
                        });
                        continue;
                    }
                    defined_in.insert(name.clone(), file.clone());
                    sets.insert(name, rule_set);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok((sets, thresholds.map(|(found, _)| found), files.len()))
    } else {
        Err(RulesError { problems })
    }
}

fn read_limited(file: &Path) -> Result<String, RuleProblem> {
    let problem = |line, message: String| RuleProblem {
        file: file.to_path_buf(),
        line,
        column: None,
        message,
    };
    let bytes = read_regular_file(file, MAX_RULE_FILE_BYTES).map_err(|read| match read {
        ReadProblem::Io(err) => problem(None, format!("cannot read: {err}")),
        ReadProblem::NotAFile(kind) => problem(None, format!("is {kind}, not a regular file")),
        ReadProblem::TooLarge { size } => problem(
            None,
            format!("file is {size} bytes; rule files are limited to {MAX_RULE_FILE_BYTES}"),
        ),
    })?;
    String::from_utf8(bytes).map_err(|err| {
        let line = 1 + err.as_bytes()[..err.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        problem(Some(line), "file is not valid UTF-8".to_owned())
    })
}

/// The performance thresholds one file sets, if any.
fn parse_thresholds(file: &Path, text: &str) -> Result<Option<PerformanceThresholds>, RuleProblem> {
    let parsed: Option<ThresholdsFile> = serde_yaml::from_str(text).map_err(|err| {
        let mut message = err.to_string();
        if let Some(at) = message.find(" at line ") {
            message.truncate(at);
        }
        RuleProblem {
            file: file.to_path_buf(),
            line: err.location().map(|at| at.line()),
            column: err.location().map(|at| at.column()),
            message,
        }
    })?;
    let Some(thresholds) = parsed.and_then(|file| file.performance_thresholds) else {
        return Ok(None);
    };
    match thresholds.problem() {
        None => Ok(Some(thresholds)),
        Some(message) => {
            let (line, column) = locate(text, &[PERFORMANCE_THRESHOLDS_KEY]);
            Err(RuleProblem {
                file: file.to_path_buf(),
                line,
                column,
                message: format!("`{PERFORMANCE_THRESHOLDS_KEY}`: {message}"),
            })
        }
    }
}

/// Parses and compiles one file's rule sets.
pub(crate) fn parse_file(
    file: &Path,
    text: &str,
) -> Result<Vec<(String, Arc<RuleSet>)>, Vec<RuleProblem>> {
    let specs: BTreeMap<String, RuleSetSpec> = match serde_yaml::from_str::<Option<RuleFile>>(text)
    {
        Ok(specs) => specs.map(|file| file.0).unwrap_or_default(),
        Err(err) => {
            let mut location = err.location().map(|at| (at.line(), at.column()));
            let mut message = err.to_string();
            // serde_yaml appends " at line L column C"; the location is shown in front instead.
            if let Some(at) = message.find(" at line ") {
                message.truncate(at);
            }
            if let Some(hint) = unknown_key_hint(&message) {
                message.push_str(&hint);
            }
            if let Some(second) = repeated_key_location(text, &message) {
                location = Some(second);
            }
            return Err(vec![RuleProblem {
                file: file.to_path_buf(),
                line: location.map(|(line, _)| line),
                column: location.map(|(_, column)| column),
                message,
            }]);
        }
    };
    let mut compiled = Vec::new();
    let mut problems = Vec::new();
    for (name, spec) in specs {
        match compile(&name, &spec) {
            Ok(plan) => compiled.push((name, Arc::new(RuleSet::new(plan)))),
            Err(found) => {
                for problem in found {
                    let mut keys: Vec<&str> = vec![name.as_str()];
                    keys.extend(problem.keys.iter().map(String::as_str));
                    let (line, column) = locate(text, &keys);
                    problems.push(RuleProblem {
                        file: file.to_path_buf(),
                        line,
                        column,
                        message: format!("rule set `{name}`: {}", problem.message),
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(compiled)
    } else {
        Err(problems)
    }
}

/// For "path: `key` is given twice", where the second `key` is (serde_yaml points at the map).
fn repeated_key_location(text: &str, message: &str) -> Option<(usize, usize)> {
    let (path, rest) = match message.rsplit_once(": `") {
        Some((path, rest)) => (path, rest),
        None => ("", message.strip_prefix('`')?),
    };
    let key = rest.strip_suffix("` is given twice")?;
    let mut keys: Vec<&str> = path.split('.').filter(|k| !k.is_empty()).collect();
    keys.extend([key, key]);
    match locate(text, &keys) {
        (Some(line), Some(column)) => Some((line, column)),
        _ => None,
    }
}

/// "; did you mean `min`?" for serde's "unknown field `mni`, expected one of ..." messages.
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message
        .split("unknown field `")
        .nth(1)
        .or_else(|| message.split("unknown variant `").nth(1))?;
    let (typed, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let near = coord_text::closest(typed, &candidates)?;
    Some(format!("; did you mean `{near}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::spec::{FieldSpec, FieldType};

    /// Threads that validated once and then idle keep no registry alive, and a replaced
    /// registry is freed by the writer before it returns, not by the next validation. (Each
    /// thread once cached the last registry it used: idle threads pinned old registries, and
    /// the first validation after a reload paid for freeing one.)
    #[test]
    fn idle_threads_pin_no_registry_and_the_writer_frees_the_old_one() {
        let spec = RuleSetSpec::new().field("n", FieldSpec::of(FieldType::Integer));
        register_rule_set("registry_test.pinning", &spec).expect("register");
        let old = Arc::downgrade(&REGISTRY.load_full());
        let (validated, idle) = std::sync::mpsc::channel();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let threads: Vec<_> = (0..5)
            .map(|_| {
                let validated = validated.clone();
                let wait = Arc::clone(&wait);
                std::thread::spawn(move || {
                    validate("registry_test.pinning", &serde_json::json!({"n": 1})).unwrap();
                    validated.send(()).unwrap();
                    // Idle, alive, until the test ends.
                    let _ = wait.lock().unwrap().recv();
                })
            })
            .collect();
        for _ in 0..5 {
            idle.recv().unwrap();
        }
        register_rule_set("registry_test.pinning_next", &spec).expect("register");
        assert!(
            old.upgrade().is_none(),
            "the replaced registry is still alive after the writer returned"
        );
        for _ in 0..5 {
            release.send(()).unwrap();
        }
        for thread in threads {
            thread.join().unwrap();
        }
    }
}
