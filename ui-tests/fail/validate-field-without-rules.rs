#[coord::validate_input(field(text))]
fn call(text: &str) -> Result<usize, coord::Error> {
    Ok(text.len())
}

fn main() {
    let _ = call("x");
}
