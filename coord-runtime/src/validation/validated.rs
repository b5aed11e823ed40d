//! Types that carry their own validation rules: `#[coord::validated(...)]` on a struct writes
//! the impl (inline rules checked at compile time, or a named rule set), and the axum
//! extractor (`coord::axum::Valid`) validates whatever implements it.

use serde::Serialize;

use crate::values::error::Error;
use crate::values::validation_result::ValidationResult;

/// A value that knows which rules it must satisfy.
///
/// Write it with `#[coord::validated(...)]` on the struct — the same arguments as
/// `#[validate_input]`, with paths starting at the struct's fields — or by hand:
///
/// ```
/// use coord::validation::{FieldSpec, FieldType, RuleSetSpec, Validated, ValidationResult};
///
/// #[derive(serde::Serialize)]
/// struct Order {
///     sku: String,
///     quantity: u32,
/// }
///
/// // Inline rules, checked when the program is compiled:
/// #[coord::validated(required = [sku], field(quantity, type = "integer", min = 1, max = 99))]
/// #[derive(serde::Serialize)]
/// struct Line {
///     sku: String,
///     quantity: u32,
/// }
///
/// // A named rule set, by hand:
/// impl Validated for Order {
///     fn validation(&self) -> Result<ValidationResult, coord::Error> {
///         coord::validate("docs.validated_order", self)
///     }
/// }
///
/// coord::validation::register_rule_set("docs.validated_order", &RuleSetSpec::new()
///     .field("quantity", FieldSpec::of(FieldType::Integer).min(1.0)))?;
/// assert!(!Order { sku: "A-1".into(), quantity: 0 }.validation()?.is_valid);
/// assert!(Line { sku: "A-1".into(), quantity: 3 }.validation()?.is_valid);
/// assert!(!Line { sku: "A-1".into(), quantity: 300 }.validation()?.is_valid);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no validation rules of its own",
    label = "validated by its type's own rules",
    note = "give the type rules with `#[derive(coord::Validate)]` and `#[rule(...)]` on its fields (or `#[coord::validated(...)]`), or name the rules in the attribute: `rules = \"...\"` or `field(...)`"
)]
pub trait Validated: Serialize {
    /// Validates `self` against its rules.
    ///
    /// # Errors
    /// [`Error::UnknownRuleSet`] when its rules are a named rule set that is not loaded. An
    /// invalid value is not an error: see [`ValidationResult::is_valid`].
    fn validation(&self) -> Result<ValidationResult, Error>;

    /// `Ok(())` when valid or when validation is switched off (`enable_validation: false`),
    /// else [`Error::Validation`] — as `#[validate_input]` answers.
    ///
    /// # Errors
    /// [`Error::Validation`] for an invalid value, [`Error::UnknownRuleSet`] as above.
    fn ensure_valid(&self) -> Result<(), Error> {
        if !crate::config::configuration().enable_validation {
            return Ok(());
        }
        super::outcome(self.validation())
    }
}

/// A reference validates as what it points to, so `#[validate_input(arg = order)]` works for
/// `order: &Order` as for `order: Order`.
impl<T: Validated + ?Sized> Validated for &T {
    fn validation(&self) -> Result<ValidationResult, Error> {
        (**self).validation()
    }
}
