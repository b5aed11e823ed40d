#[coord::handle_errors(circuit_breaker("payments", consecutive_failures = 3))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = call();
}
