#[coord::handle_errors(jitter = "ful")]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
