// A timed-out attempt returns `E::from(coord::Error::Timeout { .. })`: `String` has no such `From`.
#[coord::handle_errors(timeout = "500ms")]
async fn fetch(url: &str) -> Result<String, String> {
    Ok(url.to_owned())
}

fn main() {
    let _ = fetch("https://example.com");
}
