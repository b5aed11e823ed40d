#[coord::handle_errors(severity = "urgent")]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
