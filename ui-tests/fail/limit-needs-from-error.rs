// A refused call returns `E::from(coord::Error::RateLimited { .. })`: `String` has no such `From`.
#[coord::coordinate_operation(rate_limit(per_second = 10))]
fn search(query: &str) -> Result<String, String> {
    Ok(query.to_owned())
}

fn main() {
    let _ = search("rust");
}
