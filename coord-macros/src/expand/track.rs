//! `#[track_performance]`: a call-site `static`, a guard around one evaluation of the body, and
//! the outcome read from the returned value.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ItemFn, LitStr};

use crate::body;
use crate::errors::Errors;
use crate::func;
use crate::track_args::TrackArgs;

const ATTRIBUTE: &str = "#[track_performance]";

/// Parses, checks and expands `#[track_performance(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(args, item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => super::item_with_errors(item, &error),
    }
}

fn try_expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let args = TrackArgs::parse(args, &mut errors);
    let function = errors.ok(func::parse(item, ATTRIBUTE));
    if let Some(function) = &function {
        errors.ok(func::check_wrappable(function, ATTRIBUTE));
    }
    errors.finish()?;
    let Some(function) = function else {
        unreachable!("a parse failure was recorded in `errors`")
    };
    Ok(tracked(args, &function))
}

fn tracked(args: TrackArgs, function: &ItemFn) -> TokenStream {
    let ItemFn {
        attrs, vis, sig, ..
    } = function;
    let name = args
        .name
        .unwrap_or_else(|| LitStr::new(&sig.ident.unraw_string(), sig.ident.span()));
    let in_flight = args.in_flight.unwrap_or(true);
    let krate = super::crate_path(args.krate);
    let evaluate = body::evaluate_once(function, &krate);
    quote! {
        #(#attrs)*
        #vis #sig {
            static __COORD_CALL_SITE: #krate::__private::CallSite =
                #krate::__private::CallSite::new(#name, #in_flight);
            let __coord_call = __COORD_CALL_SITE.enter();
            let __coord_return = #evaluate;
            {
                #[allow(unused_imports)]
                use #krate::__private::{PlainOutcome as _, ResultOutcome as _};
                __coord_call.finish(
                    (&#krate::__private::OutcomeProbe(&__coord_return)).coord_outcome(),
                );
            }
            __coord_return
        }
    }
}

trait UnrawString {
    fn unraw_string(&self) -> String;
}

impl UnrawString for syn::Ident {
    fn unraw_string(&self) -> String {
        syn::ext::IdentExt::unraw(self).to_string()
    }
}
