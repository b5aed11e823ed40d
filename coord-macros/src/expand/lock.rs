//! `#[distributed_lock]`: the body runs while holding the lock, through the plan that also
//! emits the parts stacked with it (validation before the lock, tracking and retries inside).

use proc_macro2::TokenStream;
use syn::ItemFn;

use crate::lock_args::LockArgs;
use crate::plan::{Part, Plan};

const ATTRIBUTE: &str = "#[distributed_lock]";

/// Parses, checks and expands `#[distributed_lock(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    super::attribute(
        ATTRIBUTE,
        args,
        item,
        LockArgs::parse,
        |args, function| {
            args.check(function, ATTRIBUTE)?;
            crate::func::check_returns_result(
                function,
                ATTRIBUTE,
                "returns `Err(coord::Error::LockLost)` when the lock is lost",
            )
        },
        locked,
    )
}

fn locked(mut args: LockArgs, function: &ItemFn) -> syn::Result<TokenStream> {
    let mut plan = Plan::new(args.krate.take());
    plan.lock = Some(args);
    plan.build(function, Part::Lock)
}
