#[coord::validate_input(field(zip, pattern = "[0-9]{5"))]
fn update(zip: &str) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update("12345");
}
