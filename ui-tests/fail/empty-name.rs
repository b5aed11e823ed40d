#[coord::track_performance("")]
fn checkout() {}

#[coord::track_performance(name = "  ")]
fn pay() {}

fn main() {
    checkout();
    pay();
}
