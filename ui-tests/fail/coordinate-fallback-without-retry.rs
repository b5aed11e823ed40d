fn cached(_error: coord::Error) -> Result<u64, coord::Error> {
    Ok(0)
}

#[coord::coordinate_operation(fallback = cached)]
fn price() -> Result<u64, coord::Error> {
    Ok(1)
}

fn main() {
    let _ = price();
}
