// Once accepted here and then refused by the runtime on every call (`InvalidRules`).
#[coord::validate_input(field(age, type = "integer", allowed = ["old", "young"]))]
fn update(age: u32) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update(1);
}
