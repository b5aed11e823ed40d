#[coord::validate_input(field(age, type = "integer", min = 120, max = 18))]
fn update(age: u32) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update(1);
}
