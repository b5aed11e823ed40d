// `#[derive(coord::Validate)]` checks field rules as inline rules are checked, plus whether
// the field's type can hold what the rule asks, and where serde puts (or skips) the field.
#[derive(serde::Serialize, coord::Validate)]
#[rule(compare = ["ends > starts"], one_of_required = [email])]
struct Booking {
    #[rule(type = "integer", minn = 1)]
    guests: u32,
    #[rule(min = 10, max = 1)]
    nights: u32,
    #[rule(pattern = "^[0-9+$")]
    code: String,
    #[rule(pattern = "^[0-9]+$")]
    room: u32,
    #[rule(type = "email")]
    confirmed: bool,
    #[rule(items(type = "integer"))]
    names: Vec<String>,
    #[serde(skip)]
    #[rule(required)]
    cache: Option<String>,
    #[rule(required)]
    #[rule(min_length = 2)]
    email: String,
    start: String,
}

#[derive(serde::Serialize, coord::Validate)]
enum NotAStruct {
    A,
}

fn main() {}
