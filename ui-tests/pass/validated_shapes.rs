// `#[coord::validated]` on the struct shapes users write: generic (the impl asks for the same
// `Serialize` the derive gives), with serde renames, with lifetimes, and a named rule set.
#![deny(warnings)]

use coord::validation::Validated as _;

#[coord::validated(field(items, type = "array", max_length = 3))]
#[derive(serde::Serialize)]
struct Page<T> {
    items: Vec<T>,
}

#[coord::validated(required = [unit_price], field(unit_price, type = "number", min = 0))]
#[derive(serde::Serialize)]
struct Priced {
    #[serde(rename = "unit_price")]
    price: f64,
}

#[coord::validated(field(name, type = "string", min_length = 1))]
#[derive(serde::Serialize)]
struct Borrowed<'a> {
    name: &'a str,
}

#[coord::validated(rules = "shapes.named")]
#[derive(serde::Serialize)]
struct Named {
    id: u32,
}

fn main() {
    assert!(Page { items: vec![1, 2] }.ensure_valid().is_ok());
    assert!(Page { items: vec!["a"; 4] }.ensure_valid().is_err());
    assert!(Priced { price: 2.5 }.ensure_valid().is_ok());
    assert!(Priced { price: -1.0 }.ensure_valid().is_err());
    assert!(Borrowed { name: "x" }.ensure_valid().is_ok());
    assert!(matches!(
        Named { id: 1 }.validation(),
        Err(coord::Error::UnknownRuleSet { .. })
    ));
}
