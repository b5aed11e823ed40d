#[coord::track_performance(in_flight = "no")]
fn checkout() {}

fn main() {
    checkout();
}
