#[coord::coordinate_operation(retry(max_retries = 3), retry(max_retries = 4))]
fn call() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = call();
}
