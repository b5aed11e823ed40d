#[coord::coordinate_operation(retri(max_retries = 3))]
fn call() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = call();
}
