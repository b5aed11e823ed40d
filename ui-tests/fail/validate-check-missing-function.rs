// A check in an attribute is a path the compiler resolves: a misspelt function is an error
// at the path.
mod checks {
    pub fn sku(value: &str) -> bool {
        !value.is_empty()
    }
}

#[coord::validate_input(field(sku, check = checks::skuu))]
fn place(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

fn main() {}
