// A sync function cannot be cancelled mid-call, so a per-attempt timeout cannot bound it.
#[coord::handle_errors(timeout = "500ms", max_retries = 2)]
fn read_config(path: &str) -> Result<String, coord::Error> {
    Ok(path.to_owned())
}

fn main() {
    let _ = read_config("app.yaml");
}
