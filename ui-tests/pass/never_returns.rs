//! A function that never returns (`-> !`) can only end by panicking, which is recorded.

#[coord::track_performance]
fn fail_forever(reason: &str) -> ! {
    panic!("{reason}")
}

fn main() {
    let result = std::panic::catch_unwind(|| fail_forever("stop"));
    assert!(result.is_err());
    let stats = coord::tracking::operation_stats();
    let fail = stats.iter().find(|s| s.operation == "fail_forever").unwrap();
    assert_eq!(fail.calls.panic, 1);
}
