#[coord::track_performance]
const fn limit() -> u32 {
    10
}

const LIMIT: u32 = limit();

fn main() {
    assert_eq!(LIMIT, 10);
}
