struct Order {
    id: u32,
}

fn cached(_order: &Order, _error: coord::Error) -> Result<u32, coord::Error> {
    Ok(0)
}

#[coord::handle_errors(fallback = cached)]
fn place(Order { id }: Order) -> Result<u32, coord::Error> {
    Ok(id)
}

fn main() {
    let _ = place(Order { id: 1 });
}
