#[coord::handle_errors(max_retries = 3)]
fn call() {}

fn main() {
    call();
}
