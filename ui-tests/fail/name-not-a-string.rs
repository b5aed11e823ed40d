#[coord::track_performance(name = 42)]
fn checkout() {}

fn main() {
    checkout();
}
