struct Connection;

#[coord::validate_input(required = [name])]
fn update(db: &Connection, name: &str) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = update(&Connection, "u");
}
