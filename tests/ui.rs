//! Compile-time behaviour, driven by trybuild: `ui-tests/pass` must compile and run,
//! `ui-tests/fail` must fail with exactly the committed `.stderr`.
//! Regenerate with `TRYBUILD=overwrite cargo test --test ui` and read the diff.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui-tests/pass/*.rs");
    cases.compile_fail("ui-tests/fail/*.rs");
}
