type Count = u32;

#[coord::handle_errors(max_retries = 3)]
fn call() -> Count {
    1
}

fn main() {
    let _ = call();
}
