fn is_transient(code: u32) -> bool {
    code > 500
}

#[coord::handle_errors(retry_if = is_transient)]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    call().unwrap();
}
