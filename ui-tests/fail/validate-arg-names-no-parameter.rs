#[coord::validate_input(rules = "user_profile", arg = usr)]
fn update(user: &str) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update("u");
}
