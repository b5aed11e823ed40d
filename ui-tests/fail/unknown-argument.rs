#[coord::track_performance(nmae = "checkout")]
fn checkout() {}

fn main() {
    // The function is still emitted: no second error here.
    checkout();
}
