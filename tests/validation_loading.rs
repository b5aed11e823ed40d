//! Loading rule files: every load error names its file, line and column; a reload swaps all
//! rule sets at once, readers never see half a load, and a failed reload keeps the last good
//! rules.

mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::json;
use support::temp_dir::TempDir;

/// The registry is process-wide: tests that load files take turns.
static LOADING: Mutex<()> = Mutex::new(());

/// Loads one file and returns the single problem it reports.
fn problem(text: &str) -> coord::validation::RuleProblem {
    let dir = TempDir::with_files("problem", &[("rules.yaml", text)]);
    let err =
        coord::validation::load_rules(dir.path()).expect_err(&format!("the file is wrong: {text}"));
    assert_eq!(err.problems.len(), 1, "{err}");
    let problem = err.problems[0].clone();
    assert!(problem.file.ends_with("rules.yaml"), "{problem}");
    problem
}

fn at(problem: &coord::validation::RuleProblem) -> (Option<usize>, Option<usize>) {
    (problem.line, problem.column)
}

#[test]
fn every_load_error_names_file_line_and_column() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    let malformed = problem("order:\n  field_validations: [unclosed\n");
    assert!(malformed.line.is_some(), "{malformed}");

    let unknown_key = problem("order:\n  field_validations:\n    qty: {type: integer, mni: 1}\n");
    assert_eq!(unknown_key.line, Some(3), "{unknown_key}");
    assert!(
        unknown_key.message.contains("unknown field `mni`")
            && unknown_key.message.contains("did you mean `min`?"),
        "{unknown_key}"
    );

    let unknown_type = problem("order:\n  field_validations:\n    qty: {type: integr}\n");
    assert_eq!(unknown_type.line, Some(3), "{unknown_type}");
    assert!(
        unknown_type.message.contains("did you mean `integer`?"),
        "{unknown_type}"
    );

    let min_max = problem(
        "order:\n  field_validations:\n    qty:\n      type: integer\n      min: 10\n      max: 1\n",
    );
    assert_eq!(at(&min_max), (Some(5), Some(7)), "{min_max}");
    assert!(
        min_max
            .message
            .contains("`min` (10) is greater than `max` (1)"),
        "{min_max}"
    );

    let bad_regex = problem("order:\n  field_validations:\n    code: {pattern: \"[a-\"}\n");
    assert_eq!(bad_regex.line, Some(3), "{bad_regex}");
    assert!(bad_regex.message.contains("invalid regex"), "{bad_regex}");

    let huge_regex =
        problem("order:\n  field_validations:\n    code: {pattern: \"(?:\\\\w{500}){20}\"}\n");
    assert!(huge_regex.message.contains("too large"), "{huge_regex}");

    let misplaced = problem("order:\n  field_validations:\n    name: {type: string, min: 3}\n");
    assert!(
        misplaced.message.contains("`min` applies to numbers"),
        "{misplaced}"
    );

    let duplicate_key = problem("order: {}\norder: {}\n");
    assert_eq!(at(&duplicate_key), (Some(2), Some(1)), "{duplicate_key}");
    assert!(
        duplicate_key.message.contains("`order` is given twice"),
        "{duplicate_key}"
    );

    let duplicate_field = problem(
        "order:\n  field_validations:\n    qty: {type: integer}\n    qty: {type: string}\n",
    );
    assert_eq!(duplicate_field.line, Some(4), "{duplicate_field}");

    let dir = TempDir::with_files(
        "dup",
        &[("a.yaml", "order: {}\n"), ("b.yaml", "\n\norder: {}\n")],
    );
    let err = coord::validation::load_rules(dir.path()).unwrap_err();
    let duplicate = &err.problems[0];
    assert!(
        duplicate.file.ends_with("b.yaml") && duplicate.line == Some(3),
        "{duplicate}"
    );
    assert!(
        duplicate.message.contains("already defined in") && duplicate.message.contains("a.yaml"),
        "{duplicate}"
    );

    let dir = TempDir::with_files("utf8", &[("bad.yaml", "order: {}\n")]);
    std::fs::write(
        dir.path().join("bad.yaml"),
        b"order:\n  description: \xff\n",
    )
    .unwrap();
    let err = coord::validation::load_rules(dir.path()).unwrap_err();
    assert_eq!(
        (err.problems[0].line, err.problems[0].message.as_str()),
        (Some(2), "file is not valid UTF-8")
    );
}

#[test]
fn a_failed_reload_keeps_the_last_good_rules() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::with_files(
        "reload",
        &[(
            "a.yaml",
            "ticket:\n  field_validations:\n    n: {type: integer, max: 10}\n",
        )],
    );
    coord::validation::load_rules(dir.path()).unwrap();
    assert!(
        !coord::validate("ticket", &json!({"n": 11}))
            .unwrap()
            .is_valid
    );

    std::fs::write(
        dir.path().join("a.yaml"),
        "ticket:\n  field_validations:\n    n: {type: integr}\n",
    )
    .unwrap();
    let err = coord::validation::reload_rules().unwrap_err();
    assert!(err.to_string().contains("a.yaml:3:"), "{err}");
    assert!(
        !coord::validate("ticket", &json!({"n": 11}))
            .unwrap()
            .is_valid,
        "still the last good rules"
    );

    std::fs::write(
        dir.path().join("a.yaml"),
        "ticket:\n  field_validations:\n    n: {type: integer, max: 20}\n",
    )
    .unwrap();
    coord::validation::reload_rules().unwrap();
    assert!(
        coord::validate("ticket", &json!({"n": 11}))
            .unwrap()
            .is_valid,
        "the new rules"
    );
}

#[test]
fn readers_never_see_a_half_loaded_registry() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    // Two versions of two rule sets; a reader must always see both from the same version.
    let version = |max: u32| {
        format!(
            "left:\n  field_validations:\n    n: {{type: integer, max: {max}}}\nright:\n  field_validations:\n    n: {{type: integer, max: {max}}}\n"
        )
    };
    let dir = TempDir::with_files("concurrent", &[("rules.yaml", &version(1))]);
    coord::validation::load_rules(dir.path()).unwrap();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut checked = 0u32;
                    while !stop.load(Ordering::Relaxed) {
                        let value = json!({"n": 2});
                        // Never a rule set missing mid-reload, never a registry with only one.
                        coord::validate("left", &value).expect("always loaded");
                        coord::validate("right", &value).expect("always loaded");
                        let names = coord::validation::rule_sets();
                        assert!(
                            names.contains(&"left".to_owned())
                                && names.contains(&"right".to_owned()),
                            "{names:?}"
                        );
                        checked += 1;
                    }
                    checked
                })
            })
            .collect();
        for round in 0..200u32 {
            std::fs::write(dir.path().join("rules.yaml"), version(1 + round % 2)).unwrap();
            coord::validation::reload_rules().expect("valid rules");
            if round % 50 == 0 {
                // A broken file in between: the readers keep the last good rules.
                std::fs::write(
                    dir.path().join("rules.yaml"),
                    "left: {field_validations: {n: {min: 5, max: 1}}}\n",
                )
                .unwrap();
                assert!(coord::validation::reload_rules().is_err());
            }
        }
        stop.store(true, Ordering::Relaxed);
        for reader in readers {
            assert!(reader.join().expect("no reader panicked") > 0);
        }
    });
}

#[test]
fn performance_thresholds_come_from_the_rule_files_and_are_checked() {
    let _turn = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    let set = "performance_thresholds:\n  p95_ms: {excellent: 1, good: 2, fair: 3}\n  error_rate: {excellent: 0, good: 0.5, fair: 1}\nping: {}\n";
    let dir = TempDir::with_files("thresholds", &[("quality.yaml", set)]);
    let summary = coord::validation::load_rules(dir.path()).unwrap();
    assert_eq!(
        summary.rule_sets,
        ["ping"],
        "the thresholds are not a rule set"
    );
    let thresholds = coord::report::performance_thresholds();
    assert_eq!(
        (thresholds.p95_ms.fair, thresholds.error_rate.good),
        (3.0, 0.5)
    );

    let unordered = "\n\nperformance_thresholds:\n  p95_ms: {excellent: 5, good: 2, fair: 3}\n  error_rate: {excellent: 0, good: 0.5, fair: 1}\n";
    let bad = problem(unordered);
    assert_eq!(bad.line, Some(3), "{bad}");
    assert!(bad.message.contains("excellent <= good <= fair"), "{bad}");

    let typo = problem(
        "performance_thresholds:\n  p95_ms: {excellent: 1, good: 2, fiar: 3}\n  error_rate: {excellent: 0, good: 0.5, fair: 1}\n",
    );
    assert_eq!(typo.line, Some(2), "{typo}");
}
