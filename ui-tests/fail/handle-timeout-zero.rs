#[coord::coordinate_operation(retry(timeout = "0s"))]
async fn fetch(url: &str) -> Result<String, coord::Error> {
    Ok(url.to_owned())
}

fn main() {
    let _ = fetch("https://example.com");
}
