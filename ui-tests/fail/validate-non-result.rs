#[coord::validate_input(required = [name])]
fn update(name: &str) -> bool {
    true
}

fn main() {
    let _ = update("u");
}
