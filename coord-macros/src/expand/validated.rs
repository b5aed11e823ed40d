//! `#[coord::validated(...)]` on a struct: the struct unchanged, and an impl of
//! `coord::validation::Validated` checking it against inline rules (checked here, paths
//! starting at its fields) or a named rule set (recorded for `coord::init`'s check).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Fields, ItemStruct, LitStr};

use crate::errors::Errors;
use crate::serde_names::{FieldWire, field_wire, rename_all};
use crate::validate_args::ValidateInput;

/// Parses, checks and expands `#[coord::validated(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let input = ValidateInput::parse(args, &mut errors);
    let item_struct = match syn::parse2::<ItemStruct>(item.clone()) {
        Ok(item_struct) => item_struct,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "#[coord::validated] goes on a struct (its fields are what the rules name); on a function, use #[validate_input]",
            );
            return super::item_with_errors(item, &error);
        }
    };
    let fields = field_names(&item_struct);
    input
        .validate
        .check_struct(fields.as_deref(), item_struct.ident.span(), &mut errors);
    if let Err(error) = errors.finish() {
        return super::item_with_errors(item, &error);
    }
    let krate = super::crate_path(input.krate.clone());
    let private = quote!(#krate::__private);
    let name = item_struct.ident.to_string();
    let rules = syn::Ident::new("__coord_rules", Span::mixed_site());
    let body = match input.validate.inline_static(&name, &private, &quote!(&[])) {
        Some(item) => quote! {
            #item
            __COORD_INLINE_RULES.with(|#rules| #rules.validate(self))
        },
        None => {
            let set = input
                .validate
                .rules
                .clone()
                .unwrap_or_else(|| LitStr::new("", Span::call_site()));
            let location =
                quote_spanned!(set.span()=> ::core::concat!(::core::file!(), ":", ::core::line!()));
            quote! {
                #[#private::linkme::distributed_slice(#private::RULE_SET_REFERENCES)]
                #[linkme(crate = #private::linkme)]
                static __COORD_RULE_SET_REFERENCE: #private::RuleSetReference =
                    #private::RuleSetReference { name: #set, location: #location };
                #private::with_rule_set(#set, |#rules| #rules.validate(self))
            }
        }
    };
    let ident = &item_struct.ident;
    let (impl_generics, type_generics, where_clause) = item_struct.generics.split_for_impl();
    // Spanned at the struct's name: a struct that is not `Serialize` is reported there.
    let trait_path = quote_spanned!(item_struct.ident.span()=> #krate::validation::Validated);
    // A generic struct is `Serialize` under the bounds its derive chose: ask for exactly that.
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|clause| clause.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    predicates.push(quote!(Self: #private::serde::Serialize));
    quote! {
        #item_struct
        impl #impl_generics #trait_path for #ident #type_generics where #(#predicates),* {
            fn validation(
                &self,
            ) -> ::core::result::Result<#krate::validation::ValidationResult, #krate::Error> {
                #body
            }
        }
    }
}

/// The names the struct's fields serialize under (serde's `rename` and `rename_all`
/// followed), when they can be known here: `None` for a tuple struct, a `rename_all` rule
/// coord does not know, or a flattened field (whose names are its type's).
fn field_names(item: &ItemStruct) -> Option<Vec<String>> {
    let Fields::Named(named) = &item.fields else {
        return None;
    };
    let rule = rename_all(&item.attrs).ok()?;
    let mut names = Vec::new();
    for field in &named.named {
        match field_wire(field, rule.as_deref()) {
            FieldWire::Named(name) => names.push(name),
            FieldWire::Flattened => return None,
            FieldWire::Skipped => {}
        }
    }
    Some(names)
}
