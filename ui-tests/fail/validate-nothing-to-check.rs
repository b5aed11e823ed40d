#[coord::validate_input]
fn update(name: &str) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update("x");
}
