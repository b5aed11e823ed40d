#[coord::track_performance(checkout)]
fn checkout() {}

#[coord::track_performance(7)]
fn pay() {}

fn main() {
    checkout();
    pay();
}
