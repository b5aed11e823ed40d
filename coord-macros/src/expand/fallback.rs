//! `fallback = path`: a call that failed for a dependency's sake — retries exhausted, the
//! breaker refusing, a timeout — is answered by the user's function, called with the same
//! arguments (each by reference) and the final error.
//!
//! The fallback of a sync function is first bound to a fn pointer of the exact expected type,
//! so a wrong signature is one error at the path whose note prints the expected signature
//! beside the one written. An async function's fallback is an async function too, awaited.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use crate::body;

/// Refuses a fallback for a function with a pattern parameter, which has no name to pass on.
pub(crate) fn check(function: &ItemFn, fallback: &syn::Path) -> syn::Result<()> {
    for input in &function.sig.inputs {
        if let FnArg::Typed(typed) = input
            && !matches!(&*typed.pat, Pat::Ident(_))
        {
            return Err(syn::Error::new(
                typed.pat.span(),
                format!(
                    "`fallback = {}` passes this function's arguments on, so each needs a name: write e.g. `order: Json<Order>` and destructure it in the body",
                    quote!(#fallback).to_string().replace(' ', "")
                ),
            ));
        }
    }
    Ok(())
}

/// `inner` (the limits and the retry loop, an expression of the function's `Result` type) as
/// it is, or the fallback's answer when it ends in an error that is not permanent; counted
/// under `operation`.
pub(crate) fn answer(
    inner: &TokenStream,
    fallback: &syn::Path,
    function: &ItemFn,
    krate: &syn::Path,
    operation: &syn::LitStr,
    bridge: &crate::body::ResultBridge,
) -> TokenStream {
    let private = quote!(#krate::__private);
    let result = Ident::new("__coord_result", Span::mixed_site());
    let sig = &function.sig;
    let error = Ident::new("__coord_final_error", Span::mixed_site());
    let mut arguments = Vec::new();
    let mut types = Vec::new();
    let mut nameable = true;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) if receiver.reference.is_some() => {
                arguments.push(quote!(self));
                let ty = &receiver.ty;
                types.push(quote!(#ty));
            }
            FnArg::Receiver(_) => {
                arguments.push(quote!(&self));
                types.push(quote!(&Self));
            }
            FnArg::Typed(typed) => {
                let Pat::Ident(pat) = &*typed.pat else {
                    continue; // refused by `check`
                };
                let ident = &pat.ident;
                let ty = &typed.ty;
                nameable &= !body::mentions_impl_trait(ty);
                if matches!(**ty, Type::Reference(_)) {
                    arguments.push(quote!(#ident));
                    types.push(quote!(#ty));
                } else {
                    arguments.push(quote!(&#ident));
                    types.push(quote!(&#ty));
                }
            }
        }
    }
    let output = match &sig.output {
        ReturnType::Type(_, ty) => {
            nameable &= !body::mentions_impl_trait(ty);
            quote!(#ty)
        }
        ReturnType::Default => quote!(()),
    };
    let span = fallback.span();
    let call = if sig.asyncness.is_some() {
        let awaited = Ident::new("__coord_fallen_back", Span::mixed_site());
        if nameable {
            quote_spanned! {span=>
                let #awaited: #output = (#fallback)(#(#arguments,)* #error).await;
                #awaited
            }
        } else {
            quote_spanned!(span=> (#fallback)(#(#arguments,)* #error).await)
        }
    } else if nameable {
        let pointer = Ident::new("__coord_fallback", Span::mixed_site());
        quote_spanned! {span=>
            let #pointer: fn(#(#types,)* _) -> #output = #fallback;
            #pointer(#(#arguments,)* #error)
        }
    } else {
        quote_spanned!(span=> (#fallback)(#(#arguments,)* #error))
    };
    // The fallback answers in the declared type; the match works on the `Result`.
    let call = bridge.to_result(&quote!({ #call }));
    quote! {{
        #[allow(unused_imports)]
        use #private::{ClassifiedError as _, UnclassifiedError as _};
        match #inner {
            ::core::result::Result::Err(#error)
                if (&#private::ErrorProbe(&#error)).coord_class().is_dependency_failure() =>
            {
                #private::count_fallback(#operation);
                #call
            }
            #result => #result,
        }
    }}
}
