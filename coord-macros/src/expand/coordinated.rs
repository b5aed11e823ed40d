//! The one expansion behind all four attributes: validate once, then track the whole call,
//! then retry, each attempt passing the breaker, then the body.
//!
//! `#[coordinate_operation]` asks for the parts it names. A single attribute asks for its own
//! part and also takes in the other coord attributes stacked on the same function, so stacking
//! `#[validate_input]`, `#[track_performance]` and `#[handle_errors]` in any order behaves
//! exactly like the combined attribute instead of nesting in the order written.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Attribute, ItemFn, LitStr};

use super::{handle, track, validate};
use crate::body;
use crate::breaker_args::BreakerArgs;
use crate::coordinate_args;
use crate::errors::Errors;
use crate::handle_args::HandleArgs;
use crate::retry_args::RetryArgs;
use crate::track_args::TrackArgs;
use crate::validate_args::ValidateArgs;

/// Which attribute is expanding (its own part is already in the plan).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Own {
    Validate,
    Track,
    Retry,
    Coordinate,
}

/// What one function asked for, across its coord attributes.
pub struct Plan {
    pub krate: Option<syn::Path>,
    pub name: Option<LitStr>,
    pub validate: Option<ValidateArgs>,
    /// `Some(in_flight)` when tracked.
    pub track: Option<bool>,
    pub retry: Option<(RetryArgs, Option<BreakerArgs>)>,
}

/// The coord attribute an attribute is, by the last segment of its path.
fn coord_attribute(attr: &Attribute) -> Option<Own> {
    let last = attr.path().segments.last()?.ident.to_string();
    match last.as_str() {
        "validate_input" => Some(Own::Validate),
        "track_performance" => Some(Own::Track),
        "handle_errors" => Some(Own::Retry),
        "coordinate_operation" => Some(Own::Coordinate),
        _ => None,
    }
}

/// `function` without its coord attributes (for output after an error, so they do not expand
/// again and repeat it).
pub fn without_coord_attributes(function: &ItemFn) -> ItemFn {
    let mut function = function.clone();
    function
        .attrs
        .retain(|attr| coord_attribute(attr).is_none());
    function
}

fn attribute_tokens(attr: &Attribute) -> TokenStream {
    match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    }
}

impl Plan {
    pub fn new(krate: Option<syn::Path>) -> Self {
        Self {
            krate,
            name: None,
            validate: None,
            track: None,
            retry: None,
        }
    }

    fn set_name(&mut self, name: Option<LitStr>, errors: &mut Errors) {
        let Some(name) = name else { return };
        match &self.name {
            Some(first) if first.value() != name.value() => errors.at(
                name.span(),
                format!(
                    "this operation is already named \"{}\"; give it one name",
                    first.value()
                ),
            ),
            _ => self.name = Some(name),
        }
    }

    /// Takes in the coord attributes stacked on `function`, reporting parts asked for twice.
    fn gather(&mut self, function: &ItemFn, own: Own, errors: &mut Errors) {
        let mut seen = vec![own];
        for attr in &function.attrs {
            let Some(kind) = coord_attribute(attr) else {
                continue;
            };
            let span = attr
                .path()
                .segments
                .last()
                .map_or_else(Span::call_site, |s| s.ident.span());
            if kind == Own::Coordinate || own == Own::Coordinate {
                errors.at(span, "#[coordinate_operation] already does what the single coord attributes do: put everything in it, or use the single attributes alone");
                continue;
            }
            if seen.contains(&kind) {
                errors.at(span, "this coord attribute is given twice on one function");
                continue;
            }
            seen.push(kind);
            let tokens = attribute_tokens(attr);
            match kind {
                Own::Validate => {
                    let input = validate::parse(tokens, errors);
                    if self.krate.is_none() {
                        self.krate = input.krate;
                    }
                    self.validate = Some(input.validate);
                }
                Own::Track => {
                    let args = TrackArgs::parse(tokens, errors);
                    self.set_name(args.name, errors);
                    self.track = Some(args.in_flight.unwrap_or(true));
                    if self.krate.is_none() {
                        self.krate = args.krate;
                    }
                }
                Own::Retry => {
                    let args = HandleArgs::parse(tokens, errors);
                    self.set_name(args.name, errors);
                    self.retry = Some((args.retry, args.breaker));
                    if self.krate.is_none() {
                        self.krate = args.krate;
                    }
                }
                Own::Coordinate => {}
            }
        }
    }

    /// The function with every part this plan (and the stacked attributes) asks for.
    pub fn build(mut self, function: &ItemFn, own: Own) -> syn::Result<TokenStream> {
        let mut errors = Errors::default();
        self.gather(function, own, &mut errors);
        if let Some(validate) = &self.validate
            && own != Own::Validate
        {
            errors.ok(validate::check_validation(validate, function));
        }
        if self.retry.is_some() && own != Own::Retry {
            errors.ok(handle::check_returns_result(
                function,
                "#[handle_errors]",
                "retries on `Err`",
            ));
        }
        errors.finish()?;
        Ok(self.expand(&without_coord_attributes(function)))
    }

    fn expand(self, function: &ItemFn) -> TokenStream {
        let ItemFn {
            attrs,
            vis,
            sig,
            block,
        } = function;
        let krate = super::crate_path(self.krate);
        let name = self.name.unwrap_or_else(|| {
            LitStr::new(
                &syn::ext::IdentExt::unraw(&sig.ident).to_string(),
                sig.ident.span(),
            )
        });
        let validation = self
            .validate
            .as_ref()
            .map(|validate| validate::validation_statements(validate, function, &krate));
        let body = match (self.track, &self.retry) {
            (None, None) => quote!(#block),
            (Some(in_flight), None) if body::diverges(function) => {
                track::tracking_diverging(&name, in_flight, &krate, function)
            }
            (Some(in_flight), None) => {
                let inner = body::evaluate_once(function, &krate);
                track::tracking(&name, in_flight, &krate, &inner)
            }
            (track, Some((retry, breaker))) => {
                let retried =
                    handle::retry_expression(&name, retry, breaker.as_ref(), function, &krate);
                match track {
                    Some(in_flight) => track::tracking(&name, in_flight, &krate, &retried),
                    None => retried,
                }
            }
        };
        quote! {
            #(#attrs)*
            #vis #sig {
                #validation
                #body
            }
        }
    }
}

/// Parses, checks and expands `#[coordinate_operation(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        "#[coordinate_operation]",
        args,
        item,
        coordinate_args::parse,
        |_, _| Ok(()),
        |plan, function| plan.build(function, Own::Coordinate),
    )
}
