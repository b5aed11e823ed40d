//! Generated code must not trip the user's lints: this file denies warnings and clippy's
//! pedantic group (checked by `cargo clippy --all-targets`) over every shape the macro expands.
#![deny(warnings, clippy::pedantic)]

use std::io;

#[coord::track_performance]
fn returns_unit() {}

/// # Errors
/// When `fail` is set.
#[coord::track_performance]
fn returns_result(fail: bool) -> io::Result<u32> {
    if fail {
        return Err(io::Error::other("failed"));
    }
    Ok(1)
}

#[coord::track_performance(name = "lints.option", in_flight = false)]
fn returns_option(input: &str) -> Option<char> {
    let first = input.chars().next()?;
    Some(first)
}

#[coord::track_performance]
async fn returns_async(value: &str) -> &str {
    value
}

#[coord::track_performance]
fn returns_impl(limit: u32) -> impl Iterator<Item = u32> {
    0..limit
}

struct Holder(Vec<u8>);

impl Holder {
    #[coord::track_performance]
    fn bytes_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

#[test]
fn expansions_are_lint_clean() {
    returns_unit();
    assert_eq!(returns_result(false).ok(), Some(1));
    assert!(returns_result(true).is_err());
    assert_eq!(returns_option("x"), Some('x'));
    drop(returns_async("y"));
    assert_eq!(returns_impl(3).count(), 3);
    let mut holder = Holder(vec![]);
    holder.bytes_mut().push(1);
    assert_eq!(holder.0, vec![1]);
}
