// `#[coord::validated]` checks its paths against the struct's fields (serde's `rename` and
// `rename_all` included), refuses `arg`, and goes on structs only.
#[coord::validated(required = [sku], field(quantiy, type = "integer", min = 1))]
#[derive(serde::Serialize)]
struct Line {
    sku: String,
    quantity: u32,
}

#[coord::validated(field(unitPrice, type = "number", min = 0))]
#[derive(serde::Serialize)]
struct Priced {
    #[serde(rename = "unit_price")]
    price: f64,
}

// `rename_all` is followed too: the wire name is `unitPrice`.
#[coord::validated(field(unit_price, type = "number", min = 0))]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct CamelPriced {
    unit_price: f64,
}

#[coord::validated(arg = line, required = [sku])]
#[derive(serde::Serialize)]
struct WithArg {
    sku: String,
}

#[coord::validated(required = [sku])]
fn not_a_struct() {}

fn main() {}
