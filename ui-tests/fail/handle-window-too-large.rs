// A breaker keeps `window` outcomes in memory: 4294967295 would allocate 17 GB.
#[coord::handle_errors(circuit_breaker(name = "b", window = 4294967295))]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
