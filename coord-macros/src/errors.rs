//! Collects every mistake in an attribute so the user sees them all at once, not one per build.

/// Spanned errors found so far.
#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    /// Records one mistake.
    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// Records `span`'s mistake described by `message`.
    pub fn at(&mut self, span: proc_macro2::Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Keeps the value of `result`, recording its error instead.
    pub fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    /// `Ok` when nothing was recorded, otherwise every error combined.
    pub fn finish(self) -> syn::Result<()> {
        let mut errors = self.errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                for error in errors {
                    first.combine(error);
                }
                Err(first)
            }
        }
    }
}
