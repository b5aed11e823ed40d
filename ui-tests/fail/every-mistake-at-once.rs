#[coord::track_performance(name = 1, in_flight = "x", nmae = "y")]
const fn checkout() {}

fn main() {
    checkout();
}
