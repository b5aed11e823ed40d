//! Rule sets registered in code survive reloads of the rule files that race with them. A
//! reload once stored a registry built from a snapshot taken before a concurrent
//! `register_rule_set`, losing that rule set for good (436 of 2 000 in one run); every
//! `#[validate_input]` naming it then failed every call.
//!
//! In a file of its own: the rules registry is process-wide.

mod support;

use coord::validation::{FieldSpec, FieldType, RuleSetSpec};
use support::temp_dir::TempDir;

#[test]
fn registrations_racing_reloads_are_all_kept() {
    let files = TempDir::with_file(
        "racing-rules",
        "files.yaml",
        b"from_file:\n  field_validations:\n    n: {type: integer}\n",
    );
    coord::validation::load_rules(files.path()).expect("load");
    let spec = RuleSetSpec::new().field("n", FieldSpec::of(FieldType::Integer));
    const SETS: usize = 2_000;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for n in 0..SETS {
                coord::validation::register_rule_set(&format!("code.{n}"), &spec)
                    .expect("register");
            }
        });
        scope.spawn(|| {
            for _ in 0..300 {
                coord::validation::reload_rules().expect("reload");
            }
        });
    });
    let loaded = coord::validation::rule_sets();
    let missing: Vec<usize> = (0..SETS)
        .filter(|n| !loaded.contains(&format!("code.{n}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} rule sets lost: {missing:?}",
        missing.len()
    );
    assert!(loaded.contains(&"from_file".to_owned()));
}
