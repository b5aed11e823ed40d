#[coord::validate_input(rule = "user_profile")]
fn update(name: &str) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update("x");
}
