// `record_if` takes the error by reference and answers whether it counts against the breaker.
fn counts(status: u16) -> bool {
    status >= 500
}

#[coord::handle_errors(record_if = counts, circuit_breaker = "ui.record_if")]
fn call() -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    call().unwrap();
}
