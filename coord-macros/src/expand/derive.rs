//! `#[derive(coord::Validate)]`: rules written on a struct's fields (`#[rule(type = "email")]`,
//! `#[rule(nested)]`) and on the struct (`#[rule(compare = [...])]`), checked here as inline
//! rules are (the same keyword parser, plus whether the field's type can hold what the rule
//! asks), and implemented as `coord::validation::Validated` on the same engine.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields};

use crate::args::{self, Arg, KeyTable};
use crate::errors::Errors;
use crate::field_shape::{misfit, nested_type, shape_of};
use crate::serde_names::{FieldWire, field_wire, rename_all};
use crate::validate_args::{ValidateArgs, field_rules};

/// What `#[rule(...)]` on the struct itself takes: the rules about the whole value.
const STRUCT_KEYS: KeyTable = KeyTable {
    context: "#[rule(...)] on a struct",
    groups: &[&[
        "compare",
        "one_of_required",
        "forbidden_patterns",
        "max_depth",
        "max_string_length",
        "crate",
    ]],
    repeatable: &["compare", "one_of_required"],
};

/// Expands the derive on `item`.
pub(crate) fn expand(item: TokenStream) -> TokenStream {
    match derive(item) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn derive(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named),
            _ => None,
        },
        _ => None,
    };
    let Some(named) = named else {
        return Err(syn::Error::new(
            input.ident.span(),
            "#[derive(coord::Validate)] goes on a struct with named fields: the rules sit on its fields",
        ));
    };
    let mut errors = Errors::default();
    let mut rules = ValidateArgs::default();
    rules.written = true;
    let mut krate = None;
    for (_, tokens) in rule_attributes(&input.attrs, &mut errors) {
        let mut keyed = Vec::new();
        for arg in errors.ok(args::parse_args(tokens)).unwrap_or_default() {
            match arg {
                Arg::Named(arg) => keyed.push(arg),
                Arg::Positional(lit) => errors.at(
                    lit.span(),
                    "rules are keyed, e.g. `compare = [\"end >= start\"]`",
                ),
            }
        }
        for arg in STRUCT_KEYS.check(&keyed, &mut errors) {
            if arg.key_name() == "crate" {
                krate = errors.ok(args::crate_path(arg));
            } else {
                rules.read(arg, &mut errors);
            }
        }
    }
    let rule = match rename_all(&input.attrs) {
        Ok(rule) => rule,
        Err(other) => {
            errors.at(
                input.ident.span(),
                format!("coord cannot follow `#[serde(rename_all = \"{other}\")]` to the fields' wire names"),
            );
            None
        }
    };
    let generics: Vec<String> = input
        .generics
        .type_params()
        .map(|param| param.ident.to_string())
        .collect();
    let mut wire_names = Vec::new();
    let mut nested = Vec::new();
    for field in &named.named {
        let wire = field_wire(field, rule.as_deref());
        if let FieldWire::Named(name) = &wire {
            wire_names.push(name.clone());
        }
        let mut written = None;
        let mut nests = None;
        for (attr, tokens) in rule_attributes(&field.attrs, &mut errors) {
            if tokens.to_string() == "nested" {
                nests = Some(attr.span());
            } else if written.is_some() {
                errors.at(attr.span(), "write one `#[rule(...)]` per field, with all its rules (and `#[rule(nested)]` apart)");
            } else if let Some(json) =
                errors.ok(field_rules(tokens, attr.span(), rules.checks_mut()))
            {
                written = Some((json, attr.span()));
            }
        }
        match wire {
            FieldWire::Skipped if written.is_some() || nests.is_some() => errors.at(
                field.span(),
                "serde never serializes this field (`skip`), so rules on it would never run",
            ),
            FieldWire::Skipped => {}
            FieldWire::Flattened => {
                if let Some((_, span)) = written {
                    errors.at(span, "a `#[serde(flatten)]` field has no name of its own: put the rules on its type's fields and mark this one `#[rule(nested)]`");
                }
                if nests.is_some() {
                    nested.push((String::new(), field));
                }
            }
            FieldWire::Named(name) => {
                if let Some((json, span)) = written {
                    if let Some(problem) = misfit(&json, &shape_of(&field.ty)) {
                        errors.at(field.ty.span(), format!("field `{name}`: {problem}"));
                    }
                    rules.add_field(name.clone(), span, json);
                }
                if nests.is_some() {
                    nested.push((name, field));
                }
            }
        }
    }
    for (_, field) in &nested {
        let ty = nested_type(&field.ty);
        let text = quote!(#ty).to_string();
        if generics.iter().any(|param| {
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == param)
        }) {
            errors.at(
                field.ty.span(),
                "`#[rule(nested)]` needs a concrete type: rules are kept once per struct, not per type parameter",
            );
        }
    }
    rules.check_struct(Some(&wire_names), input.ident.span(), &mut errors);
    errors.finish()?;
    rules.mark_inline(input.ident.span());

    let krate = super::crate_path(krate);
    let private = quote!(#krate::__private);
    let name = input.ident.to_string();
    let nested_entries = nested.iter().map(|(wire, field)| {
        let ty = nested_type(&field.ty);
        // Spanned at the field's type: one without rules of its own is reported there.
        quote_spanned! {ty.span()=>
            (#wire, <#ty as #private::DeclaresRules>::declared_rules as fn() -> &'static #private::InlineRules)
        }
    });
    let nested_table = quote!(&[#(#nested_entries),*]);
    let item = rules
        .inline_static(&name, &private, &nested_table)
        .ok_or_else(|| syn::Error::new(Span::call_site(), "coord bug: no rule document"))?;
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|clause| clause.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    let declares = quote! {
        impl #impl_generics #private::DeclaresRules for #ident #type_generics #where_clause {
            fn declared_rules() -> &'static #private::InlineRules {
                #item
                &__COORD_INLINE_RULES
            }
        }
    };
    predicates.push(quote!(Self: #private::serde::Serialize));
    let trait_path = quote_spanned!(input.ident.span()=> #krate::validation::Validated);
    let rules_ident = syn::Ident::new("__coord_rules", Span::mixed_site());
    Ok(quote! {
        #declares
        impl #impl_generics #trait_path for #ident #type_generics where #(#predicates),* {
            fn validation(
                &self,
            ) -> ::core::result::Result<#krate::validation::ValidationResult, #krate::Error> {
                <Self as #private::DeclaresRules>::declared_rules()
                    .with(|#rules_ident| #rules_ident.validate(self))
            }
        }
    })
}

/// The `#[rule(...)]` attributes among `attrs`, with their tokens; one written without a list
/// (`#[rule]`, `#[rule = ..]`) is an error in `errors`.
fn rule_attributes<'a>(
    attrs: &'a [syn::Attribute],
    errors: &mut Errors,
) -> Vec<(&'a syn::Attribute, TokenStream)> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("rule"))
        .filter_map(|attr| {
            errors
                .ok(attr.meta.require_list().map(|list| list.tokens.clone()))
                .map(|tokens| (attr, tokens))
        })
        .collect()
}
