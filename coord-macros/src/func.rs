//! The annotated item as a typed function, or an error saying why it cannot be one.

use proc_macro2::TokenStream;
use syn::spanned::Spanned as _;
use syn::{Item, ItemFn, TraitItemFn};

/// Parses `item` as a function with a body, for the attribute called `attribute` in messages.
pub fn parse(item: TokenStream, attribute: &str) -> syn::Result<ItemFn> {
    if let Ok(function) = syn::parse2::<ItemFn>(item.clone()) {
        return Ok(function);
    }
    if let Ok(declaration) = syn::parse2::<TraitItemFn>(item.clone()) {
        return Err(syn::Error::new(
            declaration.sig.span(),
            format!(
                "{attribute} needs a function body to wrap; put it on the method in each `impl`, not on the trait's declaration"
            ),
        ));
    }
    let found = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => describe(&item),
        Err(_) => "this item",
    };
    Err(syn::Error::new(
        first_token_span(&item),
        format!("{attribute} can only be applied to a function, not to {found}"),
    ))
}

fn first_token_span(item: &TokenStream) -> proc_macro2::Span {
    item.clone()
        .into_iter()
        .next()
        .map_or_else(proc_macro2::Span::call_site, |token| token.span())
}

fn describe(item: &Item) -> &'static str {
    match item {
        Item::Const(_) => "a const",
        Item::Enum(_) => "an enum",
        Item::ExternCrate(_) => "an extern crate",
        Item::ForeignMod(_) => "an extern block",
        Item::Impl(_) => "an impl block (annotate its methods instead)",
        Item::Macro(_) => "a macro invocation",
        Item::Mod(_) => "a module",
        Item::Static(_) => "a static",
        Item::Struct(_) => "a struct",
        Item::Trait(_) => "a trait (annotate the methods in its impls instead)",
        Item::TraitAlias(_) => "a trait alias",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a use declaration",
        _ => "this item",
    }
}

/// Checks what every coord attribute needs of a function.
pub fn check_wrappable(function: &ItemFn, attribute: &str) -> syn::Result<()> {
    if let Some(constness) = &function.sig.constness {
        return Err(syn::Error::new(
            constness.span,
            format!(
                "{attribute} cannot be used on a `const fn`: metrics and clocks do not run in const evaluation; remove `const` or the attribute"
            ),
        ));
    }
    Ok(())
}
