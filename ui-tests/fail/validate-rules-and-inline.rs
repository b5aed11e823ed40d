#[coord::validate_input(rules = "user_profile", required = [name])]
fn update(name: &str) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update("x");
}
