#[derive(Debug)]
struct PayError;

#[coord::handle_errors(circuit_breaker = "payments")]
fn pay() -> Result<(), PayError> {
    Ok(())
}

#[coord::handle_errors(circuit_breaker = "payments")]
async fn pay_later() -> Result<(), PayError> {
    Ok(())
}

fn main() {
    pay().unwrap();
    drop(pay_later());
}
