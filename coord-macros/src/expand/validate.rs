//! `#[validate_input]`: statements before the body that validate the parameters (or one of
//! them) and return `Err(E::from(coord::Error::Validation(..)))` when they are invalid.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Ident, ItemFn, LitStr};

use crate::func;
use crate::plan::{Part, Plan};
use crate::validate_args::{self, ValidateArgs, ValidateInput};

const ATTRIBUTE: &str = "#[validate_input]";

/// Parses, checks and expands `#[validate_input(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        ValidateInput::parse,
        check,
        validated,
    )
}

/// Checks the function and the arguments against its parameters.
fn check(input: &ValidateInput, function: &ItemFn) -> syn::Result<()> {
    validate_args::check_validation(&input.validate, function)
}

/// The statements that validate before the body, returning the error early.
pub(crate) fn validation_statements(
    validate: &ValidateArgs,
    function: &ItemFn,
    krate: &syn::Path,
    bridge: &crate::body::ResultBridge,
) -> TokenStream {
    let private = quote!(#krate::__private);
    let rules = Ident::new("__coord_rules", Span::mixed_site());
    let check = match &validate.arg {
        Some(arg) => quote_spanned!(arg.span()=> #rules.validate(&#arg)),
        None => {
            let validation = Ident::new("__coord_params", Span::mixed_site());
            let params = func::parameter_idents(function).into_iter().map(|ident| {
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
    let name = syn::ext::IdentExt::unraw(&function.sig.ident).to_string();
    let (item, lookup) = if let (true, Some(arg)) = (validate.by_own_rules(), &validate.arg) {
        // `arg` alone: the argument's type brings its rules (`#[derive(coord::Validate)]`).
        (
            TokenStream::new(),
            quote_spanned!(arg.span()=> #private::own_rules(&#arg)),
        )
    } else if let Some(item) = validate.inline_static(&name, &private, &quote!(&[])) {
        (item, quote!(__COORD_INLINE_RULES.with(|#rules| #check)))
    } else {
        let name = validate
            .rules
            .clone()
            .unwrap_or_else(|| LitStr::new("", Span::call_site()));
        // Gathered by the linker, so `coord::init` finds a name no rule file defines;
        // `line!()` at the name, so the call site it reports is the attribute's line.
        let location =
            quote_spanned!(name.span()=> ::core::concat!(::core::file!(), ":", ::core::line!()));
        (
            quote! {
                #[#private::linkme::distributed_slice(#private::RULE_SET_REFERENCES)]
                #[linkme(crate = #private::linkme)]
                static __COORD_RULE_SET_REFERENCE: #private::RuleSetReference =
                    #private::RuleSetReference { name: #name, location: #location };
            },
            quote!(#private::with_rule_set(#name, |#rules| #check)),
        )
    };
    let error = Ident::new("__coord_invalid", Span::mixed_site());
    // A missing `From<coord::Error>` is reported at what asked for validation.
    let convert = crate::body::from_coord_error_at(
        krate,
        validate.span().unwrap_or_else(Span::call_site),
        &error,
    );
    // An alias of a non-`Result` type gets one clear error before the type mismatches.
    let result_check = match &function.sig.output {
        syn::ReturnType::Type(_, ty) if !crate::body::mentions_impl_trait(ty) => {
            quote_spanned!(syn::spanned::Spanned::span(ty)=> #private::assert_returns_result::<#ty>();)
        }
        _ => TokenStream::new(),
    };
    let returned = bridge.to_declared(&quote!(::core::result::Result::Err(#convert)));
    quote! {
        #item
        #result_check
        if #private::validation_enabled() {
            if let ::core::result::Result::Err(#error) = #private::validation_outcome(#lookup) {
                return #returned;
            }
        }
    }
}

fn validated(input: ValidateInput, function: &ItemFn) -> syn::Result<TokenStream> {
    let mut plan = Plan::new(input.krate);
    plan.validate = Some(input.validate);
    plan.build(function, Part::Validate)
}
