#[coord::handle_errors(max_retries = 3, max_retries = 4)]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
