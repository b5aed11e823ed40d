//! The admission limits shared by `#[handle_errors]` and `#[coordinate_operation]`:
//! `bulkhead(max_concurrent = 10, max_wait = "50ms", name = "db")` and
//! `rate_limit(per_second = 100, burst = 20, name = "partner_api")`. Without a `name`, each is
//! the operation's own; with one, every function naming it shares it.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

use crate::args::{self, KeyTable, NamedArg};
use crate::errors::Errors;

/// Every limit key, as a top-level argument.
pub(crate) const LIMIT_KEYS: &[&str] = &["bulkhead", "rate_limit"];

const BULKHEAD_KEYS: KeyTable = KeyTable {
    context: "bulkhead(...)",
    groups: &[&["max_concurrent", "max_wait", "name"]],
    repeatable: &[],
};

const RATE_LIMIT_KEYS: KeyTable = KeyTable {
    context: "rate_limit(...)",
    groups: &[&["per_second", "burst", "name"]],
    repeatable: &[],
};

/// A bulkhead a function enters once per call.
pub(crate) struct BulkheadArgs {
    name: Option<LitStr>,
    max_concurrent: u32,
    max_wait_nanos: u64,
    /// The `bulkhead` key: where the `From<coord::Error>` requirement is reported.
    span: Span,
}

/// A rate limiter a function passes once per call.
pub(crate) struct RateLimitArgs {
    name: Option<LitStr>,
    per_second: u32,
    burst: Option<u32>,
    span: Span,
}

/// The limits a function asked for.
#[derive(Default)]
pub(crate) struct LimitArgs {
    pub bulkhead: Option<BulkheadArgs>,
    pub rate_limit: Option<RateLimitArgs>,
}

fn read_name(arg: &NamedArg, errors: &mut Errors) -> Option<LitStr> {
    let name = errors.ok(args::string(arg, "\"db\""))?;
    if name.value().trim().is_empty() {
        errors.at(name.span(), "the name is empty");
        return None;
    }
    Some(name)
}

impl LimitArgs {
    /// Whether the function asked for any limit.
    pub(crate) fn is_empty(&self) -> bool {
        self.bulkhead.is_none() && self.rate_limit.is_none()
    }

    /// Reads `bulkhead(...)` or `rate_limit(...)` (its key already checked).
    pub(crate) fn read(&mut self, arg: &NamedArg, errors: &mut Errors) {
        match arg.key_name().as_str() {
            "bulkhead" => self.bulkhead = read_bulkhead(arg, errors),
            _ => self.rate_limit = read_rate_limit(arg, errors),
        }
    }

    /// `body` (an expression of the function's `Result` type) run once the call passes the
    /// rate limiter, then the bulkhead: a refusal is `Err(E::from(coord::Error::..))`.
    pub(crate) fn wrap(
        &self,
        body: &TokenStream,
        operation: &LitStr,
        is_async: bool,
        krate: &syn::Path,
    ) -> TokenStream {
        let private = quote!(#krate::__private);
        let refused = syn::Ident::new("__coord_refused", Span::mixed_site());
        let mut wrapped = quote!(#body);
        if let Some(bulkhead) = &self.bulkhead {
            let name = bulkhead.name.as_ref().unwrap_or(operation);
            let (max, wait) = (bulkhead.max_concurrent, bulkhead.max_wait_nanos);
            let slot = syn::Ident::new("__coord_slot", Span::mixed_site());
            let enter = if is_async {
                // The free slot is taken without building the waiting future.
                quote! {
                    match __COORD_BULKHEAD.enter_now() {
                        ::core::option::Option::Some(#slot) => ::core::result::Result::Ok(#slot),
                        ::core::option::Option::None => __COORD_BULKHEAD.enter().await,
                    }
                }
            } else {
                quote!(__COORD_BULKHEAD.enter_blocking())
            };
            let from = crate::body::from_coord_error_at(krate, bulkhead.span, &refused);
            wrapped = quote! {{
                static __COORD_BULKHEAD: #private::BulkheadSite = #private::BulkheadSite::new(
                    #name, #max, #wait, ::core::concat!(::core::file!(), ":", ::core::line!()),
                );
                match #enter {
                    ::core::result::Result::Err(#refused) => ::core::result::Result::Err(#from),
                    ::core::result::Result::Ok(#slot) => { let _ = &#slot; #wrapped }
                }
            }};
        }
        if let Some(rate) = &self.rate_limit {
            let name = rate.name.as_ref().unwrap_or(operation);
            let per_second = rate.per_second;
            let burst = rate.burst.unwrap_or(per_second);
            let from = crate::body::from_coord_error_at(krate, rate.span, &refused);
            wrapped = quote! {{
                static __COORD_RATE_LIMIT: #private::RateLimitSite = #private::RateLimitSite::new(
                    #name, #per_second, #burst, ::core::concat!(::core::file!(), ":", ::core::line!()),
                );
                match __COORD_RATE_LIMIT.acquire() {
                    ::core::result::Result::Err(#refused) => ::core::result::Result::Err(#from),
                    ::core::result::Result::Ok(()) => #wrapped,
                }
            }};
        }
        wrapped
    }
}

fn read_bulkhead(arg: &NamedArg, errors: &mut Errors) -> Option<BulkheadArgs> {
    let (mut name, mut max_concurrent, mut max_wait_nanos) = (None, None, 0);
    for inner in &args::group(arg, &BULKHEAD_KEYS, errors) {
        match inner.key_name().as_str() {
            "name" => name = read_name(inner, errors),
            "max_concurrent" => {
                max_concurrent =
                    Some(errors.ok(args::option_count(inner, &coord_text::MAX_CONCURRENT)));
            }
            _ => {
                max_wait_nanos = errors
                    .ok(args::option_duration(inner, &coord_text::MAX_WAIT))
                    .unwrap_or(0);
            }
        }
    }
    // Written but invalid: already reported at the value.
    let max_concurrent = match max_concurrent {
        Some(Some(max_concurrent)) => max_concurrent,
        Some(None) => return None,
        None => {
            errors.at(
                arg.key.span(),
                "`bulkhead(...)` needs `max_concurrent = N`: how many calls may run at once",
            );
            return None;
        }
    };
    Some(BulkheadArgs {
        name,
        max_concurrent,
        max_wait_nanos,
        span: arg.key.span(),
    })
}

fn read_rate_limit(arg: &NamedArg, errors: &mut Errors) -> Option<RateLimitArgs> {
    let (mut name, mut per_second, mut burst) = (None, None, None);
    for inner in &args::group(arg, &RATE_LIMIT_KEYS, errors) {
        match inner.key_name().as_str() {
            "name" => name = read_name(inner, errors),
            "per_second" => {
                per_second = Some(errors.ok(args::option_count(inner, &coord_text::PER_SECOND)));
            }
            _ => burst = errors.ok(args::option_count(inner, &coord_text::BURST)),
        }
    }
    let per_second = match per_second {
        Some(Some(per_second)) => per_second,
        Some(None) => return None,
        None => {
            errors.at(
                arg.key.span(),
                "`rate_limit(...)` needs `per_second = N`: how many calls a second it admits",
            );
            return None;
        }
    };
    Some(RateLimitArgs {
        name,
        per_second,
        burst,
        span: arg.key.span(),
    })
}
