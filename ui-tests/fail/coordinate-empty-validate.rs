#[coord::coordinate_operation(validate())]
fn call(id: u32) -> Result<u32, coord::Error> {
    Ok(id)
}

fn main() {
    let _ = call(1);
}
