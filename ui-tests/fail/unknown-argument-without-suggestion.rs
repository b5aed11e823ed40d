#[coord::track_performance(timeout = "5s")]
fn checkout() {}

fn main() {
    checkout();
}
