//! The typed model of one annotated function: which coord parts it asks for across its
//! attributes ([`Plan`]), and how stacked coord attributes are recognised and gathered into it.
//!
//! A single attribute asks for its own part and also takes in the other coord attributes
//! stacked on the same function, so stacking `#[validate_input]`, `#[track_performance]` and
//! `#[handle_errors]` in any order behaves exactly like `#[coordinate_operation]` instead of
//! nesting in the order written. The parsers fill a plan; `expand/` only emits it.

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, ItemFn, LitStr};

use crate::breaker_args::BreakerArgs;
use crate::errors::Errors;
use crate::handle_args::HandleArgs;
use crate::limit_args::LimitArgs;
use crate::lock_args::LockArgs;
use crate::objective_args::ObjectiveArgs;
use crate::retry_args::RetryArgs;
use crate::track_args::TrackArgs;
use crate::validate_args::{ValidateArgs, ValidateInput};

/// Which attribute is expanding: its own part is already in the plan, the others are
/// gathered from the attributes stacked on the function.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Validate,
    Lock,
    Track,
    Retry,
    Coordinate,
}

/// What one function asked for, across its coord attributes.
pub(crate) struct Plan {
    pub krate: Option<syn::Path>,
    pub name: Option<LitStr>,
    pub validate: Option<ValidateArgs>,
    /// `Some(in_flight)` when tracked.
    pub track: Option<bool>,
    pub retry: Option<(RetryArgs, Option<BreakerArgs>)>,
    /// The distributed lock held around tracking, retries and the body.
    pub lock: Option<LockArgs>,
    /// The rate limiter and bulkhead a call passes, inside tracking and outside retries.
    pub limits: LimitArgs,
    /// The tracked operation's service-level objective.
    pub objective: Option<ObjectiveArgs>,
}

/// The coord attribute an attribute is, by the last segment of its path.
fn coord_attribute(attr: &Attribute) -> Option<Part> {
    let last = attr.path().segments.last()?.ident.to_string();
    match last.as_str() {
        "validate_input" => Some(Part::Validate),
        "distributed_lock" => Some(Part::Lock),
        "track_performance" => Some(Part::Track),
        "handle_errors" => Some(Part::Retry),
        "coordinate_operation" => Some(Part::Coordinate),
        _ => None,
    }
}

/// Whether `attr` is one of the coord attributes a plan gathers.
pub(crate) fn is_coord_attribute(attr: &Attribute) -> bool {
    coord_attribute(attr).is_some()
}

/// `function` without its coord attributes (for output after an error, so they do not expand
/// again and repeat it).
pub(crate) fn without_coord_attributes(function: &ItemFn) -> ItemFn {
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
    pub(crate) fn new(krate: Option<syn::Path>) -> Self {
        Self {
            krate,
            name: None,
            validate: None,
            track: None,
            retry: None,
            lock: None,
            limits: LimitArgs::default(),
            objective: None,
        }
    }

    pub(crate) fn set_name(&mut self, name: Option<LitStr>, errors: &mut Errors) {
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
    pub(crate) fn gather(&mut self, function: &ItemFn, own: Part, errors: &mut Errors) {
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
            if kind == Part::Coordinate || own == Part::Coordinate {
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
                Part::Validate => {
                    let input = ValidateInput::parse(tokens, errors);
                    if self.krate.is_none() {
                        self.krate = input.krate;
                    }
                    self.validate = Some(input.validate);
                }
                Part::Track => {
                    let args = TrackArgs::parse(tokens, errors);
                    self.set_name(args.name, errors);
                    self.track = Some(args.in_flight.unwrap_or(true));
                    self.objective = args.objective;
                    if self.krate.is_none() {
                        self.krate = args.krate;
                    }
                }
                Part::Retry => {
                    let args = HandleArgs::parse(tokens, errors);
                    self.set_name(args.name, errors);
                    self.retry = Some((args.retry, args.breaker));
                    self.limits = args.limits;
                    if self.krate.is_none() {
                        self.krate = args.krate;
                    }
                }
                Part::Lock => {
                    let args = LockArgs::parse(tokens, errors);
                    if self.krate.is_none() {
                        self.krate.clone_from(&args.krate);
                    }
                    self.lock = Some(args);
                }
                Part::Coordinate => {}
            }
        }
    }
}
