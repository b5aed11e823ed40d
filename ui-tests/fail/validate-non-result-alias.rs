// An alias of something that is not a `Result`: one clear error (the macro cannot see through
// the alias), and no mismatched types after it.
type Accepted = bool;

#[coord::validate_input(required = [name])]
fn update(name: &str) -> Accepted {
    !name.is_empty()
}

fn main() {
    let _ = update("u");
}
