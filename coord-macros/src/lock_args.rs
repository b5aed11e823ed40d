//! The lock arguments shared by `#[distributed_lock(...)]` and
//! `#[coordinate_operation(lock(...))]`: `key = "inventory:{sku}"` (each `{name}` a parameter of
//! the function), `ttl`, `wait`, `backend`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Ident, ItemFn, LitStr};

use crate::args::{self, KeyTable, NamedArg};
use crate::errors::Errors;

/// Every key of a lock group.
pub(crate) const LOCK_KEYS: &[&str] = &["key", "ttl", "wait", "backend"];

const ATTRIBUTE_KEYS: KeyTable = KeyTable {
    context: "#[distributed_lock]",
    groups: &[LOCK_KEYS, &["crate"]],
    repeatable: &[],
};

const GROUP_KEYS: KeyTable = KeyTable {
    context: "lock(...)",
    groups: &[LOCK_KEYS],
    repeatable: &[],
};

/// A lock a function asked for.
#[derive(Default)]
pub(crate) struct LockArgs {
    /// The key template as written.
    key: Option<LitStr>,
    /// Its pieces, once read.
    pieces: Vec<coord_text::KeyPiece>,
    ttl: Option<u64>,
    wait: Option<u64>,
    backend: Option<LitStr>,
    /// Path to the coord crate (the standalone attribute's `crate = ...`).
    pub krate: Option<syn::Path>,
}

impl LockArgs {
    /// Reads `#[distributed_lock(...)]`'s arguments, recording every mistake in `errors`.
    pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut parsed = LockArgs::default();
        let named = args::keyed(
            tokens,
            "#[distributed_lock] takes keyed arguments: `key = \"inventory:{sku}\"`",
            errors,
        );
        for arg in ATTRIBUTE_KEYS.check(&named, errors) {
            if arg.key_name() == "crate" {
                parsed.krate = errors.ok(args::crate_path(arg));
            } else {
                parsed.read(arg, errors);
            }
        }
        parsed.finish(Span::call_site(), errors);
        parsed
    }

    /// Reads a `lock(...)` group of `#[coordinate_operation]`.
    pub(crate) fn read_group(arg: &NamedArg, errors: &mut Errors) -> Self {
        let mut parsed = LockArgs::default();
        for inner in &args::group(arg, &GROUP_KEYS, errors) {
            parsed.read(inner, errors);
        }
        parsed.finish(arg.key.span(), errors);
        parsed
    }

    fn read(&mut self, arg: &NamedArg, errors: &mut Errors) {
        match arg.key_name().as_str() {
            "key" => {
                let Some(key) = errors.ok(args::string(arg, "\"inventory:{sku}\"")) else {
                    return;
                };
                match coord_text::parse_key_template(&key.value()) {
                    Ok(pieces) => self.pieces = pieces,
                    Err(problem) => errors.at(key.span(), format!("lock `key`: {problem}")),
                }
                self.key = Some(key);
            }
            "ttl" => self.ttl = errors.ok(args::option_duration(arg, &coord_text::LOCK_TTL)),
            "wait" => self.wait = errors.ok(args::option_duration(arg, &coord_text::LOCK_WAIT)),
            "backend" => {
                let Some(backend) = errors.ok(args::string(arg, "\"redis\"")) else {
                    return;
                };
                if backend.value().trim().is_empty() {
                    errors.at(backend.span(), "the lock backend's name is empty");
                }
                self.backend = Some(backend);
            }
            other => errors.at(arg.key.span(), format!("`{other}` is not a lock argument")),
        }
    }

    fn finish(&self, span: Span, errors: &mut Errors) {
        if self.key.is_none() {
            errors.at(
                span,
                "a lock needs its key: `key = \"inventory:{sku}\"` (`{name}` is a parameter's value)",
            );
        }
    }

    /// Checks the lock against the function: async, and every `{name}` a parameter.
    pub(crate) fn check(&self, function: &ItemFn, attribute: &str) -> syn::Result<()> {
        if function.sig.asyncness.is_none() {
            return Err(syn::Error::new(
                function.sig.fn_token.span,
                format!(
                    "{attribute}: a distributed lock is renewed while the body runs and the body is stopped if the lock is lost, which needs an `async fn`; in sync code use `coord::lock(..)` and check `LockGuard::is_held()`"
                ),
            ));
        }
        let Some(key) = &self.key else {
            return Ok(());
        };
        let parameters = crate::func::parameters(function);
        for piece in &self.pieces {
            if let coord_text::KeyPiece::Parameter(name) = piece
                && !parameters.contains(name)
            {
                if let Some(hint) = crate::func::pattern_hint(function, name) {
                    return Err(syn::Error::new(key.span(), format!("lock `key`: {hint}")));
                }
                let listed = if parameters.is_empty() {
                    "it has none".to_owned()
                } else {
                    format!("its parameters: {}", parameters.join(", "))
                };
                let candidates: Vec<&str> = parameters.iter().map(String::as_str).collect();
                let hint = coord_text::closest(name, &candidates)
                    .map(|near| format!("; did you mean `{{{near}}}`?"))
                    .unwrap_or_default();
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "lock `key`: `{{{name}}}` is not a parameter of this function{hint} ({listed})"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A block running `body` (an expression of the function's return type, with `.await`s)
    /// while holding the lock; for an async function.
    pub(crate) fn wrap(&self, body: &TokenStream, krate: &syn::Path) -> TokenStream {
        let private = quote!(#krate::__private);
        let Some(key) = &self.key else {
            return body.clone();
        };
        let span = key.span();
        let mut format = String::new();
        let mut values = Vec::new();
        for piece in &self.pieces {
            match piece {
                coord_text::KeyPiece::Text(text) => {
                    format.push_str(&text.replace('{', "{{").replace('}', "}}"));
                }
                coord_text::KeyPiece::Parameter(name) => {
                    format.push_str("{}");
                    // Spanned at the key: a parameter that is not `Display` is reported there.
                    let ident = Ident::new(name, span);
                    values.push(quote_spanned!(span=> &#ident));
                }
            }
        }
        let format = LitStr::new(&format, span);
        let duration = |nanos: Option<u64>| match nanos {
            Some(nanos) => {
                quote!(::core::option::Option::Some(::core::time::Duration::from_nanos(#nanos)))
            }
            None => quote!(::core::option::Option::None),
        };
        let (ttl, wait) = (duration(self.ttl), duration(self.wait));
        let backend = match &self.backend {
            Some(backend) => quote!(::core::option::Option::Some(#backend)),
            None => quote!(::core::option::Option::None),
        };
        let site = Ident::new("__COORD_LOCK_SITE", Span::mixed_site());
        // The `From<coord::Error>` requirement is reported at the key.
        let run = quote_spanned!(span=> #site.run);
        quote! {{
            static #site: #private::patterns::LockSite = #private::patterns::LockSite {
                template: #key,
                ttl: #ttl,
                wait: #wait,
                backend: #backend,
            };
            #run(::std::format!(#format #(, #values)*), async move { #body }).await
        }}
    }
}
