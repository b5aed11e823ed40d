//! `#[step]`: the function's first parameter (`StepKey`) becomes the saga's context, which the
//! step is called with; its body (retried and passed through a breaker when asked, with the
//! same code `#[handle_errors]` generates) runs as the step's action, logged before and after;
//! and the step is declared at link time with how it is undone, its compensation's signature
//! checked against the step's inputs and output.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Ident, ItemFn};

use super::saga::{
    check_signature, free_name, log_name, logged_inputs, logged_parameters, output_type,
};
use crate::plan::{Part, Plan, is_coord_attribute};
use crate::saga_args::{StepArgs, Undo};

const ATTRIBUTE: &str = "#[step]";

/// Parses, checks and expands `#[step(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        StepArgs::parse,
        |_, function| check_signature(function, ATTRIBUTE, "StepKey", "key: StepKey"),
        step,
    )
}

fn step(args: StepArgs, function: &ItemFn) -> syn::Result<TokenStream> {
    let logged = logged_parameters(function, ATTRIBUTE)?;
    let output = output_type(function, ATTRIBUTE)?;
    let krate = super::crate_path(args.krate.clone());
    let private = quote!(#krate::__private);
    let name = log_name(args.name.clone(), function);

    // The action: the user's function under another name, retried as `#[handle_errors]`
    // would retry it. Other coord attributes stacked on the step stay on it.
    let mut action = function.clone();
    action.sig.ident = Ident::new("__coord_step_action", function.sig.ident.span());
    action.vis = syn::Visibility::Inherited;
    // Coord attributes wrap the action; the others stay on the step (lint levels nest).
    action.attrs.retain(is_coord_attribute);
    let action = if args.retry.is_some() || args.breaker.is_some() {
        let mut plan = Plan::new(args.krate.clone());
        plan.name = Some(name.clone());
        plan.retry = Some((args.retry.unwrap_or_default(), args.breaker));
        plan.build(&action, Part::Retry)?
    } else {
        quote!(#action)
    };

    let declare = match &args.undo {
        Some(Undo::Compensate(path)) => {
            let owned = logged.iter().map(|param| &param.owned);
            // Spanned at the path: a compensation with another signature is reported there.
            quote_spanned! {path.span()=>
                #private::patterns::declare_compensation::<
                    fn(#krate::saga::StepKey, #(#owned,)* ::core::option::Option<#output>),
                    _,
                >(engine, #name, #path);
            }
        }
        Some(Undo::Pivot) => quote!(engine.pivot(#name);),
        Some(Undo::NoCompensation) | None => quote!(engine.no_compensation(#name);),
    };

    let ItemFn {
        attrs, vis, sig, ..
    } = function;
    let attrs = attrs.iter().filter(|attr| !is_coord_attribute(attr));
    let ident = &sig.ident;
    let generics = &sig.generics;
    let returned = &sig.output;
    let saga = free_name("saga", &logged);
    let params = logged.iter().map(|param| {
        let (ident, ty) = (&param.ident, &param.ty);
        quote!(#ident: #ty)
    });
    let idents: Vec<&Ident> = logged.iter().map(|param| &param.ident).collect();
    let inputs = logged_inputs(&logged, &private);
    // The output's `Loggable` bound is reported at its type.
    let step = quote!(#private::patterns::step::<#output, _, _, _>);
    let timeout = match args.timeout {
        Some(nanos) => {
            quote!(::core::option::Option::Some(::core::time::Duration::from_nanos(#nanos)))
        }
        None => quote!(::core::option::Option::None),
    };
    let key = Ident::new("__coord_key", proc_macro2::Span::mixed_site());
    Ok(quote! {
        #(#attrs)*
        #vis async fn #ident #generics (#saga: &#krate::saga::SagaContext, #(#params),*) #returned {
            #action

            fn __coord_step_declare(engine: &#krate::saga::SagaEngine) {
                #declare
            }

            #[#private::linkme::distributed_slice(#private::patterns::STEP_DECLARATIONS)]
            #[linkme(crate = #private::linkme)]
            static __COORD_STEP_DECLARATION: #private::patterns::StepDeclaration =
                #private::patterns::StepDeclaration {
                    name: #name,
                    location: ::core::concat!(::core::file!(), ":", ::core::line!()),
                    declare: __coord_step_declare,
                };

            let __coord_input = #inputs;
            #step(
                #saga,
                #name,
                __coord_input,
                #timeout,
                move |#key| __coord_step_action(#key, #(#idents),*),
            )
            .await
        }
    })
}
