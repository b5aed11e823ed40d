//! The retry arguments shared by `#[handle_errors(...)]` and `#[coordinate_operation(retry(...))]`:
//! `max_retries`, `backoff`, `base_delay`, `multiplier`, `max_delay`, `jitter`, `deadline`, `timeout`,
//! `severity`, `retry_if`, `record_if`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::args::{self, KeyTable, NamedArg};
use crate::errors::Errors;
use coord_text::{BACKOFFS, JITTERS, SEVERITIES};

/// Every retry key.
pub(crate) const RETRY_KEYS: &[&str] = &[
    "max_retries",
    "backoff",
    "base_delay",
    "multiplier",
    "max_delay",
    "jitter",
    "deadline",
    "timeout",
    "severity",
    "retry_if",
    "record_if",
    "budget",
];

/// The keys of a `budget(...)` group.
const BUDGET_GROUP: KeyTable = KeyTable {
    context: "budget(...)",
    groups: &[&["ratio", "min_per_second"]],
    repeatable: &[],
};

/// The retry policy a function asked for; absent fields come from its severity's defaults.
#[derive(Default)]
pub(crate) struct RetryArgs {
    severity: Option<&'static str>,
    max_retries: Option<u32>,
    backoff: Option<&'static str>,
    base_delay: Option<(u64, Span)>,
    multiplier: Option<f64>,
    max_delay: Option<(u64, Span)>,
    jitter: Option<&'static str>,
    deadline: Option<(u64, Span)>,
    /// The retry budget: its ratio and floor a second.
    budget: Option<(f64, Option<u32>)>,
    /// Per attempt, with the key's span (a sync function cannot have one).
    timeout: Option<(u64, Span)>,
    /// A user function `fn(&E) -> bool` deciding which errors are retried.
    pub retry_if: Option<syn::Path>,
    /// A user function `fn(&E) -> bool` deciding which errors count against the breaker.
    pub record_if: Option<syn::Path>,
    /// The function answering a call that failed for a dependency's sake (written at the
    /// attribute's top level, not in `retry(...)`), with the key's span.
    pub fallback: Option<(syn::Path, Span)>,
}

/// The keys of a `retry(...)` group.
const RETRY_GROUP: KeyTable = KeyTable {
    context: "retry(...)",
    groups: &[RETRY_KEYS],
    repeatable: &[],
};

impl RetryArgs {
    /// Reads and checks a `retry(...)` group (of `#[coordinate_operation]` or `#[step]`).
    pub(crate) fn read_group(arg: &NamedArg, errors: &mut Errors) -> Self {
        let mut parsed = RetryArgs::default();
        for inner in &args::group(arg, &RETRY_GROUP, errors) {
            parsed.read(inner, errors);
        }
        parsed.check(errors);
        parsed
    }

    /// Reads one retry argument (its key already checked against [`RETRY_KEYS`]).
    pub(crate) fn read(&mut self, arg: &NamedArg, errors: &mut Errors) {
        match arg.key_name().as_str() {
            "severity" => self.severity = errors.ok(args::choice(arg, SEVERITIES)),
            "max_retries" => {
                self.max_retries = errors.ok(args::option_count(arg, &coord_text::MAX_RETRIES));
            }
            "backoff" => self.backoff = errors.ok(args::choice(arg, BACKOFFS)),
            "base_delay" => {
                self.base_delay = errors
                    .ok(args::option_duration(arg, &coord_text::BASE_DELAY))
                    .map(|n| (n, arg.key.span()));
            }
            "multiplier" => {
                self.multiplier = errors.ok(args::option_number(arg, &coord_text::MULTIPLIER));
            }
            "max_delay" => {
                self.max_delay = errors
                    .ok(args::option_duration(arg, &coord_text::MAX_DELAY))
                    .map(|n| (n, arg.key.span()));
            }
            "jitter" => self.jitter = errors.ok(args::choice(arg, JITTERS)),
            "deadline" => {
                self.deadline = errors
                    .ok(args::option_duration(arg, &coord_text::DEADLINE))
                    .map(|n| (n, arg.key.span()));
            }
            "timeout" => {
                self.timeout = errors
                    .ok(args::option_duration(arg, &coord_text::ATTEMPT_TIMEOUT))
                    .map(|n| (n, arg.key.span()));
            }
            "retry_if" => self.retry_if = errors.ok(args::path(arg, "is_transient")),
            "budget" => self.budget = read_budget(arg, errors),
            "record_if" => self.record_if = errors.ok(args::path(arg, "counts_against_breaker")),
            other => errors.at(arg.key.span(), format!("`{other}` is not a retry argument")),
        }
    }

    /// Checks arguments against each other once all are read.
    pub(crate) fn check(&self, errors: &mut Errors) {
        if let (Some((base, _)), Some((max, max_span))) = (self.base_delay, self.max_delay)
            && let Some(problem) = coord_text::retry_combination_problem(Some(base), Some(max))
        {
            errors.at(max_span, problem);
        }
    }

    /// A `const` expression building the `RetryPolicy`.
    pub(crate) fn policy(&self, krate: &syn::Path) -> TokenStream {
        let private = quote!(#krate::__private);
        let severity = match self.severity.unwrap_or("medium") {
            "low" => quote!(Low),
            "high" => quote!(High),
            "critical" => quote!(Critical),
            _ => quote!(Medium),
        };
        let duration = |nanos: u64| quote!(::core::time::Duration::from_nanos(#nanos));
        let mut policy = quote!(#private::RetryPolicy::for_severity(#private::Severity::#severity));
        if let Some(retries) = self.max_retries {
            policy.extend(quote!(.max_retries(#retries)));
        }
        if let Some(backoff) = self.backoff {
            let variant = match backoff {
                "linear" => quote!(Linear),
                "constant" => quote!(Constant),
                _ => quote!(Exponential),
            };
            policy.extend(quote!(.backoff(#private::Backoff::#variant)));
        }
        if let Some((nanos, _)) = self.base_delay {
            let delay = duration(nanos);
            policy.extend(quote!(.base_delay(#delay)));
        }
        if let Some(multiplier) = self.multiplier {
            policy.extend(quote!(.multiplier(#multiplier)));
        }
        if let Some((nanos, _)) = self.max_delay {
            let delay = duration(nanos);
            policy.extend(quote!(.max_delay(#delay)));
        }
        if let Some(jitter) = self.jitter {
            let variant = match jitter {
                "full" => quote!(Full),
                "equal" => quote!(Equal),
                "decorrelated" => quote!(Decorrelated),
                _ => quote!(None),
            };
            policy.extend(quote!(.jitter(#private::Jitter::#variant)));
        }
        if let Some((nanos, _)) = self.deadline {
            let deadline = duration(nanos);
            policy.extend(quote!(.deadline(#deadline)));
        }
        if let Some((ratio, min_per_second)) = self.budget {
            let mut budget = quote!(#private::RetryBudget::new(#ratio));
            if let Some(min) = min_per_second {
                budget.extend(quote!(.min_per_second(#min)));
            }
            policy.extend(quote!(.budget(#budget)));
        }
        if let Some((nanos, _)) = self.timeout {
            let timeout = duration(nanos);
            policy.extend(quote!(.timeout(#timeout)));
        }
        policy
    }

    /// Whether the attribute writes a `deadline`.
    pub(crate) fn has_deadline(&self) -> bool {
        self.deadline.is_some()
    }

    /// Where the attribute writes a time limit an async attempt is cancelled at (`timeout`,
    /// else `deadline`), if it does: the span the `From<coord::Error>` requirement of the
    /// `Timeout` error is reported at.
    pub(crate) fn time_limit_span(&self) -> Option<Span> {
        self.timeout.or(self.deadline).map(|(_, span)| span)
    }

    /// Refuses a `timeout` on a sync function, which nothing can cancel mid-call.
    pub(crate) fn check_timeout(&self, function: &syn::ItemFn) -> syn::Result<()> {
        match self.timeout {
            Some((_, span)) if function.sig.asyncness.is_none() => Err(syn::Error::new(
                span,
                "`timeout` needs an async function: a sync call cannot be cancelled once it runs, so its attempts could not be bounded. Make the function `async`, or bound the blocking call itself (a socket or client timeout) and use `deadline`, which starts no retry past it",
            )),
            _ => Ok(()),
        }
    }

    /// A `const` expression naming the policy fields taken from the configuration at run time:
    /// those the attribute left unset, unless it wrote a `severity` (whose preset then fills
    /// them).
    pub(crate) fn inherited(&self, krate: &syn::Path) -> TokenStream {
        let open = |written: bool| self.severity.is_none() && !written;
        let max_retries = open(self.max_retries.is_some());
        let base_delay = open(self.base_delay.is_some());
        let multiplier = open(self.multiplier.is_some());
        quote!(#krate::__private::Inherited::fields(#max_retries, #base_delay, #multiplier))
    }

    /// The expression deciding whether `error` is retried: the `retry_if` function, else the
    /// error's class (`class`, from its `Classify` impl, else transient).
    pub(crate) fn retryable(&self, class: &syn::Ident, error: &syn::Ident) -> TokenStream {
        match &self.retry_if {
            Some(path) => user_predicate(path, error),
            None => quote!(#class.is_retried()),
        }
    }

    /// The expression saying whether `error` counts against the breaker, if the attribute
    /// decides: `Some(record_if(error))`, else `None` (the class and severity decide).
    pub(crate) fn recorded(&self, error: &syn::Ident) -> TokenStream {
        match &self.record_if {
            Some(path) => {
                let call = user_predicate(path, error);
                quote!(::core::option::Option::Some(#call))
            }
            None => quote!(::core::option::Option::None),
        }
    }
}

/// Reads `budget(ratio = 0.2, min_per_second = 10)`; `ratio` is required.
fn read_budget(arg: &NamedArg, errors: &mut Errors) -> Option<(f64, Option<u32>)> {
    let (mut ratio, mut min_per_second) = (None, None);
    for inner in &args::group(arg, &BUDGET_GROUP, errors) {
        if inner.key_name() == "ratio" {
            ratio = Some(errors.ok(args::option_number(inner, &coord_text::BUDGET_RATIO)));
        } else {
            min_per_second = errors.ok(args::option_count(
                inner,
                &coord_text::MIN_RETRIES_PER_SECOND,
            ));
        }
    }
    match ratio {
        Some(Some(ratio)) => Some((ratio, min_per_second)),
        Some(None) => None,
        None => {
            errors.at(
                arg.key.span(),
                "`budget(...)` needs `ratio = 0.2`: the share of calls that may be retried",
            );
            None
        }
    }
}

/// A call of the user's `fn(&E) -> bool` at `path`; the argument sits at the path too, so a
/// signature mismatch points there.
fn user_predicate(path: &syn::Path, error: &syn::Ident) -> TokenStream {
    let span = syn::spanned::Spanned::span(path);
    let error = syn::Ident::new(&error.to_string(), Span::mixed_site().located_at(span));
    quote_spanned!(span=> (#path)(#error))
}
