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
pub(crate) fn evaluate_once(function: &ItemFn, krate: &syn::Path) -> TokenStream {
    let block = statements(function);
    let fake_return = fake_return_edge(&function.sig.output);
    if function.sig.asyncness.is_some() {
        quote! { async move { #fake_return #block }.await }
    } else {
        quote! { #krate::__private::call_once(move || { #fake_return #block }) }
    }
}

/// A closure running a sync `function`'s body once per call, for retrying (`FnMut`). It
/// borrows the arguments, so a body that consumes one cannot be re-run and fails to compile.
pub(crate) fn attempt_closure(function: &ItemFn) -> TokenStream {
    let block = statements(function);
    let fake_return = fake_return_edge(&function.sig.output);
    quote! { || { #fake_return #block } }
}

/// An `async` block running an async `function`'s body once, created anew on each turn of the
/// retry loop. It borrows the arguments, so a body that consumes one fails to compile ("value
/// moved here, in previous iteration of loop").
pub(crate) fn attempt_block(function: &ItemFn) -> TokenStream {
    let block = statements(function);
    let fake_return = fake_return_edge(&function.sig.output);
    quote! { async { #fake_return #block } }
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
