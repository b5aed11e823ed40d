//! `#[track_performance]`: a call-site `static`, a guard around one evaluation of the body, and
//! the outcome read from the returned value.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ItemFn, LitStr};

use crate::body;
use crate::track_args::TrackArgs;

const ATTRIBUTE: &str = "#[track_performance]";

/// Parses, checks and expands `#[track_performance(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        TrackArgs::parse,
        |_, _| Ok(()),
        tracked,
    )
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
    // Mixed-site spans: the body cannot see (or capture) these locals, whatever it names its own.
    let call = Ident::new("__coord_call", Span::mixed_site());
    let value = Ident::new("__coord_return", Span::mixed_site());
    if body::diverges(function) {
        // `-> !` can only end by panicking (or never): the guard records the panic on unwind.
        let block = &function.block;
        return quote! {
            #(#attrs)*
            #vis #sig {
                static __COORD_CALL_SITE: #krate::__private::CallSite =
                    #krate::__private::CallSite::new(#name, #in_flight);
                let #call = __COORD_CALL_SITE.enter();
                #block
            }
        };
    }
    let evaluate = body::evaluate_once(function, &krate);
    quote! {
        #(#attrs)*
        #vis #sig {
            static __COORD_CALL_SITE: #krate::__private::CallSite =
                #krate::__private::CallSite::new(#name, #in_flight);
            let #call = __COORD_CALL_SITE.enter();
            let #value = #evaluate;
            {
                #[allow(unused_imports)]
                use #krate::__private::{PlainOutcome as _, ResultOutcome as _};
                #call.finish((&#krate::__private::OutcomeProbe(&#value)).coord_outcome());
            }
            #value
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
