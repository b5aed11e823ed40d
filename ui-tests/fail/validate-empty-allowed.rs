#[coord::validate_input(field(priority, allowed = []))]
fn call(priority: &str) -> Result<usize, coord::Error> {
    Ok(priority.len())
}

fn main() {
    let _ = call("low");
}
