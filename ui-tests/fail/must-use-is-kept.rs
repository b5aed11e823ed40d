#![deny(unused_must_use)]

#[coord::track_performance]
#[must_use]
fn total() -> u32 {
    1
}

fn main() {
    total();
}
