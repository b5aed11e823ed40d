// The fallback of `price(sku: &str, quantity: u32) -> Result<u64, String>` takes the same
// arguments by reference and the final error: `fn(&str, &u32, String) -> Result<u64, String>`.
fn cached_price(sku: &str) -> Result<u64, String> {
    Ok(sku.len() as u64)
}

#[coord::handle_errors(max_retries = 1, fallback = cached_price)]
fn price(sku: &str, quantity: u32) -> Result<u64, String> {
    Ok(u64::from(quantity) + sku.len() as u64)
}

fn main() {
    let _ = price("apple", 2);
}
