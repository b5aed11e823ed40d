#[coord::validate_input(field(age, type = "integer", mni = 18))]
fn update(age: u32) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update(1);
}
