#[coord::track_performance("checkout")]
#[coord::handle_errors(name = "pay", max_retries = 1)]
fn call() -> Result<(), String> {
    Ok(())
}

fn main() {
    let _ = call();
}
