#[coord::handle_errors(multiplier = 0.5)]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
