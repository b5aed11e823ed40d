// `arg = order` without rules validates `order` by its type's own rules: a type without them
// is refused with what to do.
#[derive(serde::Serialize)]
struct Order {
    sku: String,
}

#[coord::validate_input(arg = order)]
fn place(order: &Order) -> Result<(), coord::Error> {
    let _ = order;
    Ok(())
}

fn main() {}
