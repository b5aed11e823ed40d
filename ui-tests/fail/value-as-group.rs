#[coord::track_performance(name("checkout"))]
fn checkout() {}

fn main() {
    checkout();
}
