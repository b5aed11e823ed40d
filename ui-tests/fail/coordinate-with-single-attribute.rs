#[coord::coordinate_operation(name = "call")]
#[coord::track_performance]
fn call() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = call();
}
