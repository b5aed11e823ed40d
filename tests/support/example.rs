//! Runs an example as a user runs it: its binary, built by the same cargo into the same
//! target directory as the test (if `cargo test` did not already, e.g. with `--test`).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// The path of example `name`'s binary, built with `features` first.
pub fn binary(name: &str, features: &[&str]) -> PathBuf {
    // One build at a time: two tests building at once would wait on cargo's lock anyway.
    static BUILDS: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut built = BUILDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !built.iter().any(|done| done == name) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "--example", name]);
        if !features.is_empty() {
            build.args(["--features", &features.join(",")]);
        }
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        let status = build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap_or_else(|err| panic!("run cargo build --example {name}: {err}"));
        assert!(status.success(), "building examples/{name} failed");
        built.push(name.to_owned());
    }
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
