//! The annotated item as a typed function, or an error saying why it cannot be one.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned as _;
use syn::{FnArg, Ident, Item, ItemFn, Pat, ReturnType, TraitItemFn, Type};

/// Parses `item` as a function with a body, for the attribute called `attribute` in messages.
pub(crate) fn parse(item: TokenStream, attribute: &str) -> syn::Result<ItemFn> {
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
pub(crate) fn check_wrappable(function: &ItemFn, attribute: &str) -> syn::Result<()> {
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

/// Rejects return types that cannot be a `Result`; a path (perhaps an alias) is left to the
/// type checker, which the runtime's signature makes require `Result<T, E>`.
pub(crate) fn check_returns_result(
    function: &ItemFn,
    attribute: &str,
    because: &str,
) -> syn::Result<()> {
    let (span, found) = match &function.sig.output {
        ReturnType::Default => (function.sig.ident.span(), "returns `()`".to_owned()),
        ReturnType::Type(_, ty) => match &**ty {
            Type::Path(path) if names_a_non_result(path) => (
                ty.span(),
                format!("returns `{}`", quote!(#ty).to_string().replace(' ', "")),
            ),
            Type::Path(_) | Type::Group(_) | Type::Paren(_) | Type::Macro(_) => return Ok(()),
            Type::ImplTrait(_) => (ty.span(), "returns `impl Trait`".to_owned()),
            Type::Never(_) => (ty.span(), "never returns".to_owned()),
            other => (other.span(), format!("returns `{}`", quote!(#other))),
        },
    };
    Err(syn::Error::new(
        span,
        format!(
            "{attribute} needs a function returning `Result<T, E>`: it {because}, but this function {found}"
        ),
    ))
}

/// Whether `path` names a primitive or standard type that is certainly not a `Result` (an
/// alias could be anything, so only these names are refused before type checking).
fn names_a_non_result(path: &syn::TypePath) -> bool {
    const NOT_RESULTS: &[&str] = &[
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "String", "Vec", "Option", "Box", "HashMap",
        "BTreeMap", "HashSet", "BTreeSet", "Cow",
    ];
    path.qself.is_none()
        && path
            .path
            .segments
            .last()
            .is_some_and(|last| NOT_RESULTS.iter().any(|name| last.ident == name))
}

/// The names of the function's plain parameters (receivers and patterns are not validated).
pub(crate) fn parameters(function: &ItemFn) -> Vec<String> {
    parameter_idents(function)
        .iter()
        .map(|ident| syn::ext::IdentExt::unraw(ident).to_string())
        .collect()
}

/// When `name` is bound inside a pattern parameter (`Json(order): Json<Order>`), why an
/// attribute cannot refer to it and how to rewrite the parameter so it can.
pub(crate) fn pattern_hint(function: &ItemFn, name: &str) -> Option<String> {
    function.sig.inputs.iter().find_map(|input| {
        let FnArg::Typed(typed) = input else {
            return None;
        };
        if matches!(&*typed.pat, Pat::Ident(_)) || !binds(&typed.pat, name) {
            return None;
        }
        let (pat, ty) = (&typed.pat, &typed.ty);
        let pattern = tidy(&quote!(#pat).to_string());
        let ty = tidy(&quote!(#ty).to_string());
        Some(format!(
            "`{name}` is bound inside the pattern `{pattern}`, and a pattern is not a named parameter coord can refer to: name the parameter and destructure it in the body, `{name}: {ty}` then `let {pattern} = {name};`"
        ))
    })
}

/// Whether `pattern` binds an identifier `name` anywhere inside it.
fn binds(pattern: &Pat, name: &str) -> bool {
    fn walk(tokens: TokenStream, name: &str) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == name,
            proc_macro2::TokenTree::Group(group) => walk(group.stream(), name),
            _ => false,
        })
    }
    walk(quote!(#pattern), name)
}

/// Tokens printed as a person writes them: `Json(order)`, `Json<Order>`, `&str`.
fn tidy(text: &str) -> String {
    text.replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace(" :: ", "::")
}

/// The identifiers of the function's plain parameters, in order.
pub(crate) fn parameter_idents(function: &ItemFn) -> Vec<Ident> {
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
