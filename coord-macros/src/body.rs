//! Runs the user's body once inside the generated function and yields its value, keeping every
//! `return` and `?` meaning what it meant.
//!
//! A sync body becomes an immediately called `FnOnce` closure: the closure owns its captures, so a
//! body returning a borrow of an argument (`&mut self` too) still compiles. An async body becomes an
//! `async move` block awaited in place. Both carry a "fake return edge" pinning the block's type to
//! the declared return type, so `?` conversions infer as they did unannotated.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;
use syn::{ItemFn, ReturnType, Type, TypeImplTrait};

/// The expression that evaluates `function`'s body once.
pub fn evaluate_once(function: &ItemFn, krate: &syn::Path) -> TokenStream {
    let block = &function.block;
    let fake_return = fake_return_edge(&function.sig.output);
    if function.sig.asyncness.is_some() {
        quote! { async move { #fake_return #block }.await }
    } else {
        quote! { #krate::__private::call_once(move || { #fake_return #block }) }
    }
}

fn fake_return_edge(output: &ReturnType) -> TokenStream {
    let ty = match output {
        // Needed for `()` too: a body that only panics would otherwise leave the type open.
        ReturnType::Default => quote!(()),
        // `impl Trait` cannot be written in a `let`; such bodies infer their type from their value.
        ReturnType::Type(_, ty) if contains_impl_trait(ty) => return TokenStream::new(),
        ReturnType::Type(_, ty) => quote!(#ty),
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

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl Visit<'_> for Finder {
        fn visit_type_impl_trait(&mut self, _: &TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}
