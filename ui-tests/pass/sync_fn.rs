//! Plain sync functions, with every naming form and a raw identifier.

#[coord::track_performance]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[coord::track_performance("named.positionally")]
fn positional() {}

#[coord::track_performance(name = "named.by_key", in_flight = false)]
fn by_key() -> Result<(), String> {
    Ok(())
}

#[coord::track_performance(in_flight)]
fn bare_flag() {}

#[coord::track_performance]
fn r#type() -> &'static str {
    "raw identifiers are tracked under their unraw name"
}

#[coord::track_performance]
unsafe fn unsafe_fn(p: *const u8) -> u8 {
    unsafe { *p }
}

fn main() {
    assert_eq!(add(1, 2), 3);
    positional();
    by_key().unwrap();
    bare_flag();
    assert!(r#type().starts_with("raw"));
    assert_eq!(unsafe { unsafe_fn(&7) }, 7);
    let names: Vec<String> = coord::tracking::operation_stats().into_iter().map(|s| s.operation).collect();
    for expected in ["add", "named.positionally", "named.by_key", "bare_flag", "type", "unsafe_fn"] {
        assert!(names.iter().any(|name| name == expected), "{expected} in {names:?}");
    }
}
