// A `{name}` in the key that is not a parameter.
#[coord::distributed_lock(key = "inventory:{skus}")]
async fn misspelt(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

// No key at all.
#[coord::distributed_lock(ttl = "10s")]
async fn keyless(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

// A key template that does not close, and a TTL of zero.
#[coord::distributed_lock(key = "inventory:{sku", ttl = "0s")]
async fn unclosed(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

// A sync function: the lock could not stop it when lost.
#[coord::distributed_lock(key = "inventory:{sku}")]
fn blocking(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

// The same mistakes are caught in `#[coordinate_operation]`'s `lock(...)` group.
#[coord::coordinate_operation(lock(key = "orders:{order}", wait = "2h"))]
async fn grouped(id: u64) -> Result<(), coord::Error> {
    let _ = id;
    Ok(())
}

fn main() {}
