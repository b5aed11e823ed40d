#[coord::handle_errors(max_retries = -1)]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
