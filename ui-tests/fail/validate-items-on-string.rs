#[coord::validate_input(field(tags, type = "string", items(type = "string")))]
fn call(tags: &str) -> Result<usize, coord::Error> {
    Ok(tags.len())
}

fn main() {
    let _ = call("x");
}
