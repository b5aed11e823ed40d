#[coord::handle_errors(max_retry = 3)]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
