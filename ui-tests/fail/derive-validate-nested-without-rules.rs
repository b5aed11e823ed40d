// `#[rule(nested)]` asks the field's type for its own rules: a type without
// `#[derive(coord::Validate)]` has none.
#[derive(serde::Serialize)]
struct Address {
    zip: String,
}

#[derive(serde::Serialize, coord::Validate)]
struct Order {
    #[rule(nested)]
    address: Option<Address>,
}

fn main() {}
