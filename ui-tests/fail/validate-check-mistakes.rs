// A check in an attribute is a function path, compiled: one of the wrong shape, a registered
// name written where a path belongs, and a check on an array are errors at the check.
fn takes_a_string(value: &String) -> bool {
    !value.is_empty()
}

fn answers_nothing(_value: &str) {}

#[coord::validate_input(field(sku, check = takes_a_string))]
fn wrong_argument(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

#[coord::validate_input(field(sku, check = answers_nothing))]
fn wrong_return(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

#[coord::validate_input(field(sku, check = "sku"))]
fn registered_name(sku: &str) -> Result<(), coord::Error> {
    let _ = sku;
    Ok(())
}

#[coord::validate_input(field(tags, type = "array", check = answers_nothing))]
fn check_on_array(tags: &[&str]) -> Result<(), coord::Error> {
    let _ = tags;
    Ok(())
}

fn main() {}
