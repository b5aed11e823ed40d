// A `compare` written in an attribute is parsed by the same parser as a rule file's: one
// without an operator, and one with a side that is not a field path, are errors at the string.
#[coord::validate_input(arg = booking, compare = ["check_out check_in"])]
fn no_operator(booking: &serde_json::Value) -> Result<(), coord::Error> {
    let _ = booking;
    Ok(())
}

#[coord::validate_input(arg = booking, compare = ["check_out >= "])]
fn missing_side(booking: &serde_json::Value) -> Result<(), coord::Error> {
    let _ = booking;
    Ok(())
}

fn main() {}
