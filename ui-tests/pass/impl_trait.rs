//! `impl Trait` in argument and return position.

#[coord::track_performance]
fn total(values: impl IntoIterator<Item = u32>) -> u32 {
    values.into_iter().sum()
}

#[coord::track_performance]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[coord::track_performance]
fn boxed_display(value: impl std::fmt::Display + 'static) -> Box<dyn std::fmt::Display> {
    Box::new(value)
}

#[coord::track_performance]
async fn later(value: impl Into<String>) -> impl std::fmt::Debug {
    value.into()
}

fn main() {
    assert_eq!(total([1, 2, 3]), 6);
    assert_eq!(evens(5).collect::<Vec<_>>(), vec![0, 2, 4]);
    assert_eq!(boxed_display(3).to_string(), "3");
    drop(later("x"));
    assert_eq!(load("3").unwrap().count(), 3);
    assert!(load("x").is_err());
    drop(load_async("1"));
}

#[derive(Debug)]
struct LoadError;

impl From<std::num::ParseIntError> for LoadError {
    fn from(_: std::num::ParseIntError) -> Self {
        LoadError
    }
}

/// `impl Trait` nested in a `Result`: `?` must still convert into `LoadError`.
#[coord::track_performance]
fn load(input: &str) -> Result<impl Iterator<Item = u32>, LoadError> {
    let limit: u32 = input.parse()?;
    Ok(0..limit)
}

#[coord::track_performance]
async fn load_async(input: &str) -> Result<impl std::fmt::Debug, LoadError> {
    let limit: u32 = input.parse()?;
    Ok(limit)
}
