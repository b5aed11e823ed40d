#[coord::validate_input(required = [text], forbidden_patterns = ["(unclosed"])]
fn call(text: &str) -> Result<usize, coord::Error> {
    Ok(text.len())
}

fn main() {
    let _ = call("x");
}
