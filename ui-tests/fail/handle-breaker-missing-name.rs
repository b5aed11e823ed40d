#[coord::handle_errors(circuit_breaker(consecutive_failures = 3))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
