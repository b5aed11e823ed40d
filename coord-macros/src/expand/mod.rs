//! One file per macro: each turns checked arguments and a function into the final tokens.

pub mod handle;
pub mod track;

use proc_macro2::TokenStream;
use quote::quote;

/// The user's item unchanged, followed by the errors: the function stays defined, so its
/// callers do not get a second, cascading error.
pub fn item_with_errors(item: TokenStream, error: &syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote! { #item #errors }
}

/// `::coord`, or the path given with `crate = "..."`.
pub fn crate_path(custom: Option<syn::Path>) -> syn::Path {
    custom.unwrap_or_else(|| syn::parse_quote!(::coord))
}
