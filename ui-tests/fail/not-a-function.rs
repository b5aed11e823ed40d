#[coord::track_performance]
struct Checkout;

#[coord::track_performance]
impl Checkout {}

fn main() {
    let _ = Checkout;
}
