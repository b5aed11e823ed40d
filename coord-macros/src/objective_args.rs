//! `objective(success = 99.9, latency = "250ms", latency_percentile = 99)`: an operation's
//! service-level objective, read the same way by `#[track_performance]` and
//! `#[coordinate_operation]`, checked with `coord-text`'s bounds.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::args::{self, ArgValue, KeyTable, NamedArg};
use crate::errors::Errors;

const KEYS: KeyTable = KeyTable {
    context: "objective(...)",
    groups: &[&["success", "latency", "latency_percentile"]],
    repeatable: &[],
};

/// A checked objective.
#[derive(Clone)]
pub(crate) struct ObjectiveArgs {
    success: Option<f64>,
    latency_seconds: Option<f64>,
    percentile: f64,
    /// Where `objective` is written.
    pub span: Span,
}

impl ObjectiveArgs {
    /// Reads the `objective(...)` group `arg`, recording every mistake in `errors`.
    pub(crate) fn parse(arg: &NamedArg, errors: &mut Errors) -> Option<Self> {
        let ArgValue::Group(_) = &arg.value else {
            errors.at(
                arg.key.span(),
                "write `objective(success = 99.9, latency = \"250ms\", latency_percentile = 99)`",
            );
            return None;
        };
        let written = args::parse_args(match &arg.value {
            ArgValue::Group(tokens) => tokens.clone(),
            _ => TokenStream::new(),
        })
        .map_or(0, |list| list.len());
        let named = args::group(arg, &KEYS, errors);
        if named.len() < written {
            // A misspelt or repeated key is reported on its own; the bounds would only repeat it.
            return None;
        }
        let (mut success, mut latency, mut percentile) = (None, None, None);
        // A value that did not read is reported on its own; the bounds would only repeat it.
        let mut unreadable = false;
        let mut spans: Vec<(&'static str, Span)> = vec![("objective", arg.key.span())];
        for entry in &named {
            let key = entry.key_name();
            match key.as_str() {
                "success" => {
                    spans.push(("success", entry.key.span()));
                    success = errors.ok(args::number(entry, |_| true, "is a percentage"));
                    unreadable |= success.is_none();
                }
                "latency" => {
                    spans.push(("latency", entry.key.span()));
                    match errors.ok(args::string(entry, "\"250ms\"")) {
                        Some(lit) => match coord_text::parse_duration_nanos(&lit.value()) {
                            Ok(nanos) => latency = Some(nanos),
                            Err(err) => {
                                errors.at(lit.span(), format!("`latency`: {err}"));
                                unreadable = true;
                            }
                        },
                        None => unreadable = true,
                    }
                }
                "latency_percentile" => {
                    spans.push(("latency_percentile", entry.key.span()));
                    percentile = errors.ok(args::number(entry, |_| true, "is a percentage"));
                    unreadable |= percentile.is_none();
                }
                _ => {}
            }
        }
        if unreadable {
            return None;
        }
        if let Some((key, message)) = coord_text::objective_problem(success, latency, percentile) {
            let span = spans
                .iter()
                .rev()
                .find(|(written, _)| *written == key)
                .map_or(arg.key.span(), |(_, span)| *span);
            errors.at(span, message);
            return None;
        }
        #[allow(clippy::cast_precision_loss)] // at most a day in nanoseconds: exact in an f64
        Some(Self {
            success,
            latency_seconds: latency.map(|nanos| nanos as f64 / 1e9),
            percentile: percentile.unwrap_or(coord_text::DEFAULT_LATENCY_PERCENTILE),
            span: arg.key.span(),
        })
    }

    /// The link-time declaration of the objective of operation `name`.
    pub(crate) fn declaration(&self, name: &syn::LitStr, krate: &syn::Path) -> TokenStream {
        let private = quote!(#krate::__private);
        let option = |value: Option<f64>| match value {
            Some(value) => quote!(::core::option::Option::Some(#value)),
            None => quote!(::core::option::Option::None),
        };
        let success = option(self.success);
        let latency = option(self.latency_seconds);
        let percentile = self.percentile;
        let location = quote::quote_spanned!(self.span=> ::core::concat!(::core::file!(), ":", ::core::line!()));
        quote! {
            #[#private::linkme::distributed_slice(#private::OBJECTIVES)]
            #[linkme(crate = #private::linkme)]
            static __COORD_OBJECTIVE: #krate::tracking::Objective = #krate::tracking::Objective {
                operation: #name,
                success_percent: #success,
                latency_seconds: #latency,
                latency_percentile: #percentile,
                location: #location,
            };
        }
    }
}
