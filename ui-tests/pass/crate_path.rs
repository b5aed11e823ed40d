//! `crate = "..."` for crates that re-export coord, and hygiene: a local item named `coord`
//! does not capture the generated paths.

mod facade {
    pub use ::coord as instrumentation;
}

#[allow(dead_code)]
mod coord {}

#[::coord::track_performance(crate = "facade::instrumentation")]
fn through_facade() -> u8 {
    1
}

#[::coord::track_performance]
fn beside_a_module_named_coord() -> u8 {
    let __coord_call = 2;
    let __coord_return = 3;
    __coord_call + __coord_return
}

fn main() {
    assert_eq!(through_facade(), 1);
    assert_eq!(beside_a_module_named_coord(), 5);
    assert_eq!(locals_named_like_generated_ones(), 2);
}

/// A body that names its locals like the generated ones, and captures one into a closure.
#[::coord::track_performance]
fn locals_named_like_generated_ones() -> u32 {
    let __coord_call = 1_u32;
    let add = move |x: u32| x + __coord_call;
    add(1)
}
