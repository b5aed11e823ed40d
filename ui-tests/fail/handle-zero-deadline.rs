#[coord::handle_errors(deadline = "0s")]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
