#[coord::track_performance(in_flight = true, in_flight = false)]
fn checkout() {}

fn main() {
    checkout();
}
