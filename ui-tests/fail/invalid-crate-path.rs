#[coord::track_performance(crate = "not a path")]
fn checkout() {}

fn main() {
    checkout();
}
