#[coord::handle_errors(circuit_breaker(name = "b", window = 10, min_calls = 20))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
