#[coord::track_performance]
#[coord::handle_errors(max_retries = 1)]
#[coord::track_performance("again")]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = call();
}
