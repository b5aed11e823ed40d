//! `#[handle_errors]`: the body becomes a re-callable closure run by the runtime's retry loop,
//! each attempt passing the named breaker if there is one.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Ident, ItemFn, LitStr, ReturnType, Type};

use crate::body;
use crate::breaker_args::BreakerArgs;
use crate::func;
use crate::handle_args::HandleArgs;
use crate::plan::{Part, Plan};
use crate::retry_args::RetryArgs;

const ATTRIBUTE: &str = "#[handle_errors]";

/// Parses, checks and expands `#[handle_errors(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        HandleArgs::parse,
        |_, function| func::check_returns_result(function, ATTRIBUTE, "retries on `Err`"),
        handled,
    )
}

fn handled(args: HandleArgs, function: &ItemFn) -> syn::Result<TokenStream> {
    let mut plan = Plan::new(args.krate.clone());
    plan.name = args.name.clone();
    plan.retry = Some((args.retry, args.breaker));
    plan.limits = args.limits;
    plan.build(function, Part::Retry)
}

/// A block that runs `function`'s body through the retry loop (and the breaker, if any),
/// evaluating to the function's `Result`; `name` names the retry metrics.
pub(crate) fn retry_expression(
    name: &LitStr,
    retry: &RetryArgs,
    breaker: Option<&BreakerArgs>,
    function: &ItemFn,
    krate: &syn::Path,
    bridge: &body::ResultBridge,
) -> TokenStream {
    let sig = &function.sig;
    let private = quote!(#krate::__private);
    let policy = retry.policy(krate);
    let inherited = retry.inherited(krate);
    let error = Ident::new("__coord_error", Span::mixed_site());
    let class = Ident::new("__coord_class", Span::mixed_site());
    let retryable = retry.retryable(&class, &error);
    let recorded = retry.recorded(&error);
    let limit_span = retry.time_limit_span();

    let (breaker_items, admission) = match breaker {
        None => (TokenStream::new(), quote!(&#private::NO_BREAKER)),
        Some(breaker) => {
            let breaker_name = &breaker.name;
            let declaration = breaker.declared_config(krate).map(|config| {
                quote! {
                    #[#private::linkme::distributed_slice(#private::BREAKER_DECLARATIONS)]
                    #[linkme(crate = #private::linkme)]
                    static __COORD_BREAKER_DECLARATION: #private::BreakerDeclaration =
                        #private::BreakerDeclaration {
                            name: #breaker_name,
                            config: #config,
                            location: ::core::concat!(::core::file!(), ":", ::core::line!()),
                        };
                }
            });
            // The `From<coord::Error>` requirement is reported at the `circuit_breaker` argument.
            let admission = quote_spanned!(breaker_name.span()=> &__COORD_BREAKER_SITE.gate());
            (
                quote! {
                    static __COORD_BREAKER_SITE: #private::BreakerSite =
                        #private::BreakerSite::new(#breaker_name);
                    #declaration
                },
                admission,
            )
        }
    };

    // An alias of a non-`Result` type gets one clear error here before the type mismatches.
    let result_check = match &sig.output {
        ReturnType::Type(_, ty)
            if !matches!(**ty, Type::ImplTrait(_)) && !body::mentions_impl_trait(ty) =>
        {
            quote_spanned!(ty.span()=> #private::assert_returns_result::<#ty>();)
        }
        _ => TokenStream::new(),
    };
    // After the attempt closure (or the awaited attempt): its parameter type comes from the
    // attempt's error type.
    let classify = quote! {
        |#error: &_| {
            let #class = (&#private::ErrorProbe(#error)).coord_class();
            #private::FailureView {
                retryable: #retryable,
                class: #class,
                recorded: #recorded,
                severity: (&#private::ErrorProbe(#error)).coord_severity(),
                text: (&&&#private::ErrorProbe(#error)).coord_text(),
            }
        }
    };
    let run = if sig.asyncness.is_some() {
        // The loop is written out rather than run through an async closure; see `AsyncRetry`.
        let attempt = body::attempt_block(function, bridge);
        let retry = Ident::new("__coord_retry", Span::mixed_site());
        let permit = Ident::new("__coord_permit", Span::mixed_site());
        // With a `timeout` or `deadline` each attempt runs under `within`, which cancels it
        // at the limit; the `Timeout` error then needs `From<coord::Error>`, reported at the
        // argument that asked for it. Without either, the attempt is awaited as it is.
        let settle = match limit_span {
            Some(span) => {
                let settle_timed = quote_spanned!(span=> settle_timed);
                quote!(#retry.#settle_timed(#retry.within(#retry.in_attempt_span(#attempt)).await, #permit, #classify))
            }
            None => {
                quote!(#retry.settle(#retry.in_attempt_span(#attempt).await, #permit, #classify))
            }
        };
        quote! {
            let mut #retry = #private::AsyncRetry::new(&__COORD_RETRY_SITE);
            loop {
                let #permit = match #retry.admit(#admission) {
                    ::core::result::Result::Ok(#permit) => #permit,
                    ::core::result::Result::Err(#error) => break ::core::result::Result::Err(#error),
                };
                match #settle {
                    #private::Settled::Done(#error) => break #error,
                    #private::Settled::Retry(#error) => #retry.sleep(#error).await,
                }
            }
        }
    } else {
        let attempt = body::attempt_closure(function, bridge);
        // Without a `deadline` (never taken from the configuration) the loop need not ask.
        let run = if retry.has_deadline() {
            quote!(run_sync)
        } else {
            quote!(run_sync_without_deadline)
        };
        quote!(#private::#run(&__COORD_RETRY_SITE, #admission, #attempt, #classify))
    };
    quote! {{
            static __COORD_RETRY_SITE: #private::RetrySite =
                #private::RetrySite::new(#name, #policy, #inherited);
            #breaker_items
            #[allow(unused_imports)]
            use #private::{
                ClassifiedError as _, DebuggedError as _, DisplayedError as _, OpaqueError as _,
                UnclassifiedError as _,
            };
            #result_check
            #run
        }
    }
}
