// Once accepted here while a configuration file refused the same value.
#[coord::handle_errors(circuit_breaker(name = "b", open_for = "0s"))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
