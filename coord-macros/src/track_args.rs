//! Arguments of `#[track_performance]`: `"name"` or `name = "..."`, `in_flight = bool`,
//! `objective(...)`, `crate = "path"`.

use proc_macro2::TokenStream;
use syn::{Lit, LitStr};

use crate::args::{self, Arg, ArgValue, KeyTable, NamedArg};
use crate::errors::Errors;
use crate::objective_args::ObjectiveArgs;

const KEYS: KeyTable = KeyTable {
    context: "#[track_performance]",
    groups: &[&["name", "in_flight", "objective", "crate"]],
    repeatable: &[],
};

/// A bare identifier that is not a known flag is most likely a name written without quotes.
fn is_unknown_flag(arg: &NamedArg) -> bool {
    matches!(arg.value, ArgValue::Flag)
        && !KEYS.accepts(&arg.key_name())
        && coord_text::closest(&arg.key_name(), &KEYS.keys()).is_none()
}

/// What `#[track_performance(...)]` asked for; absent fields take their defaults.
#[derive(Default)]
pub(crate) struct TrackArgs {
    /// Operation name; defaults to the function's name.
    pub name: Option<LitStr>,
    /// Whether to keep the in-flight gauge; defaults to `true`.
    pub in_flight: Option<bool>,
    /// Path to the coord crate; defaults to `::coord`.
    pub krate: Option<syn::Path>,
    /// The operation's service-level objective.
    pub objective: Option<ObjectiveArgs>,
}

impl TrackArgs {
    /// Reads the arguments, recording every mistake in `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut parsed = TrackArgs::default();
        let Some(list) = errors.ok(args::parse_args(tokens)) else {
            return parsed;
        };
        let mut named: Vec<NamedArg> = Vec::new();
        let mut positional_name: Option<LitStr> = None;
        for (index, arg) in list.into_iter().enumerate() {
            match arg {
                Arg::Named(arg) if is_unknown_flag(&arg) => errors.at(
                    arg.key.span(),
                    format!(
                        "unknown argument `{key}` in #[track_performance]; to name the operation, write the name as a string: `#[track_performance(\"{key}\")]`",
                        key = arg.key_name()
                    ),
                ),
                Arg::Named(arg) => named.push(arg),
                Arg::Positional(Lit::Str(lit)) if index == 0 => positional_name = Some(lit),
                Arg::Positional(Lit::Str(lit)) => errors.at(
                    lit.span(),
                    "the operation name goes first: `#[track_performance(\"name\", ...)]`",
                ),
                Arg::Positional(other) => errors.at(
                    other.span(),
                    "#[track_performance] expects the operation name as a string literal, e.g. `#[track_performance(\"checkout\")]`",
                ),
            }
        }
        for arg in KEYS.check(&named, errors) {
            match arg.key_name().as_str() {
                "name" => {
                    if let Some(first) = &positional_name {
                        errors.at(
                            arg.key.span(),
                            format!(
                                "duplicate argument `name` in #[track_performance]: already given as \"{}\"",
                                first.value()
                            ),
                        );
                    } else {
                        parsed.name = errors.ok(args::string(arg, "\"checkout\""));
                    }
                }
                "in_flight" => {
                    parsed.in_flight = errors.ok(args::boolean(arg)).map(|lit| lit.value)
                }
                "crate" => parsed.krate = errors.ok(args::crate_path(arg)),
                "objective" => parsed.objective = ObjectiveArgs::parse(arg, errors),
                _ => unreachable!("KeyTable::check only passes known keys"),
            }
        }
        if parsed.name.is_none() {
            parsed.name = positional_name;
        }
        if let Some(name) = &parsed.name
            && name.value().trim().is_empty()
        {
            errors.at(
                name.span(),
                "the operation name is empty; name the operation (it becomes the `operation` label) or leave it out to use the function's name",
            );
        }
        parsed
    }
}
