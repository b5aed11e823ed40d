//! `#[track_performance]`: a call-site `static`, a guard around one evaluation of the body, and
//! the outcome read from the returned value.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ItemFn, LitStr};

use crate::plan::{Part, Plan};
use crate::track_args::TrackArgs;

const ATTRIBUTE: &str = "#[track_performance]";

/// Parses, checks and expands `#[track_performance(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        TrackArgs::parse,
        |_, _| Ok(()),
        tracked,
    )
}

fn tracked(args: TrackArgs, function: &ItemFn) -> syn::Result<TokenStream> {
    let mut plan = Plan::new(args.krate.clone());
    plan.name = args.name.clone();
    plan.track = Some(args.in_flight.unwrap_or(true));
    plan.objective = args.objective;
    plan.build(function, Part::Track)
}

/// A block that tracks one evaluation of `inner` (an expression producing the function's value)
/// as operation `name`, inside the call's `coord.operation` span: entered around a sync call,
/// instrumenting the future of an async one (a span entered across an `.await` would stay
/// entered on the thread while the task sleeps).
pub(crate) fn tracking(
    name: &LitStr,
    in_flight: bool,
    krate: &syn::Path,
    inner: &TokenStream,
    is_async: bool,
) -> TokenStream {
    // Mixed-site spans: the body cannot see (or capture) these locals, whatever it names its own.
    let call = Ident::new("__coord_call", Span::mixed_site());
    let value = Ident::new("__coord_return", Span::mixed_site());
    let outcome = Ident::new("__coord_outcome", Span::mixed_site());
    let span = Ident::new("__coord_span", Span::mixed_site());
    let private = quote!(#krate::__private);
    let operation = quote! {
        static __COORD_OPERATION: #private::Operation =
            #private::Operation::new(#name).in_flight(#in_flight);
    };
    let finish = |record: TokenStream| {
        quote! {{
            #[allow(unused_imports)]
            use #private::{PlainOutcome as _, ResultOutcome as _};
            let #outcome = (&#private::OutcomeProbe(&#value)).coord_outcome();
            #record
            #call.finish(#outcome);
        }}
    };
    if is_async {
        let finish = finish(quote!(#private::record_current_outcome(#outcome);));
        quote! {{
            #operation
            #private::in_operation_span(#name, async {
                let #call = __COORD_OPERATION.track();
                let #value = #inner;
                #finish
                #value
            })
            .await
        }}
    } else {
        let finish = finish(quote!(#span.outcome(#outcome);));
        quote! {{
            #operation
            let #span = #private::OperationSpan::enter(#name);
            let #call = __COORD_OPERATION.track();
            let #value = #inner;
            #finish
            #value
        }}
    }
}

/// The body of a `-> !` function, tracked: it can only end by panicking (or never), which the
/// guard records on unwind. (A closure or block of type `!` cannot be written on stable.)
pub(crate) fn tracking_diverging(
    name: &LitStr,
    in_flight: bool,
    krate: &syn::Path,
    function: &ItemFn,
) -> TokenStream {
    let call = Ident::new("__coord_call", Span::mixed_site());
    let span = Ident::new("__coord_span", Span::mixed_site());
    let block = crate::body::statements(function);
    quote! {
        static __COORD_OPERATION: #krate::__private::Operation =
            #krate::__private::Operation::new(#name).in_flight(#in_flight);
        let #span = #krate::__private::OperationSpan::enter(#name);
        let #call = __COORD_OPERATION.track();
        #block
    }
}
