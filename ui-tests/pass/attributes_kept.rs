//! Visibility, doc comments and other attributes stay on the function.

mod inner {
    /// Documented, inlined, and visible to the parent module only.
    #[coord::track_performance]
    #[inline]
    #[allow(clippy::needless_pass_by_value)]
    pub(crate) fn visible(value: String) -> usize {
        value.len()
    }

    #[coord::track_performance]
    #[deprecated(note = "kept")]
    pub fn old() {}
}

#[coord::track_performance]
#[cfg(any())]
fn compiled_out() -> u32 {
    compile_error!("a cfg'd-out function must stay out")
}

fn main() {
    assert_eq!(inner::visible("abc".into()), 3);
    #[allow(deprecated)]
    inner::old();
}
