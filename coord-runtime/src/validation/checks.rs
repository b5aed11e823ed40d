//! Custom checks: functions a rule names with `check`, registered by name for rule files
//! ([`register_check`]) or named by path in attributes (the macro hands the function itself to
//! the compiled rules). A check takes a string, an integer, a number or a boolean and answers
//! `bool` or `Result<(), E: Display>`; a panic in it is caught and becomes a validation error
//! naming the check, so a buggy check cannot take the validator (or the request) down.

use std::collections::HashMap;
use std::fmt::Display;
use std::marker::PhantomData;
use std::sync::{Arc, PoisonError, RwLock};

/// What a check was given: the value at the rule's position, by kind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CheckValue<'v> {
    Str(&'v str),
    Integer(i64),
    Number(f64),
    Bool(bool),
}

/// A check's verdict on one value.
#[derive(Debug)]
pub enum Verdict {
    /// The value passes.
    Pass,
    /// The value fails, with the check's explanation when it gave one.
    Fail(Option<String>),
    /// The check takes another kind of value (`"a string"`, `"an integer"`, ...).
    WrongKind(&'static str),
}

/// What a check function returns: `bool` (pass or fail) or `Result<(), E>` (the error's text
/// explains the failure in the validation error's message).
pub trait CheckOutcome {
    /// Into a verdict.
    fn verdict(self) -> Verdict;
}

impl CheckOutcome for bool {
    fn verdict(self) -> Verdict {
        if self {
            Verdict::Pass
        } else {
            Verdict::Fail(None)
        }
    }
}

impl<E: Display> CheckOutcome for Result<(), E> {
    fn verdict(self) -> Verdict {
        match self {
            Ok(()) => Verdict::Pass,
            Err(err) => Verdict::Fail(Some(err.to_string())),
        }
    }
}

/// Marker types telling [`IntoCheck`] implementations apart by the argument they take.
pub mod takes {
    /// `Fn(&str)`.
    #[derive(Debug)]
    pub struct Str;
    /// `Fn(i64)`: integers (and floats without a fraction) that fit an `i64`.
    #[derive(Debug)]
    pub struct Integer;
    /// `Fn(f64)`: any number.
    #[derive(Debug)]
    pub struct Number;
    /// `Fn(bool)`.
    #[derive(Debug)]
    pub struct Bool;
}

/// A function usable as a check: `Fn(&str)`, `Fn(i64)`, `Fn(f64)` or `Fn(bool)` returning a
/// [`CheckOutcome`]. `Takes` is one of the [`takes`] markers, inferred from the function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a coord check",
    label = "not a check",
    note = "a check is a function (or closure) taking `&str`, `i64`, `f64` or `bool` and returning `bool` or `Result<(), E>` where `E: Display`"
)]
pub trait IntoCheck<Takes>: Send + Sync + 'static {
    /// Runs the check on `value`.
    #[doc(hidden)]
    fn run(&self, value: CheckInput<'_>) -> Verdict;
}

/// The value handed to a check; opaque outside coord.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'v>(pub(crate) CheckValue<'v>);

impl<F, R> IntoCheck<takes::Str> for F
where
    F: Fn(&str) -> R + Send + Sync + 'static,
    R: CheckOutcome,
{
    fn run(&self, value: CheckInput<'_>) -> Verdict {
        match value.0 {
            CheckValue::Str(text) => self(text).verdict(),
            _ => Verdict::WrongKind("a string"),
        }
    }
}

impl<F, R> IntoCheck<takes::Integer> for F
where
    F: Fn(i64) -> R + Send + Sync + 'static,
    R: CheckOutcome,
{
    fn run(&self, value: CheckInput<'_>) -> Verdict {
        match value.0 {
            CheckValue::Integer(number) => self(number).verdict(),
            _ => Verdict::WrongKind("an integer"),
        }
    }
}

impl<F, R> IntoCheck<takes::Number> for F
where
    F: Fn(f64) -> R + Send + Sync + 'static,
    R: CheckOutcome,
{
    fn run(&self, value: CheckInput<'_>) -> Verdict {
        match value.0 {
            CheckValue::Number(number) => self(number).verdict(),
            #[allow(clippy::cast_precision_loss)] // an i64 as the f64 the check asked for
            CheckValue::Integer(number) => self(number as f64).verdict(),
            _ => Verdict::WrongKind("a number"),
        }
    }
}

impl<F, R> IntoCheck<takes::Bool> for F
where
    F: Fn(bool) -> R + Send + Sync + 'static,
    R: CheckOutcome,
{
    fn run(&self, value: CheckInput<'_>) -> Verdict {
        match value.0 {
            CheckValue::Bool(flag) => self(flag).verdict(),
            _ => Verdict::WrongKind("a boolean"),
        }
    }
}

/// A check with its argument kind erased, as the compiled rules hold it.
pub trait DynCheck: Send + Sync {
    /// Runs the check on `value`.
    #[doc(hidden)]
    fn run(&self, value: CheckInput<'_>) -> Verdict;
}

/// A check function with the marker of what it takes: built in a `static` by the attributes
/// for `check = path::to::function` (so the function is checked by the compiler) and by
/// [`register_check`].
pub struct TypedCheck<F, Takes>(F, PhantomData<fn() -> Takes>);

impl<F, Takes> TypedCheck<F, Takes> {
    /// Wraps `check`.
    pub const fn new(check: F) -> Self {
        Self(check, PhantomData)
    }
}

impl<F: IntoCheck<Takes>, Takes> DynCheck for TypedCheck<F, Takes> {
    fn run(&self, value: CheckInput<'_>) -> Verdict {
        self.0.run(value)
    }
}

/// A check as a rule holds it: its name (for messages) and the function.
#[derive(Clone)]
pub(crate) struct CustomCheck {
    pub name: Arc<str>,
    pub run: CheckFn,
}

/// Where a check's function lives: registered at run time, or a `static` the macro wrote.
#[derive(Clone)]
pub(crate) enum CheckFn {
    Registered(Arc<dyn DynCheck>),
    Static(&'static dyn DynCheck),
}

impl CustomCheck {
    pub(crate) fn run(&self, value: CheckValue<'_>) -> Verdict {
        let input = CheckInput(value);
        match &self.run {
            CheckFn::Registered(check) => check.run(input),
            CheckFn::Static(check) => check.run(input),
        }
    }
}

impl std::fmt::Debug for CustomCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomCheck({})", self.name)
    }
}

/// The checks named by rule files, by name.
static REGISTERED: RwLock<Option<HashMap<String, Arc<dyn DynCheck>>>> = RwLock::new(None);

/// Why a check could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckNameError {
    /// The name is empty or has characters a rule file could not write plainly.
    #[error(
        "check name `{0}` must be letters, digits, `_`, `-`, `.` or `:`, starting with a letter"
    )]
    Invalid(String),
}

/// Registers a custom check under `name`, for rule files (`check: sku`) and rule sets built in
/// code. Register checks before the rules that name them load (before `coord::init` for the
/// rules directory): a rule naming an unknown check is refused at load, with the names known.
/// Registering a name again replaces the check for rule sets compiled afterwards.
///
/// The function takes `&str`, `i64`, `f64` or `bool` and returns `bool` or
/// `Result<(), E: Display>` (the error's text goes into the validation error's message, except
/// for `sensitive` fields). A value of another kind fails with `type_mismatch`; a panic becomes
/// a `check_panicked` error naming the check.
///
/// # Errors
/// [`CheckNameError::Invalid`] for an empty name or one with spaces or punctuation.
///
/// ```
/// coord::validation::register_check("docs.sku", |sku: &str| {
///     sku.len() == 8 && sku.starts_with("SKU")
/// })?;
/// let spec: coord::validation::RuleSetSpec = serde_json::from_value(serde_json::json!({
///     "field_validations": {"sku": {"type": "string", "check": "docs.sku"}}
/// }))?;
/// coord::validation::register_rule_set("docs.checked_order", &spec)?;
/// let result = coord::validate("docs.checked_order", &serde_json::json!({"sku": "ABC"}))?;
/// assert_eq!(result.errors[0].code, coord::validation::ErrorCode::CheckFailed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn register_check<Takes>(name: &str, check: impl IntoCheck<Takes>) -> Result<(), CheckNameError>
where
    Takes: 'static,
{
    let valid = name.chars().next().is_some_and(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if !valid {
        return Err(CheckNameError::Invalid(name.to_owned()));
    }
    let check: Arc<dyn DynCheck> = Arc::new(TypedCheck::new(check));
    REGISTERED
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(name.to_owned(), check);
    Ok(())
}

/// The names of the registered checks, sorted.
#[must_use]
pub fn registered_checks() -> Vec<String> {
    let registered = REGISTERED.read().unwrap_or_else(PoisonError::into_inner);
    let mut names: Vec<String> = registered
        .as_ref()
        .map(|checks| checks.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The check `name` refers to: one of the attribute's own (`local`), else a registered one.
pub(crate) fn resolve(
    name: &str,
    local: &[(String, &'static dyn DynCheck)],
) -> Result<CustomCheck, String> {
    if let Some((_, check)) = local.iter().find(|(written, _)| written == name) {
        return Ok(CustomCheck {
            name: name.into(),
            run: CheckFn::Static(*check),
        });
    }
    let registered = REGISTERED.read().unwrap_or_else(PoisonError::into_inner);
    if let Some(check) = registered.as_ref().and_then(|checks| checks.get(name)) {
        return Ok(CustomCheck {
            name: name.into(),
            run: CheckFn::Registered(Arc::clone(check)),
        });
    }
    let mut known: Vec<&str> = registered
        .as_ref()
        .map(|checks| checks.keys().map(String::as_str).collect())
        .unwrap_or_default();
    known.sort_unstable();
    let hint = coord_text::closest(name, &known)
        .map(|near| format!("; did you mean `{near}`?"))
        .unwrap_or_default();
    let listed = if known.is_empty() {
        "no checks are registered: call `coord::validation::register_check` before the rules load"
            .to_owned()
    } else {
        format!(
            "registered: {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(format!("unknown check `{name}`{hint} ({listed})"))
}
