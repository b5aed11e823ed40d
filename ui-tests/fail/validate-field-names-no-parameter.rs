#[coord::validate_input(required = [user_id], field(agee, type = "integer"))]
fn update(user_id: &str, age: u32) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update("u", 1);
}
