#[coord::handle_errors(circuit_breaker(name = "b", consecutive_failures = 0))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
