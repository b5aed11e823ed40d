//! Hostile rule and configuration files: an alias bomb, nesting 10 000 deep, a 50 MB file,
//! invalid UTF-8, duplicate keys, a regex that would blow up a backtracking engine and a regex
//! too large to compile. Each gives a clear error naming the file (or, for the backtracking
//! regex, loads and runs in linear time), within a bounded time, and a failed rules reload keeps
//! the last good rules.

mod support;

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use support::temp_dir::TempDir;

/// The rules registry is process-wide: tests that load rule files take turns.
static LOADING: Mutex<()> = Mutex::new(());

/// Generous: each case takes milliseconds; a case that does not finish is a bug (an
/// exponential expansion or an unbounded read), reported instead of hanging the suite.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `work` on its own thread and fails the test if it does not end within [`WATCHDOG`].
fn bounded<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    result
        .recv_timeout(WATCHDOG)
        .unwrap_or_else(|_| panic!("{what} did not finish within {WATCHDOG:?}"))
}

/// `n` levels of nested flow sequences.
fn nested(n: usize) -> Vec<u8> {
    let mut text = "deep: ".to_owned();
    text.push_str(&"[".repeat(n));
    text.push_str(&"]".repeat(n));
    text.push('\n');
    text.into_bytes()
}

/// The "billion laughs": nine levels of nine aliases each, 9^9 strings once expanded.
fn alias_bomb() -> Vec<u8> {
    let mut text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_owned();
    for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        text.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    text.into_bytes()
}

/// 50 MB of valid-looking YAML.
fn huge() -> Vec<u8> {
    let line = "# padding padding padding padding padding padding padding padding\n";
    line.repeat(50_000_000 / line.len()).into_bytes()
}

/// The hostile files, by name, with what the rules loader's and the configuration loader's
/// errors must say about each; `duplicated` is a file valid for that loader but for a key
/// given twice.
fn hostile(duplicated: &[u8]) -> Vec<(&'static str, Vec<u8>, [&'static str; 2])> {
    vec![
        ("alias bomb", alias_bomb(), ["", ""]),
        ("nesting 10 000 deep", nested(10_000), ["", ""]),
        ("50 MB", huge(), ["limited to", "limited to"]),
        (
            "invalid UTF-8",
            b"order:\n  \xff\xfe: 1\n".to_vec(),
            ["UTF-8", "UTF-8"],
        ),
        (
            "duplicate keys",
            duplicated.to_vec(),
            ["given twice", "duplicate"],
        ),
    ]
}

fn load_rules_error(dir: &TempDir) -> String {
    let path = dir.path().to_path_buf();
    bounded("loading rules", move || {
        coord::validation::load_rules(&path)
    })
    .expect_err("a hostile rule file must be rejected")
    .to_string()
}

fn register_good_rules() {
    let good = TempDir::with_file(
        "good",
        "good.yaml",
        b"good:\n  field_validations:\n    n: {type: integer, min: 1}\n",
    );
    coord::validation::load_rules(good.path()).expect("the good rules load");
}

fn good_rules_still_work() {
    assert!(coord::validate("good", &json!({"n": 2})).unwrap().is_valid);
    assert!(!coord::validate("good", &json!({"n": 0})).unwrap().is_valid);
}

#[test]
fn hostile_rule_files_are_rejected_and_the_last_good_rules_stay() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    register_good_rules();
    for (name, bytes, [says, _]) in hostile(b"order: {}\norder: {}\n") {
        let dir = TempDir::with_file("rules", "hostile.yaml", &bytes);
        let message = load_rules_error(&dir);
        eprintln!("rules, {name}: {message}");
        assert!(message.contains("hostile.yaml"), "{name}: {message}");
        assert!(message.contains(says), "{name}: {message}");
        good_rules_still_work();
    }
}

#[test]
fn hostile_configuration_files_are_rejected_naming_the_file() {
    for (name, bytes, [_, says]) in hostile(b"max_retries: 1\nmax_retries: 2\n") {
        let dir = TempDir::with_file("config", "coordination.yaml", &bytes);
        let file = dir.path().join("coordination.yaml");
        let result = bounded("loading the configuration", move || {
            coord::config::CoordinationConfig::builder()
                .file(&file)
                .env(std::iter::empty::<(&str, &str)>())
                .load()
        });
        let message = result
            .expect_err("a hostile configuration file must be rejected")
            .to_string();
        eprintln!("configuration, {name}: {message}");
        assert!(message.contains("coordination.yaml"), "{name}: {message}");
        assert!(message.contains(says), "{name}: {message}");
    }
}

#[test]
fn a_regex_too_large_to_compile_is_a_load_error_and_backtracking_cannot_blow_up() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    register_good_rules();
    let huge = TempDir::with_file(
        "huge-regex",
        "huge.yaml",
        b"huge:\n  field_validations:\n    s: {type: string, pattern: 'a{1000}{1000}'}\n",
    );
    let message = load_rules_error(&huge);
    assert!(
        message.contains("huge.yaml:3:") && message.contains("too large"),
        "{message}"
    );
    good_rules_still_work();

    // `(a+)+$` takes exponential time in a backtracking engine on "aaa…a!"; the regex crate
    // runs in time linear in the input.
    let nested = TempDir::with_file(
        "nested-regex",
        "nested.yaml",
        b"nested:\n  field_validations:\n    s: {type: string, pattern: '^(a+)+$'}\n",
    );
    coord::validation::load_rules(nested.path()).expect("the pattern compiles");
    let input = format!("{}!", "a".repeat(100_000));
    let result = bounded("matching a nested quantifier", move || {
        coord::validate("nested", &json!({ "s": input })).unwrap()
    });
    assert!(!result.is_valid);
}

/// Inputs the fuzzers (`fuzz/run.sh`) found a bug with, kept in `tests/fuzz_regressions/`:
/// `rules_*` as rule files, `config_*` as configuration files. Each must load or be rejected
/// naming the file, within the watchdog.
#[test]
fn fuzz_regressions_load_or_fail_cleanly() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    register_good_rules();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fuzz_regressions") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        if name.starts_with("rules_") {
            let scratch = TempDir::with_file("regression", "rules.yaml", &bytes);
            let dir = scratch.path().to_path_buf();
            if let Err(err) = bounded(&name, move || coord::validation::load_rules(&dir)) {
                assert!(err.to_string().contains("rules.yaml"), "{name}: {err}");
            }
            good_rules_still_work();
        } else if name.starts_with("config_") {
            let scratch = TempDir::with_file("regression", "coordination.yaml", &bytes);
            let file = scratch.path().join("coordination.yaml");
            let loaded = bounded(&name, move || {
                coord::config::CoordinationConfig::builder()
                    .file(&file)
                    .env(std::iter::empty::<(&str, &str)>())
                    .load()
            });
            if let Err(err) = loaded {
                assert!(
                    err.to_string().contains("coordination.yaml"),
                    "{name}: {err}"
                );
            }
        } else {
            panic!("{name}: name regressions rules_* or config_*");
        }
        found += 1;
    }
    assert!(found > 0, "no regression inputs in {}", dir.display());
}

/// Makes `path` a FIFO (`mkfifo`, from coreutils).
fn make_fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Rule "files" that are not regular files were once skipped without a word, so a reload
/// "succeeded" with rule sets missing. Each is now a problem naming the file and what it is,
/// and the reload fails keeping the last good rules.
#[test]
fn rule_paths_that_are_not_regular_files_are_problems() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    register_good_rules();
    /// A file name, how to make it, what the error says.
    type Case = (&'static str, fn(&Path), &'static str);
    let cases: [Case; 5] = [
        (
            "dangling.yaml",
            |path| std::os::unix::fs::symlink(path.with_file_name("gone"), path).unwrap(),
            "cannot read",
        ),
        (
            "loop.yaml",
            |path| std::os::unix::fs::symlink(path, path).unwrap(),
            "cannot read",
        ),
        (
            "folder.yaml",
            |path| std::fs::create_dir(path).unwrap(),
            "is a directory",
        ),
        ("pipe.yaml", make_fifo, "is a FIFO"),
        (
            "device.yml",
            |path| std::os::unix::fs::symlink("/dev/null", path).unwrap(),
            "is a character device",
        ),
    ];
    for (name, make, says) in cases {
        let dir = TempDir::with_file(
            "odd-rules",
            "fine.yaml",
            b"fine:\n  field_validations:\n    n: {type: integer}\n",
        );
        make(&dir.path().join(name));
        let message = load_rules_error(&dir);
        assert!(message.contains(name), "{name}: {message}");
        assert!(message.contains(says), "{name}: {message}");
        good_rules_still_work();
    }
    // An editor's hidden lock link (`.#name.yaml`, dangling by design) is not a rule file.
    let dir = TempDir::with_file(
        "hidden-rules",
        "fine.yaml",
        b"fine:\n  field_validations:\n    n: {type: integer}\n",
    );
    std::os::unix::fs::symlink("user@host.1234", dir.path().join(".#fine.yaml")).unwrap();
    let loaded = coord::validation::load_rules(dir.path()).expect("hidden names are skipped");
    assert_eq!(loaded.rule_sets, ["fine"]);
    register_good_rules();
}

/// `COORDINATION_CONFIG=/dev/zero` once passed the size check (a device has size 0) and was
/// read until memory ran out; a FIFO blocked `init()` forever. Both are now refused at once,
/// naming what the path is.
#[test]
fn configuration_paths_that_are_not_regular_files_are_refused() {
    let dir = TempDir::with_file("odd-config", "unused", b"");
    let fifo = dir.path().join("coordination.yaml");
    make_fifo(&fifo);
    for (path, says) in [
        (
            Path::new("/dev/zero").to_path_buf(),
            "is a character device",
        ),
        (fifo, "is a FIFO"),
        (dir.path().to_path_buf(), "is a directory"),
    ] {
        let shown = path.display().to_string();
        let result = bounded("loading a configuration that is no file", move || {
            coord::config::CoordinationConfig::builder()
                .env([("COORDINATION_CONFIG", path.to_string_lossy().into_owned())])
                .load()
        });
        let err = result.expect_err("not a regular file");
        assert!(
            matches!(err, coord::config::ConfigError::NotAFile { .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&shown) && message.contains(says),
            "{message}"
        );
        assert!(message.contains("COORDINATION_CONFIG"), "{message}");
    }
}
