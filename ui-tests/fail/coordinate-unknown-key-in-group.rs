#[coord::coordinate_operation(validate(required = [id], feild(id, type = "integer")))]
fn call(id: u32) -> Result<(), coord::Error> {
    Ok(())
}

fn main() {
    let _ = call(1);
}
