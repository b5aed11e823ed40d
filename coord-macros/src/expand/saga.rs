//! `#[saga]`: the function's first parameter (`SagaContext`) becomes the run's id, its body
//! moves into an inner function registered by name at link time for recovery, and a call runs
//! that body as a durable saga on the process's engine. Also the parameter rules `#[step]`
//! shares: every other parameter is logged, so it is named and can be read back owned.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{FnArg, Ident, ItemFn, LitStr, Pat, ReturnType, Type};

use crate::saga_args::SagaArgs;

const ATTRIBUTE: &str = "#[saga]";

/// Parses, checks and expands `#[saga(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        SagaArgs::parse,
        |_, function| check_signature(function, ATTRIBUTE, "SagaContext", "saga: SagaContext"),
        saga,
    )
}

/// One logged parameter of a saga or step.
pub(crate) struct Logged {
    /// Its name.
    pub ident: Ident,
    /// Its type as written.
    pub ty: Type,
    /// The type it is read back from the log as: `&T` as `T`, `&str` as `String`, `&[T]`
    /// as `Vec<T>`.
    pub owned: Type,
    /// Whether it is taken by reference.
    pub by_ref: bool,
}

/// An expression serializing the parameters as the tuple of their owned types serializes,
/// each checked `Loggable` where its type is written.
pub(crate) fn logged_inputs(logged: &[Logged], private: &TokenStream) -> TokenStream {
    let inputs = logged.iter().map(|param| {
        let (ident, owned) = (&param.ident, &param.owned);
        let value = if param.by_ref {
            quote!(#ident)
        } else {
            quote!(&#ident)
        };
        let input = quote_spanned!(param.ty.span()=> #private::patterns::input::<#owned, _>);
        quote!(#input(#value))
    });
    quote!(#private::patterns::log_inputs(::std::vec![#(#inputs),*]))
}

impl Logged {
    /// How a value read back from the log (`ident`, owned) is passed to the body.
    pub(crate) fn passed_from_log(&self) -> TokenStream {
        let ident = &self.ident;
        if self.by_ref {
            quote!(&#ident)
        } else {
            quote!(#ident)
        }
    }
}

/// Checks what `#[saga]` and `#[step]` need of a function: async, a `Result`, no receiver, no
/// type or const generics, and a first parameter of type `first` (written as `example`).
pub(crate) fn check_signature(
    function: &ItemFn,
    attribute: &str,
    first: &str,
    example: &str,
) -> syn::Result<()> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span,
            format!(
                "{attribute} needs an `async fn`: its steps are logged to the coordination store as they run"
            ),
        ));
    }
    crate::func::check_returns_result(function, attribute, "fails with `Err`")?;
    if let Some(param) = sig
        .generics
        .params
        .iter()
        .find(|param| !matches!(param, syn::GenericParam::Lifetime(_)))
    {
        return Err(syn::Error::new(
            param.span(),
            format!(
                "{attribute} cannot be generic: after a crash its logged values are read back as one known type"
            ),
        ));
    }
    let Some(input) = sig.inputs.first() else {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            format!("{attribute}'s first parameter is `{example}`"),
        ));
    };
    match input {
        FnArg::Receiver(receiver) => Err(syn::Error::new(
            receiver.span(),
            format!(
                "{attribute} goes on a free function, not a method: after a crash there is no `self` to call it on"
            ),
        )),
        FnArg::Typed(typed) => {
            let named = match &*typed.ty {
                Type::Path(path) => path
                    .path
                    .segments
                    .last()
                    .is_some_and(|segment| segment.ident == first),
                _ => false,
            };
            if named {
                Ok(())
            } else {
                Err(syn::Error::new(
                    typed.ty.span(),
                    format!("{attribute}'s first parameter is `{example}`"),
                ))
            }
        }
    }
}

/// The parameters after the first, each logged.
pub(crate) fn logged_parameters(function: &ItemFn, attribute: &str) -> syn::Result<Vec<Logged>> {
    let mut logged = Vec::new();
    for input in function.sig.inputs.iter().skip(1) {
        let FnArg::Typed(typed) = input else {
            return Err(syn::Error::new(input.span(), "`self` must be first"));
        };
        let Pat::Ident(pat) = &*typed.pat else {
            return Err(syn::Error::new(
                typed.pat.span(),
                format!("{attribute} logs each parameter by name: write `name: Type` here"),
            ));
        };
        let ty = (*typed.ty).clone();
        let (owned, by_ref) = match &ty {
            Type::Reference(reference) => {
                if let Some(mutability) = reference.mutability {
                    return Err(syn::Error::new(
                        mutability.span(),
                        format!(
                            "{attribute} reads its parameters back from the log after a crash: take this one by value or by `&`, not `&mut`"
                        ),
                    ));
                }
                (owned_of(&reference.elem), true)
            }
            Type::ImplTrait(_) => {
                return Err(syn::Error::new(
                    ty.span(),
                    format!(
                        "{attribute} reads its parameters back from the log as one known type: name the type instead of `impl Trait`"
                    ),
                ));
            }
            other => (other.clone(), false),
        };
        logged.push(Logged {
            ident: pat.ident.clone(),
            ty,
            owned,
            by_ref,
        });
    }
    Ok(logged)
}

/// The owned type a `&elem` parameter is read back as.
fn owned_of(elem: &Type) -> Type {
    match elem {
        Type::Path(path) if path.qself.is_none() && path.path.is_ident("str") => {
            syn::parse_quote_spanned!(elem.span()=> ::std::string::String)
        }
        Type::Slice(slice) => {
            let item = &slice.elem;
            syn::parse_quote_spanned!(elem.span()=> ::std::vec::Vec<#item>)
        }
        other => other.clone(),
    }
}

/// `T` of a return type `Result<T, E>` (or an alias whose first argument is `T`).
pub(crate) fn output_type(function: &ItemFn, attribute: &str) -> syn::Result<Type> {
    let ReturnType::Type(_, ty) = &function.sig.output else {
        return Err(syn::Error::new(function.sig.ident.span(), "no return type"));
    };
    if let Type::Path(path) = &**ty
        && let Some(segment) = path.path.segments.last()
        && let syn::PathArguments::AngleBracketed(args) = &segment.arguments
        && let Some(syn::GenericArgument::Type(output)) = args.args.first()
    {
        return Ok(output.clone());
    }
    Err(syn::Error::new(
        ty.span(),
        format!(
            "{attribute} logs the function's output: write the return type as `Result<T, E>` so that `T` can be read"
        ),
    ))
}

/// A name for the generated function's first parameter that no logged parameter uses.
pub(crate) fn free_name(preferred: &str, logged: &[Logged]) -> Ident {
    if logged.iter().any(|param| param.ident == preferred) {
        format_ident!("__coord_{}", preferred)
    } else {
        Ident::new(preferred, Span::call_site())
    }
}

/// The name in the log: `name = "..."`, else the function's name.
pub(crate) fn log_name(name: Option<LitStr>, function: &ItemFn) -> LitStr {
    name.unwrap_or_else(|| {
        LitStr::new(
            &syn::ext::IdentExt::unraw(&function.sig.ident).to_string(),
            function.sig.ident.span(),
        )
    })
}

fn saga(args: SagaArgs, function: &ItemFn) -> syn::Result<TokenStream> {
    let function = crate::plan::without_coord_attributes(function);
    let logged = logged_parameters(&function, ATTRIBUTE)?;
    let krate = super::crate_path(args.krate);
    let private = quote!(#krate::__private);
    let name = log_name(args.name, &function);
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = &function;
    let ident = &sig.ident;
    let output = &sig.output;
    let run_id = free_name("run_id", &logged);
    let params = logged.iter().map(|param| {
        let (ident, ty) = (&param.ident, &param.ty);
        quote!(#ident: #ty)
    });
    let inner_inputs = &sig.inputs;
    let generics = &sig.generics;
    let idents: Vec<&Ident> = logged.iter().map(|param| &param.ident).collect();
    let owned: Vec<&Type> = logged.iter().map(|param| &param.owned).collect();
    let passed = logged.iter().map(Logged::passed_from_log);
    let inputs = logged_inputs(&logged, &private);
    // The output's `Loggable` bound is reported at its type.
    let run = match output_type(&function, ATTRIBUTE) {
        Ok(ty) => quote!(#private::patterns::run_declared::<_, #ty, _, _, _>),
        Err(_) => quote!(#private::patterns::run_declared),
    };
    let returned = match output {
        ReturnType::Type(_, ty) => quote!(#ty),
        ReturnType::Default => quote!(()),
    };
    // Lint attributes on the outer function reach the inner ones too: they nest.
    Ok(quote! {
        #(#attrs)*
        #vis async fn #ident #generics (#run_id: &str, #(#params),*) #output {
            async fn __coord_saga_body #generics (#inner_inputs) #output #block

            fn __coord_saga_entry(
                saga: #krate::saga::SagaContext,
                (#(#idents,)*): (#(#owned,)*),
            ) -> impl ::core::future::Future<Output = #returned> {
                async move { __coord_saga_body(saga, #(#passed),*).await }
            }

            fn __coord_saga_register(engine: &#krate::saga::SagaEngine) {
                let _ = engine.register(#name, __coord_saga_entry);
            }

            #[#private::linkme::distributed_slice(#private::patterns::SAGA_DECLARATIONS)]
            #[linkme(crate = #private::linkme)]
            static __COORD_SAGA_DECLARATION: #private::patterns::SagaDeclaration =
                #private::patterns::SagaDeclaration {
                    name: #name,
                    location: ::core::concat!(::core::file!(), ":", ::core::line!()),
                    register: __coord_saga_register,
                };

            #run(#name, #run_id, #inputs, __coord_saga_entry).await
        }
    })
}
