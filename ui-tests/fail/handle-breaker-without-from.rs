#[derive(Debug)]
struct PayError;

#[coord::handle_errors(circuit_breaker = "payments")]
fn pay() -> Result<(), PayError> {
    Ok(())
}

fn main() {
    pay().unwrap();
}
