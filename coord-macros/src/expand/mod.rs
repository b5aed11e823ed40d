//! The emitters: `coordinated.rs` turns a checked [`Plan`](crate::plan::Plan) into the final
//! tokens, one file per part (`validate`, `track`, `handle`) writes that part's statements, and
//! each single attribute's entry point sits beside its part.

pub(crate) mod coordinated;
pub(crate) mod derive;
pub(crate) mod fallback;
pub(crate) mod handle;
pub(crate) mod lock;
pub(crate) mod saga;
pub(crate) mod step;
pub(crate) mod track;
pub(crate) mod validate;
pub(crate) mod validated;

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::errors::Errors;
use crate::func;

/// The whole pipeline of one attribute: parse its arguments with `parse_args`, read the item as
/// a function and check it with `check`, then `build` the output — or emit every mistake (the
/// arguments' and the item's together) beside the unchanged item.
pub(crate) fn attribute<A>(
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
                let function = crate::plan::without_coord_attributes(&function);
                quote!(#function)
            }
            Err(_) => item,
        };
        item_with_errors(item, &error)
    })
}

/// The user's item unchanged, followed by the errors: the function stays defined, so its
/// callers do not get a second, cascading error.
pub(crate) fn item_with_errors(item: TokenStream, error: &syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote! { #item #errors }
}

/// `::coord`, or the path given with `crate = "..."`.
pub(crate) fn crate_path(custom: Option<syn::Path>) -> syn::Path {
    custom.unwrap_or_else(|| syn::parse_quote!(::coord))
}
