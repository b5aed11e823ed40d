#[coord::handle_errors(base_delay = "10 parsecs")]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
