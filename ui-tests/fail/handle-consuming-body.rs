fn send(message: String) -> Result<(), String> {
    Err(message)
}

#[coord::handle_errors(max_retries = 3)]
fn deliver(message: String) -> Result<(), String> {
    // Each attempt re-runs the body, but the first attempt already gave `message` away.
    send(message)
}

fn main() {
    let _ = deliver("hi".to_owned());
}
