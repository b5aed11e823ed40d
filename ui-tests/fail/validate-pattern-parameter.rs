// A pattern parameter has no name an attribute can refer to: the error says so and shows the
// rewrite, for validation rules and lock keys alike.
#[derive(serde::Serialize)]
struct Order {
    sku: String,
}

struct Json<T>(T);

#[coord::validate_input(field(order.sku, type = "string", min_length = 1))]
fn place(Json(order): Json<Order>) -> Result<(), coord::Error> {
    let _ = order;
    Ok(())
}

#[coord::coordinate_operation(lock(key = "order:{order}", ttl = "10s"))]
async fn reserve(Json(order): Json<String>) -> Result<(), coord::Error> {
    let _ = order;
    Ok(())
}

fn main() {}
