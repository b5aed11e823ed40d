#[coord::handle_errors(base_delay = "2s", max_delay = "1s")]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
