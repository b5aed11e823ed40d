//! One file per macro: each turns checked arguments and a function into the final tokens.

pub mod coordinated;
pub mod handle;
pub mod track;
pub mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::errors::Errors;
use crate::func;

/// The whole pipeline of one attribute: parse its arguments with `parse_args`, read the item as
/// a function and check it with `check`, then `build` the output — or emit every mistake (the
/// arguments' and the item's together) beside the unchanged item.
pub fn attribute<A>(
    attribute: &str,
    args: TokenStream,
    item: TokenStream,
    parse_args: impl FnOnce(TokenStream, &mut Errors) -> A,
    check: impl FnOnce(&A, &ItemFn) -> syn::Result<()>,
    build: impl FnOnce(A, &ItemFn) -> syn::Result<TokenStream>,
) -> TokenStream {
    let mut errors = Errors::default();
    let args = parse_args(args, &mut errors);
    let function = func::parse(item.clone(), attribute).and_then(|function| {
        func::check_wrappable(&function, attribute)?;
        check(&args, &function)?;
        Ok(function)
    });
    let result = match (errors.finish(), function) {
        (Ok(()), Ok(function)) => build(args, &function),
        (Err(mut error), Err(item_error)) => {
            error.combine(item_error);
            Err(error)
        }
        (Err(error), Ok(_)) | (Ok(()), Err(error)) => Err(error),
    };
    result.unwrap_or_else(|error| {
        // Without the other coord attributes: they would expand again and repeat the errors.
        let item = match syn::parse2::<ItemFn>(item.clone()) {
            Ok(function) => {
                let function = coordinated::without_coord_attributes(&function);
                quote!(#function)
            }
            Err(_) => item,
        };
        item_with_errors(item, &error)
    })
}

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
