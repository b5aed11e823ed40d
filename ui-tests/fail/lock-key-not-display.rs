struct Sku(u32);

// A key built from a parameter that cannot be displayed.
#[coord::distributed_lock(key = "inventory:{sku}")]
async fn reserve(sku: Sku) -> Result<(), coord::Error> {
    let _ = sku.0;
    Ok(())
}

fn main() {}
