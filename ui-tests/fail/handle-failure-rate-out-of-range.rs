#[coord::handle_errors(circuit_breaker(name = "b", failure_rate = 50))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
