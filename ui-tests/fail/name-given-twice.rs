#[coord::track_performance("checkout", name = "pay")]
fn checkout() {}

fn main() {
    checkout();
}
