//! Generic functions with bounds, where clauses, lifetimes and const generics.

use std::fmt::Display;

#[coord::track_performance]
fn describe<T, U>(value: T, extra: &[U]) -> String
where
    T: Display + Clone,
    U: std::fmt::Debug,
{
    format!("{value} {extra:?}")
}

#[coord::track_performance]
fn first<'a, T: 'a, const N: usize>(items: &'a [T; N]) -> Option<&'a T> {
    items.first()
}

#[coord::track_performance]
fn parse_all<T>(inputs: &[&str]) -> Result<Vec<T>, T::Err>
where
    T: std::str::FromStr,
{
    inputs.iter().map(|input| input.parse()).collect()
}

fn main() {
    assert_eq!(describe(1, &["a"]), "1 [\"a\"]");
    assert_eq!(first(&[1, 2, 3]), Some(&1));
    assert_eq!(parse_all::<u8>(&["1", "2"]).unwrap(), vec![1, 2]);
    assert!(parse_all::<u8>(&["x"]).is_err());
}
