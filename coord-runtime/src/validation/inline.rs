//! Rules written in an attribute or on a struct's fields: the macro checks them at compile
//! time and embeds them as a rule-set document, with the functions their `check`s name and,
//! for `#[derive(coord::Validate)]`, the fields whose own type brings rules (`#[rule(nested)]`).
//! They are compiled here once, on first use, by the same compiler as files.

use std::path::Path;
use std::sync::OnceLock;

use super::checks::DynCheck;
use super::plan::compile_with_checks;
use super::rule_set::RuleSet;
use super::spec::RuleSetSpec;
use crate::values::error::Error;
use crate::values::rules_error::{RuleProblem, RulesError};

/// How deeply `#[rule(nested)]` fields may nest: deeper means a type that contains itself,
/// whose rules as paths would never end.
pub(crate) const MAX_NESTING: usize = 8;

/// The checks an attribute's rules name by path, with their functions.
pub type LocalChecks = &'static [(&'static str, &'static dyn DynCheck)];

/// A field whose type brings its own rules: its wire name and where its rules are.
pub type NestedRules = &'static [(&'static str, fn() -> &'static InlineRules)];

/// One function's or type's inline rules. Not a stable API: generated code builds one per
/// function or type.
pub struct InlineRules {
    name: &'static str,
    source: &'static str,
    checks: LocalChecks,
    nested: NestedRules,
    compiled: OnceLock<Result<RuleSet, RulesError>>,
}

impl InlineRules {
    /// Rules named `name` (the function's), written as a JSON rule-set document.
    pub const fn new(name: &'static str, source: &'static str) -> Self {
        Self::with_parts(name, source, &[], &[])
    }

    /// Rules whose `check`s may name `checks`, with `nested` fields validated by their type's
    /// rules under the field's name.
    pub const fn with_parts(
        name: &'static str,
        source: &'static str,
        checks: LocalChecks,
        nested: NestedRules,
    ) -> Self {
        Self {
            name,
            source,
            checks,
            nested,
            compiled: OnceLock::new(),
        }
    }

    /// Runs `with` on the compiled rules.
    ///
    /// # Errors
    /// [`Error::InvalidRules`] if they do not compile: a registered check they name is not
    /// registered, a nested type contains itself, or (as the macro checks the rest first) a
    /// coord bug.
    pub fn with<R>(&self, with: impl FnOnce(&RuleSet) -> R) -> Result<R, Error> {
        let compiled = self.compiled.get_or_init(|| {
            let mut checks = Vec::new();
            let mut within = Vec::new();
            let spec = self.merged(0, &mut checks, &mut within).map_err(problem)?;
            compile_with_checks(self.name, &spec, &checks, &within)
                .map(RuleSet::new)
                .map_err(|problems| {
                    problem(
                        problems
                            .into_iter()
                            .map(|p| {
                                if p.keys.is_empty() {
                                    p.message
                                } else {
                                    format!("{}: {}", p.keys.join(" > "), p.message)
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })
        });
        match compiled {
            Ok(rule_set) => Ok(with(rule_set)),
            Err(err) => Err(Error::InvalidRules(err.clone())),
        }
    }

    /// This document with its nested types' rules moved under their fields, every local
    /// check they name collected into `checks`, and the fields they require collected into
    /// `within` (required when their parent is present: a nested `Option` field that is `None`
    /// is missing as a whole, not missing its required fields).
    fn merged(
        &self,
        depth: usize,
        checks: &mut Vec<(String, &'static dyn DynCheck)>,
        within: &mut Vec<String>,
    ) -> Result<RuleSetSpec, String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "`{}`: nested rules go deeper than {MAX_NESTING} levels; a type whose rules nest itself cannot be validated by paths",
                self.name
            ));
        }
        let mut spec: RuleSetSpec =
            serde_json::from_str(self.source).map_err(|err| err.to_string())?;
        for (written, check) in self.checks {
            // Two types may name different functions by the same path (`check = sku` in two
            // modules), and which function a path meant is not known here: a nested type's
            // check whose name is taken gets its type's name added, so each runs its own.
            let name = if checks.iter().any(|(taken, _)| taken == written) {
                let renamed = format!("{written} ({})", self.name);
                rename_check(&mut spec, written, &renamed);
                renamed
            } else {
                (*written).to_owned()
            };
            checks.push((name, *check));
        }
        for (field, rules) in self.nested {
            let mut inner_within = Vec::new();
            let inner = rules().merged(depth + 1, checks, &mut inner_within)?;
            nest(&mut spec, field, inner, &mut inner_within);
            within.extend(inner_within);
        }
        Ok(spec)
    }
}

/// Renames check `from` to `to` in every field rule of `spec`, items included.
fn rename_check(spec: &mut RuleSetSpec, from: &str, to: &str) {
    fn in_field(field: &mut super::spec::FieldSpec, from: &str, to: &str) {
        if field.check.as_deref() == Some(from) {
            field.check = Some(to.to_owned());
        }
        if let Some(items) = field.items.as_deref_mut() {
            in_field(items, from, to);
        }
    }
    for field in spec.field_validations.values_mut() {
        in_field(field, from, to);
    }
}

/// Moves `inner`'s per-field rules under `field` in `outer` (`field` empty: a flattened
/// field, whose fields are the outer value's). Its required fields go to `within` (moved too).
/// Its rule-set-wide limits (`forbidden_patterns`, `max_depth`, ...) stay the outer type's.
fn nest(outer: &mut RuleSetSpec, field: &str, inner: RuleSetSpec, within: &mut Vec<String>) {
    let under = |path: &str| {
        if field.is_empty() {
            path.to_owned()
        } else {
            format!("{field}.{path}")
        }
    };
    for path in within.iter_mut() {
        *path = under(path);
    }
    for (path, mut rules) in inner.field_validations {
        if std::mem::take(&mut rules.required) {
            within.push(under(&path));
        }
        outer.field_validations.insert(under(&path), rules);
    }
    within.extend(inner.required_fields.iter().map(|path| under(path)));
    for written in inner.compare {
        // Unparseable rules are kept as written: compiling reports them.
        let moved = coord_text::parse_comparison(&written).map_or(written.clone(), |c| {
            format!("{} {} {}", under(c.left), c.op.as_str(), under(c.right))
        });
        outer.compare.push(moved);
    }
    outer.one_of_required.extend(
        inner
            .one_of_required
            .iter()
            .map(|paths| paths.iter().map(|path| under(path)).collect()),
    );
}

fn problem(message: String) -> RulesError {
    RulesError {
        problems: vec![RuleProblem {
            file: Path::new("<inline>").to_path_buf(),
            line: None,
            column: None,
            message,
        }],
    }
}
