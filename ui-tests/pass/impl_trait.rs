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
}
