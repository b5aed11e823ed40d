//! The one expansion behind all four attributes: validate once, then track the whole call,
//! then retry, each attempt passing the breaker, then the body.
//!
//! `#[coordinate_operation]` asks for the parts it names; a single attribute for its own and
//! those stacked with it (see `plan.rs`). This file only emits what the plan holds.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ItemFn, LitStr};

use super::{handle, track, validate};
use crate::body;
use crate::coordinate_args;
use crate::errors::Errors;
use crate::func;
use crate::plan::{Part, Plan, without_coord_attributes};
use crate::validate_args;

impl Plan {
    /// The function with every part this plan (and the stacked attributes) asks for.
    pub(crate) fn build(mut self, function: &ItemFn, own: Part) -> syn::Result<TokenStream> {
        let mut errors = Errors::default();
        self.gather(function, own, &mut errors);
        if let Some(validate) = &self.validate
            && own != Part::Validate
        {
            errors.ok(validate_args::check_validation(validate, function));
        }
        if let Some(lock) = &self.lock {
            let attribute = if own == Part::Coordinate {
                "#[coordinate_operation]"
            } else {
                "#[distributed_lock]"
            };
            errors.ok(lock.check(function, attribute));
        }
        if (self.retry.is_some() && own != Part::Retry)
            || (!self.limits.is_empty() && self.retry.is_none())
        {
            errors.ok(func::check_returns_result(
                function,
                "#[handle_errors]",
                "retries on `Err`",
            ));
        }
        if let Some((retry, _)) = &self.retry {
            errors.ok(retry.check_timeout(function));
            if let Some((fallback, _)) = &retry.fallback {
                errors.ok(super::fallback::check(function, fallback));
            }
        }
        errors.finish()?;
        Ok(self.expand(&without_coord_attributes(function)))
    }

    fn expand(self, function: &ItemFn) -> TokenStream {
        let ItemFn {
            attrs,
            vis,
            sig,
            block: _,
        } = function;
        let krate = super::crate_path(self.krate);
        let name = self.name.unwrap_or_else(|| {
            LitStr::new(
                &syn::ext::IdentExt::unraw(&sig.ident).to_string(),
                sig.ident.span(),
            )
        });
        // Retries, limits and the lock work on a `Result`; a return type that may be an alias
        // crosses to one and back (see `ResultBridge`), and so does validation's early return.
        let works_on_result =
            self.retry.is_some() || !self.limits.is_empty() || self.lock.is_some();
        let bridge = if works_on_result || self.validate.is_some() {
            body::ResultBridge::of(function, &krate)
        } else {
            body::ResultBridge::none()
        };
        let validation = self
            .validate
            .as_ref()
            .map(|validate| validate::validation_statements(validate, function, &krate, &bridge));
        let inner_bridge = if works_on_result {
            &bridge
        } else {
            &body::ResultBridge::none()
        };
        // The rate limiter and bulkhead admit the call once, inside tracking (a refused call
        // is a failed call of the operation) and outside retries (its retries are not
        // admitted again).
        let is_async = sig.asyncness.is_some();
        let limited = |inner: TokenStream| {
            if self.limits.is_empty() {
                inner
            } else {
                self.limits.wrap(&inner, &name, is_async, &krate)
            }
        };
        let body = match (self.track, &self.retry) {
            (None, None) if self.limits.is_empty() => body::statements(function),
            (None, None) => limited(body::evaluate_once(function, &krate, inner_bridge)),
            (Some(in_flight), None) if body::diverges(function) => {
                track::tracking_diverging(&name, in_flight, &krate, function)
            }
            (Some(in_flight), None) => {
                let inner = limited(body::evaluate_once(function, &krate, inner_bridge));
                track::tracking(&name, in_flight, &krate, &inner, is_async)
            }
            (track, Some((retry, breaker))) => {
                let retried = limited(handle::retry_expression(
                    &name,
                    retry,
                    breaker.as_ref(),
                    function,
                    &krate,
                    inner_bridge,
                ));
                // The fallback answers whatever the limits and the retries end in.
                let answered = match &retry.fallback {
                    Some((fallback, _)) => super::fallback::answer(
                        &retried,
                        fallback,
                        function,
                        &krate,
                        &name,
                        inner_bridge,
                    ),
                    None => retried,
                };
                match track {
                    Some(in_flight) => {
                        track::tracking(&name, in_flight, &krate, &answered, is_async)
                    }
                    None => answered,
                }
            }
        };
        // The lock is held around tracking and retries: a call waiting for it is not yet
        // the operation, and every attempt runs under one hold.
        let body = match &self.lock {
            Some(lock) => lock.wrap(&body, &krate),
            None => body,
        };
        let body = if works_on_result {
            bridge.to_declared(&body)
        } else {
            body
        };
        // The objective is declared where the tracked operation is (link time, for the rules
        // and dashboards coord generates).
        let objective = match (&self.objective, self.track) {
            (Some(objective), Some(_)) => Some(objective.declaration(&name, &krate)),
            _ => None,
        };
        quote! {
            #(#attrs)*
            #vis #sig {
                #objective
                #validation
                #body
            }
        }
    }
}

/// Parses, checks and expands `#[coordinate_operation(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        "#[coordinate_operation]",
        args,
        item,
        coordinate_args::parse,
        |_, _| Ok(()),
        |plan, function| plan.build(function, Part::Coordinate),
    )
}
