//! `#[validate_input]`: statements before the body that validate the parameters (or one of
//! them) and return `Err(E::from(coord::Error::Validation(..)))` when they are invalid.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{FnArg, Ident, ItemFn, LitStr, Pat};

use crate::args::{self, Arg, KeyTable};
use crate::errors::Errors;
use crate::validate_args::{VALIDATE_KEYS, ValidateArgs};

const ATTRIBUTE: &str = "#[validate_input]";

const KEYS: KeyTable = KeyTable {
    context: "#[validate_input]",
    groups: &[VALIDATE_KEYS, &["crate"]],
    repeatable: &["field", "required"],
};

/// Parsed `#[validate_input(...)]`.
#[derive(Default)]
pub struct ValidateInput {
    /// What to validate against.
    pub validate: ValidateArgs,
    /// Path to the coord crate.
    pub krate: Option<syn::Path>,
}

/// Reads `#[validate_input(...)]`'s arguments.
pub fn parse(tokens: TokenStream, errors: &mut Errors) -> ValidateInput {
    let mut parsed = ValidateInput::default();
    let Some(list) = errors.ok(args::parse_args(tokens)) else {
        return parsed;
    };
    parsed.validate.written = !list.is_empty();
    let mut named = Vec::new();
    for arg in list {
        match arg {
            Arg::Named(arg) => named.push(arg),
            Arg::Positional(lit) => {
                errors.at(lit.span(), "name the rule set with `rules = \"...\"`")
            }
        }
    }
    for arg in KEYS.check(&named, errors) {
        if arg.key_name() == "crate" {
            parsed.krate = errors.ok(args::crate_path(arg));
        } else {
            parsed.validate.read(arg, errors);
        }
    }
    parsed
}

/// Parses, checks and expands `#[validate_input(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(ATTRIBUTE, args, item, parse, check, validated)
}

/// Checks the function and the arguments against its parameters.
fn check(input: &ValidateInput, function: &ItemFn) -> syn::Result<()> {
    check_validation(&input.validate, function)
}

/// Checks validation arguments against the function they annotate.
pub fn check_validation(validate: &ValidateArgs, function: &ItemFn) -> syn::Result<()> {
    super::handle::check_returns_result(function, ATTRIBUTE, "returns invalid input as `Err`")?;
    let mut errors = Errors::default();
    validate.check(
        &parameters(function),
        function.sig.ident.span(),
        &mut errors,
    );
    errors.finish()
}

/// The names of the function's plain parameters (receivers and patterns are not validated).
pub fn parameters(function: &ItemFn) -> Vec<String> {
    parameter_idents(function)
        .iter()
        .map(|ident| syn::ext::IdentExt::unraw(ident).to_string())
        .collect()
}

/// The statements that validate before the body, returning the error early.
pub fn validation_statements(
    validate: &ValidateArgs,
    function: &ItemFn,
    krate: &syn::Path,
) -> TokenStream {
    let private = quote!(#krate::__private);
    let rules = Ident::new("__coord_rules", Span::mixed_site());
    let check = match &validate.arg {
        Some(arg) => quote_spanned!(arg.span()=> #rules.validate(&#arg)),
        None => {
            let validation = Ident::new("__coord_params", Span::mixed_site());
            let params = parameter_idents(function).into_iter().map(|ident| {
                let name =
                    LitStr::new(&syn::ext::IdentExt::unraw(&ident).to_string(), ident.span());
                // Spanned at the parameter: one that is not `Serialize` is reported there.
                quote_spanned!(ident.span()=> #validation.param(#name, &#ident);)
            });
            quote!({
                let mut #validation = #rules.params();
                #(#params)*
                #validation.finish()
            })
        }
    };
    let (item, lookup) = match validate.inline_document() {
        Some(document) => {
            let name = syn::ext::IdentExt::unraw(&function.sig.ident).to_string();
            (
                quote! {
                    static __COORD_INLINE_RULES: #private::InlineRules =
                        #private::InlineRules::new(#name, #document);
                },
                quote!(__COORD_INLINE_RULES.with(|#rules| #check)),
            )
        }
        None => {
            let name = validate
                .rules
                .clone()
                .unwrap_or_else(|| LitStr::new("", Span::call_site()));
            (
                TokenStream::new(),
                quote!(#private::with_rule_set(#name, |#rules| #check)),
            )
        }
    };
    let error = Ident::new("__coord_invalid", Span::mixed_site());
    // An alias of a non-`Result` type gets one clear error before the type mismatches.
    let result_check = match &function.sig.output {
        syn::ReturnType::Type(_, ty) if !crate::body::mentions_impl_trait(ty) => {
            quote_spanned!(syn::spanned::Spanned::span(ty)=> #private::assert_returns_result::<#ty>();)
        }
        _ => TokenStream::new(),
    };
    quote! {
        #item
        #result_check
        if #private::validation_enabled() {
            if let ::core::result::Result::Err(#error) = #private::validation_outcome(#lookup) {
                return ::core::result::Result::Err(::core::convert::From::from(#error));
            }
        }
    }
}

fn parameter_idents(function: &ItemFn) -> Vec<Ident> {
    function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(ident) => Some(ident.ident.clone()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect()
}

fn validated(input: ValidateInput, function: &ItemFn) -> syn::Result<TokenStream> {
    let mut plan = super::coordinated::Plan::new(input.krate);
    plan.validate = Some(input.validate);
    plan.build(function, super::coordinated::Own::Validate)
}
