//! Runs the user's body once inside the generated function and yields its value, keeping every
//! `return` and `?` meaning what it meant.
//!
//! A sync body becomes an immediately called `FnOnce` closure: the closure owns its captures, so a
//! body returning a borrow of an argument (`&mut self` too) still compiles. An async body becomes an
//! `async move` block awaited in place. Both carry a "fake return edge" pinning the block's type to
//! the declared return type, so `?` conversions infer as they did unannotated.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{ItemFn, ReturnType, Type, TypeInfer};

/// The expression that evaluates `function`'s body once.
pub(crate) fn evaluate_once(
    function: &ItemFn,
    krate: &syn::Path,
    bridge: &ResultBridge,
) -> TokenStream {
    let block = statements(function);
    let fake_return = fake_return_edge(&function.sig.output);
    let value = if function.sig.asyncness.is_some() {
        quote! { async move { #fake_return #block }.await }
    } else {
        quote! { #krate::__private::call_once(move || { #fake_return #block }) }
    };
    bridge.to_result(&value)
}

/// A closure running a sync `function`'s body once per call, for retrying (`FnMut`). It
/// borrows the arguments, so a body that consumes one cannot be re-run and fails to compile.
pub(crate) fn attempt_closure(function: &ItemFn, bridge: &ResultBridge) -> TokenStream {
    let block = statements(function);
    let fake_return = fake_return_edge(&function.sig.output);
    if bridge.calls.is_none() {
        return quote! { || { #fake_return #block } };
    }
    // The body's `return`s leave the inner closure, whose value then crosses to a `Result`.
    let value = bridge.to_result(&quote!((|| { #fake_return #block })()));
    quote! { || #value }
}

/// An `async` block running an async `function`'s body once, created anew on each turn of the
/// retry loop. It borrows the arguments, so a body that consumes one fails to compile ("value
/// moved here, in previous iteration of loop").
pub(crate) fn attempt_block(function: &ItemFn, bridge: &ResultBridge) -> TokenStream {
    let block = statements(function);
    let fake_return = fake_return_edge(&function.sig.output);
    if bridge.calls.is_none() {
        return quote! { async { #fake_return #block } };
    }
    // The body's `return`s leave the inner block, whose value then crosses to a `Result`.
    let value = bridge.to_result(&quote!(async { #fake_return #block }.await));
    quote! { async { #value } }
}

/// Whether the function never returns (`-> !`): its body is not wrapped at all, since a
/// closure or block of type `!` cannot be written on stable Rust.
pub(crate) fn diverges(function: &ItemFn) -> bool {
    matches!(&function.sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)))
}

fn fake_return_edge(output: &ReturnType) -> TokenStream {
    let ty = match output {
        // Needed for `()` too: a body that only panics would otherwise leave the type open.
        ReturnType::Default => quote!(()),
        // `impl Trait` alone says nothing a `let` could pin down.
        ReturnType::Type(_, ty) if matches!(**ty, Type::ImplTrait(_)) => return TokenStream::new(),
        ReturnType::Type(_, ty) => {
            // `impl Trait` cannot be written in a `let`, but `_` can: `Result<_, E>` still pins
            // the error type that `?` converts into.
            let mut ty = (**ty).clone();
            ImplTraitToInfer.visit_type_mut(&mut ty);
            quote!(#ty)
        }
    };
    quote! {
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let __coord_fake_return: #ty = loop {};
            return __coord_fake_return;
        }
    }
}

/// The statements of `function`'s body, without its braces, to splice into a block of ours.
/// Nesting the user's whole block as the tail of ours would make rustc's `unused_braces`
/// point at the user's own braces for every one-line body (`fn f() -> u32 { 1 }`), with a
/// suggested fix that is not valid Rust; spliced, the statements mean exactly what they meant.
pub(crate) fn statements(function: &ItemFn) -> TokenStream {
    let statements = &function.block.stmts;
    quote!(#(#statements)*)
}

/// Whether `ty` contains `impl Trait` anywhere.
pub(crate) fn mentions_impl_trait(ty: &Type) -> bool {
    let mut replaced = ty.clone();
    ImplTraitToInfer.visit_type_mut(&mut replaced);
    replaced != *ty
}

struct ImplTraitToInfer;

impl VisitMut for ImplTraitToInfer {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            *ty = Type::Infer(TypeInfer {
                underscore_token: syn::Token![_](impl_trait.impl_token.span),
            });
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// `FromCoordError::from_coord_error(error)` under `krate`, located at `span`: an error type
/// without `From<coord::Error>` is then reported at the argument that needs it (the rules,
/// the bulkhead, the rate limit), not across the whole attribute. `error` keeps its own
/// hygiene; only where it points moves.
pub(crate) fn from_coord_error_at(
    krate: &syn::Path,
    span: proc_macro2::Span,
    error: &syn::Ident,
) -> TokenStream {
    let mut error = error.clone();
    error.set_span(error.span().located_at(span));
    let call = quote!(#krate::FromCoordError::from_coord_error);
    let mut arguments =
        proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, quote!(#error));
    arguments.set_span(span);
    let mut tokens = respanned(call, span);
    tokens.extend([proc_macro2::TokenTree::Group(arguments)]);
    tokens
}

fn respanned(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respanned(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// How values cross between the function's declared return type and the `Result` the
/// expansion works with. A return type written `…Result<..>` (or one the expansion cannot name)
/// needs no crossing; any other path may be an alias the macro cannot see through, so the
/// crossings go through `into_result` / `from_result`: the identity for a `Result`, one error at
/// the return type for anything else — with no cascade of mismatched types after it.
pub(crate) struct ResultBridge {
    /// `(into_result::<R>, from_result::<R>)`, spanned at the return type, and that span.
    calls: Option<(TokenStream, TokenStream)>,
    span: proc_macro2::Span,
}

impl ResultBridge {
    /// No crossing: the body's value is used as it is.
    pub(crate) fn none() -> Self {
        Self {
            calls: None,
            span: proc_macro2::Span::call_site(),
        }
    }

    /// The crossings `function`'s return type needs.
    pub(crate) fn of(function: &ItemFn, krate: &syn::Path) -> Self {
        let ReturnType::Type(_, ty) = &function.sig.output else {
            return Self::none();
        };
        let Type::Path(path) = &**ty else {
            return Self::none();
        };
        let named_result = path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Result");
        if named_result || mentions_impl_trait(ty) {
            return Self::none();
        }
        let span = syn::spanned::Spanned::span(&**ty);
        let private = respanned(quote!(#krate::__private), span);
        let into = quote::quote_spanned!(span=> #private::into_result::<#ty>);
        let from = quote::quote_spanned!(span=> #private::from_result::<#ty>);
        Self {
            calls: Some((into, from)),
            span,
        }
    }

    /// `function(value)`, the parentheses spanned at the return type too, so that the whole
    /// call (where rustc reports an unmet bound) points there.
    fn call(&self, function: &TokenStream, value: &TokenStream) -> TokenStream {
        let mut arguments =
            proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, value.clone());
        arguments.set_span(self.span);
        let mut call = function.clone();
        call.extend([proc_macro2::TokenTree::Group(arguments)]);
        call
    }

    /// `value`, of the declared type, as a `Result`.
    pub(crate) fn to_result(&self, value: &TokenStream) -> TokenStream {
        match &self.calls {
            Some((into, _)) => self.call(into, value),
            None => value.clone(),
        }
    }

    /// `value`, a `Result`, as the declared type.
    pub(crate) fn to_declared(&self, value: &TokenStream) -> TokenStream {
        match &self.calls {
            Some((_, from)) => self.call(from, value),
            None => value.clone(),
        }
    }
}
