#[coord::validate_input(field(age, type = "integr"))]
fn update(age: u32) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update(1);
}
