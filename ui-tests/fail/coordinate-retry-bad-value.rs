#[coord::coordinate_operation(retry(max_retries = "x"))]
fn call() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = call();
}
