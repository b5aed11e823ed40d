//! The state of one validation and every check it applies to a value, by kind of value.
//! The serde plumbing that feeds it lives in `serializer.rs`.

use serde_json::{Map, Value, json};

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::checks::{CheckValue, CustomCheck, Verdict};
use super::formats;
use super::path::PathBuffer;
use super::plan::{MAX_RELATION_FIELDS, Node, Plan, Relation, Rule};
use super::shape::Shapes;
use super::spec::{AllowedValue, FieldType};
use super::survey::Survey;
use crate::base::escape::escape_controls;
use crate::values::validation_result::{ErrorCode, ValidationError, ValidationResult};

/// A number as serde hands it over.
#[derive(Clone, Copy)]
pub(crate) enum Number {
    Signed(i128),
    Unsigned(u128),
    Float(f64),
}

impl Number {
    #[allow(clippy::cast_precision_loss)] // limits are f64; huge integers compare approximately
    fn as_f64(self) -> f64 {
        match self {
            Number::Signed(n) => n as f64,
            Number::Unsigned(n) => n as f64,
            Number::Float(n) => n,
        }
    }

    /// Whole numbers, including floats like `1.0` (JSON Schema's rule).
    fn is_integer(self) -> bool {
        match self {
            Number::Float(n) => n.is_finite() && n.fract() == 0.0,
            _ => true,
        }
    }
}

impl Number {
    /// The value as a check takes it: an integer when it is one and fits an `i64`.
    #[allow(clippy::cast_possible_truncation)] // a whole float within i64's range
    fn for_check(self) -> CheckValue<'static> {
        let integer = match self {
            Number::Signed(n) => i64::try_from(n).ok(),
            Number::Unsigned(n) => i64::try_from(n).ok(),
            Number::Float(n) if self.is_integer() && n.abs() < 9.2e18 => Some(n as i64),
            Number::Float(_) => None,
        };
        integer.map_or(CheckValue::Number(self.as_f64()), CheckValue::Integer)
    }
}

/// What a validation keeps of a field that a relation (`compare`, `one_of_required`) names.
#[derive(Debug, Clone, Copy, Default)]
enum Captured {
    /// Not seen, or `None`.
    #[default]
    Absent,
    /// Seen, as something a comparison cannot order.
    Present,
    Number(f64),
    /// An RFC 3339 date-time: seconds since the epoch and nanoseconds.
    Instant(i64, u32),
}

/// One validation in progress.
pub(crate) struct Walk<'p> {
    pub plan: &'p Plan,
    pub path: PathBuffer,
    pub depth: u32,
    passed: u32,
    applicable: u32,
    errors: Vec<ValidationError>,
    /// Errors past the plan's `max_errors`, counted but not listed.
    omitted: u64,
    forbidden_hit: bool,
    too_deep: bool,
    string_too_long: bool,
    /// Set on a rule set's first validation only (see `survey.rs`).
    pub survey: Option<Box<Survey>>,
    /// The values of the fields the relations name, by slot.
    captured: [Captured; MAX_RELATION_FIELDS],
}

impl<'p> Walk<'p> {
    /// Inlined so the walk (with its path buffer) is built where it is used, not copied there.
    #[inline(always)]
    pub(crate) fn new(plan: &'p Plan) -> Self {
        Self {
            plan,
            path: PathBuffer::new(),
            depth: 0,
            passed: 0,
            applicable: 0,
            errors: Vec::new(),
            omitted: 0,
            forbidden_hit: false,
            too_deep: false,
            string_too_long: false,
            survey: None,
            captured: [Captured::Absent; MAX_RELATION_FIELDS],
        }
    }

    pub(crate) fn node(&self, node: Option<usize>) -> Option<&'p Node> {
        node.map(|index| &self.plan.nodes[index])
    }

    /// Counts one applicable check; returns whether it passed.
    fn check(&mut self, passed: bool) -> bool {
        self.applicable += 1;
        if passed {
            self.passed += 1;
        }
        passed
    }

    fn fail(&mut self, code: ErrorCode, params: Map<String, Value>, message: String) {
        let path = self.path.render();
        self.fail_at(path, code, params, message);
    }

    fn fail_at(
        &mut self,
        path: String,
        code: ErrorCode,
        params: Map<String, Value>,
        message: String,
    ) {
        if self.errors.len() >= self.plan.max_errors as usize {
            self.omitted += 1;
            return;
        }
        self.errors.push(ValidationError {
            path,
            code,
            params,
            message,
        });
    }

    /// Keeps `value` for the relations when `node` is a field they name.
    #[inline(always)]
    fn capture(&mut self, node: &Node, value: impl FnOnce() -> Captured) {
        if let Some(slot) = node.capture {
            self.captured[usize::from(slot)] = value();
        }
    }

    /// Runs a custom check; a panic in it is caught and reported as `check_panicked`.
    fn custom(&mut self, rule: &Rule, check: &CustomCheck, value: CheckValue<'_>) {
        match catch_unwind(AssertUnwindSafe(|| check.run(value))) {
            Ok(Verdict::Pass) => {
                self.check(true);
            }
            Ok(verdict) => {
                self.check(false);
                self.custom_failed(rule, check, verdict);
            }
            Err(payload) => {
                self.check(false);
                let detail = payload
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .filter(|_| !rule.sensitive)
                    .map(|text| format!(": {}", escape_controls(&text)))
                    .unwrap_or_default();
                let message = format!("{}: check `{}` panicked{detail}", self.here(), check.name);
                self.fail(
                    ErrorCode::CheckPanicked,
                    Self::params(&[("check", json!(&*check.name))]),
                    message,
                );
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn custom_failed(&mut self, rule: &Rule, check: &CustomCheck, verdict: Verdict) {
        let params = Self::params(&[("check", json!(&*check.name))]);
        match verdict {
            Verdict::WrongKind(expected) => {
                let message = format!(
                    "{} must be {expected} for check `{}`",
                    self.here(),
                    check.name
                );
                self.fail(ErrorCode::TypeMismatch, params, message);
            }
            Verdict::Fail(reason) => {
                let reason = reason
                    .filter(|_| !rule.sensitive)
                    .map(|text| format!(": {}", escape_controls(&text)))
                    .unwrap_or_default();
                let message = format!("{} fails check `{}`{reason}", self.here(), check.name);
                self.fail(ErrorCode::CheckFailed, params, message);
            }
            Verdict::Pass => {}
        }
    }

    fn here(&self) -> String {
        let path = self.path.render();
        if path.is_empty() {
            "the input".to_owned()
        } else {
            format!("`{path}`")
        }
    }

    fn params(entries: &[(&str, Value)]) -> Map<String, Value> {
        entries
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    }

    /// Checks the declared type against what the value is; `false` stops the other keywords.
    fn type_fits(&mut self, rule: &Rule, is: impl Fn(FieldType) -> bool, found: &str) -> bool {
        let Some(kind) = rule.kind else { return true };
        if self.check(is(kind)) {
            return true;
        }
        let message = format!(
            "{} must be {} {}, not {found}",
            self.here(),
            article(kind.as_str()),
            kind.as_str()
        );
        self.fail(
            ErrorCode::TypeMismatch,
            Self::params(&[("type", json!(kind.as_str()))]),
            message,
        );
        false
    }

    /// An array item that is `None`/null where the items' rules apply. "None counts as a
    /// missing field" is about fields; an item is not a field, so a null item is checked like
    /// any other value: against a declared type (or the shapes the rules can check) it is a
    /// `type_mismatch`, and rules that constrain nothing let it pass.
    #[cold]
    pub(crate) fn null_item(&mut self, node: Option<usize>) {
        let Some(node) = self.node(node) else {
            return;
        };
        match &node.rule {
            Some(rule) if rule.kind.is_some() => {
                self.type_fits(rule, |_| false, "null");
            }
            _ => {
                self.shape_fits(node, Shapes::NONE, "null");
            }
        }
    }

    /// Checks that a position whose rules declare no type accepts a value of this `shape`
    /// (see `shape.rs`); `false` stops the other keywords.
    #[inline(always)]
    fn shape_fits(&mut self, node: &Node, shape: Shapes, found: &str) -> bool {
        if node.shapes == Shapes::ANY {
            return true;
        }
        if self.check(node.shapes.accepts(shape)) {
            return true;
        }
        self.wrong_shape(node.shapes, found);
        false
    }

    /// The error for a value of a shape its position's rules cannot check; out of line, so the
    /// checks that pass carry none of its formatting.
    #[cold]
    #[inline(never)]
    fn wrong_shape(&mut self, shapes: Shapes, found: &str) {
        let names: Vec<&str> = shapes.names().collect();
        let expected: Vec<String> = names
            .iter()
            .map(|name| format!("{} {name}", article(name)))
            .collect();
        let message = format!(
            "{} must be {} (what its rules can check), not {found}",
            self.here(),
            expected.join(" or ")
        );
        let kind = match names.as_slice() {
            [one] => json!(one),
            many => json!(many),
        };
        self.fail(
            ErrorCode::TypeMismatch,
            Self::params(&[("type", kind)]),
            message,
        );
    }

    fn length(&mut self, rule: &Rule, length: u64, unit: &str) {
        if let Some(min) = rule.min_length
            && !self.check(length >= min)
        {
            let message = format!("{} must have at least {min} {unit}", self.here());
            self.fail(
                ErrorCode::TooShort,
                Self::params(&[("min_length", json!(min))]),
                message,
            );
        }
        if let Some(max) = rule.max_length
            && !self.check(length <= max)
        {
            let message = format!("{} must have at most {max} {unit}", self.here());
            self.fail(
                ErrorCode::TooLong,
                Self::params(&[("max_length", json!(max))]),
                message,
            );
        }
    }

    fn allowed(&mut self, rule: &Rule, matches: impl Fn(&AllowedValue) -> bool) {
        if rule.allowed.is_empty() {
            return;
        }
        if !self.check(rule.allowed.iter().any(matches)) {
            let list: Vec<Value> = rule.allowed.iter().map(allowed_json).collect();
            let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
            let message = format!("{} must be one of {}", self.here(), shown.join(", "));
            self.fail(
                ErrorCode::NotAllowed,
                Self::params(&[("allowed", Value::Array(list))]),
                message,
            );
        }
    }

    /// Checks applying to every string of the input, keys included.
    fn any_string(&mut self, value: &str) {
        if let Some(max) = self.plan.max_string_length
            && value.len() as u64 > max
            && value.chars().count() as u64 > max
        {
            self.string_too_long = true;
            let message = format!(
                "{} is longer than the {max} characters allowed in any string",
                self.here()
            );
            self.fail(
                ErrorCode::StringTooLong,
                Self::params(&[("max_string_length", json!(max))]),
                message,
            );
        }
        if let Some(index) = self
            .plan
            .forbidden
            .iter()
            .position(|regex| regex.is_match(value))
        {
            self.forbidden_hit = true;
            let pattern = self.plan.forbidden[index].as_str().to_owned();
            let message = format!(
                "{} contains content matching a forbidden pattern",
                self.here()
            );
            self.fail(
                ErrorCode::ForbiddenPattern,
                Self::params(&[("pattern", json!(pattern))]),
                message,
            );
        }
    }

    pub(crate) fn string(&mut self, node: Option<usize>, value: &str) {
        self.any_string(value);
        let Some(node) = self.node(node) else { return };
        self.capture(node, || {
            formats::datetime_instant(value).map_or(Captured::Present, |(seconds, nanos)| {
                Captured::Instant(seconds, nanos)
            })
        });
        if !self.shape_fits(node, Shapes::STRING, "a string") {
            return;
        }
        let Some(rule) = &node.rule else { return };
        if !self.type_fits(rule, FieldType::is_string, "a string") {
            return;
        }
        let format = match rule.kind {
            Some(FieldType::Email) => Some((
                formats::is_email(value),
                ErrorCode::InvalidEmail,
                "an e-mail address",
            )),
            Some(FieldType::Url) => Some((
                formats::is_url(value),
                ErrorCode::InvalidUrl,
                "an absolute URL",
            )),
            Some(FieldType::Uuid) => {
                Some((formats::is_uuid(value), ErrorCode::InvalidUuid, "a UUID"))
            }
            Some(FieldType::Datetime) => Some((
                formats::is_datetime(value),
                ErrorCode::InvalidDatetime,
                "an RFC 3339 date-time",
            )),
            _ => None,
        };
        if let Some((ok, code, what)) = format
            && !self.check(ok)
        {
            let message = format!("{} must be {what}", self.here());
            let kind = rule.kind.map_or("string", FieldType::as_str);
            self.fail(code, Self::params(&[("type", json!(kind))]), message);
        }
        if rule.min_length.is_some() || rule.max_length.is_some() {
            self.length(rule, char_count_for(rule, value), "characters");
        }
        if let Some(pattern) = &rule.pattern
            && !self.check(pattern.is_match(value))
        {
            let message = format!(
                "{} must match the pattern `{}`",
                self.here(),
                pattern.as_str()
            );
            self.fail(
                ErrorCode::PatternMismatch,
                Self::params(&[("pattern", json!(pattern.as_str()))]),
                message,
            );
        }
        self.allowed(
            rule,
            |allowed| matches!(allowed, AllowedValue::String(s) if s == value),
        );
        if let Some(check) = &rule.check {
            self.custom(rule, check, CheckValue::Str(value));
        }
    }

    pub(crate) fn number(&mut self, node: Option<usize>, value: Number) {
        let Some(node) = self.node(node) else { return };
        self.capture(node, || Captured::Number(value.as_f64()));
        let integer = value.is_integer();
        let found = if integer {
            "an integer"
        } else {
            "a number with a fraction"
        };
        if !self.shape_fits(node, Shapes::NUMBER, found) {
            return;
        }
        let Some(rule) = &node.rule else { return };
        let fits =
            |kind: FieldType| kind == FieldType::Number || (kind == FieldType::Integer && integer);
        if !self.type_fits(rule, fits, found) {
            return;
        }
        let number = value.as_f64();
        // Built only for an error: valid input allocates nothing.
        let shown = || {
            if rule.sensitive {
                String::new()
            } else {
                format!(" (got {number})")
            }
        };
        if let Some(min) = rule.min
            && !self.check(number >= min)
        {
            let message = format!("{} must be at least {min}{}", self.here(), shown());
            self.fail(
                ErrorCode::BelowMinimum,
                Self::params(&[("min", json!(min))]),
                message,
            );
        }
        if let Some(max) = rule.max
            && !self.check(number <= max)
        {
            let message = format!("{} must be at most {max}{}", self.here(), shown());
            self.fail(
                ErrorCode::AboveMaximum,
                Self::params(&[("max", json!(max))]),
                message,
            );
        }
        #[allow(clippy::float_cmp)] // `allowed` lists exact values
        self.allowed(
            rule,
            |allowed| matches!(allowed, AllowedValue::Number(n) if *n == number),
        );
        if let Some(check) = &rule.check {
            self.custom(rule, check, value.for_check());
        }
    }

    pub(crate) fn boolean(&mut self, node: Option<usize>, value: bool) {
        let Some(node) = self.node(node) else { return };
        self.capture(node, || Captured::Present);
        if !self.shape_fits(node, Shapes::BOOLEAN, "a boolean") {
            return;
        }
        let Some(rule) = &node.rule else { return };
        if self.type_fits(rule, |kind| kind == FieldType::Boolean, "a boolean") {
            self.allowed(
                rule,
                |allowed| matches!(allowed, AllowedValue::Bool(b) if *b == value),
            );
            if let Some(check) = &rule.check {
                self.custom(rule, check, CheckValue::Bool(value));
            }
        }
    }

    /// Entering an object or array; `false` means too deep, and its content is skipped.
    pub(crate) fn enter(&mut self, node: Option<usize>, is_array: bool) -> bool {
        self.depth += 1;
        if self.depth > self.plan.max_depth {
            if !self.too_deep {
                self.too_deep = true;
                let max = self.plan.max_depth;
                let message = format!(
                    "{} is nested deeper than the {max} levels allowed",
                    self.here()
                );
                self.fail(
                    ErrorCode::TooDeep,
                    Self::params(&[("max_depth", json!(max))]),
                    message,
                );
            }
            return false;
        }
        if !is_array && let (Some(id), Some(survey)) = (node, self.survey.as_deref_mut()) {
            survey.object(id);
        }
        let Some(node) = self.node(node) else {
            return true;
        };
        self.capture(node, || Captured::Present);
        let (shape, is, found): (Shapes, fn(FieldType) -> bool, &str) = if is_array {
            (Shapes::ARRAY, |kind| kind == FieldType::Array, "an array")
        } else {
            (
                Shapes::OBJECT,
                |kind| kind == FieldType::Object,
                "an object",
            )
        };
        // The content is walked even when the container is the wrong shape: the rule set's
        // global checks (forbidden patterns, string and depth limits) cover every value.
        if !self.shape_fits(node, shape, found) {
            return true;
        }
        if let Some(rule) = &node.rule
            && self.type_fits(rule, is, found)
        {
            // `allowed` lists scalars, so no array or object is ever one of them.
            self.allowed(rule, |_| false);
        }
        true
    }

    /// Leaving an object or array with `count` items (arrays) and `seen` children (objects).
    pub(crate) fn leave(&mut self, node: Option<usize>, is_array: bool, count: u64, seen: u64) {
        self.depth -= 1;
        let Some(node_ref) = self.node(node) else {
            return;
        };
        if is_array {
            if let Some(rule) = &node_ref.rule
                && rule.kind.is_none_or(|kind| kind == FieldType::Array)
            {
                self.length(rule, count, "items");
            }
            return;
        }
        if node_ref
            .rule
            .as_ref()
            .is_some_and(|rule| rule.kind.is_some_and(|kind| kind != FieldType::Object))
        {
            return;
        }
        self.required_children(node_ref, seen);
    }

    /// The whole input was `None` or `()`: every field the rule set requires is missing.
    pub(crate) fn absent_input(&mut self, node: Option<usize>) {
        if let Some(node_ref) = self.node(node) {
            self.required_children(node_ref, 0);
        }
    }

    /// Checks that each required child of `node_ref` is among `seen` (bit `i`: child `i`).
    fn required_children(&mut self, node_ref: &Node, seen: u64) {
        for (index, (name, _)) in node_ref.children.iter().enumerate() {
            if index >= 64 || node_ref.required & (1 << index) == 0 {
                continue;
            }
            if !self.check(seen & (1 << index) != 0) {
                let path = self.path.render_child(name);
                let message = format!("`{path}` is required");
                self.errors.push(ValidationError {
                    path,
                    code: ErrorCode::Required,
                    params: Map::new(),
                    message,
                });
            }
        }
    }

    /// A value's `Serialize` impl failed: its content could not be checked. The impl's text
    /// may quote the value, so it is left out for a `sensitive` field, and escaped otherwise.
    pub(crate) fn serialize_failed(&mut self, node: Option<usize>, reason: &str) {
        self.check(false);
        let sensitive = self
            .node(node)
            .and_then(|node| node.rule.as_ref())
            .is_some_and(|rule| rule.sensitive);
        let message = if sensitive {
            format!("{} could not be serialized for validation", self.here())
        } else {
            format!(
                "{} could not be serialized for validation: {}",
                self.here(),
                escape_controls(reason)
            )
        };
        self.fail(ErrorCode::SerializeFailed, Map::new(), message);
    }

    /// The result, with the rule set's global checks counted once each.
    /// The result, for rule set `rule_set` (its name as registered: `'static`, so a result
    /// costs no reference count on a name every thread shares).
    pub(crate) fn finish(mut self, rule_set: &'static str) -> ValidationResult {
        if !self.plan.relations.is_empty() {
            self.relations();
        }
        let globals = [
            (!self.plan.forbidden.is_empty(), self.forbidden_hit),
            (self.plan.max_string_length.is_some(), self.string_too_long),
            (true, self.too_deep),
        ];
        for (configured, violated) in globals {
            if configured {
                self.check(!violated);
            }
        }
        if self.omitted > 0 {
            let max = self.plan.max_errors;
            let omitted = self.omitted;
            self.errors.push(ValidationError {
                path: String::new(),
                code: ErrorCode::TooManyErrors,
                params: Self::params(&[("max_errors", json!(max)), ("omitted", json!(omitted))]),
                message: format!(
                    "{omitted} more errors not listed (the rule set lists at most {max})"
                ),
            });
        }
        let is_valid = self.errors.is_empty();
        let score = if self.applicable == 0 {
            if is_valid { 100.0 } else { 0.0 }
        } else {
            let score = 100.0 * f64::from(self.passed) / f64::from(self.applicable);
            if is_valid { score } else { score.min(99.0) }
        };
        ValidationResult {
            rule_set,
            is_valid,
            score,
            errors: self.errors,
        }
    }
}

impl Walk<'_> {
    /// Evaluates the rule set's relations on the captured values.
    fn relations(&mut self) {
        let plan = self.plan;
        for relation in &plan.relations {
            match relation {
                Relation::Compare {
                    written,
                    left,
                    op,
                    right,
                    slots,
                } => {
                    let values = (
                        self.captured[usize::from(slots.0)],
                        self.captured[usize::from(slots.1)],
                    );
                    let ordering = match values {
                        (Captured::Absent, _) | (_, Captured::Absent) => continue,
                        (Captured::Number(a), Captured::Number(b)) => a.partial_cmp(&b),
                        (Captured::Instant(a, an), Captured::Instant(b, bn)) => {
                            Some((a, an).cmp(&(b, bn)))
                        }
                        _ => {
                            self.check(false);
                            self.fail_at(
                                left.to_string(),
                                ErrorCode::TypeMismatch,
                                Self::params(&[("compare", json!(&**written))]),
                                format!("`{left}` and `{right}` cannot be compared (`{written}`): compare two numbers or two RFC 3339 date-times"),
                            );
                            continue;
                        }
                    };
                    if !self.check(ordering.is_some_and(|ordering| op.holds(ordering))) {
                        self.fail_at(
                            left.to_string(),
                            ErrorCode::ComparisonFailed,
                            Self::params(&[
                                ("compare", json!(&**written)),
                                ("other", json!(&**right)),
                            ]),
                            format!("`{left}` must be {} `{right}`", op.as_str()),
                        );
                    }
                }
                Relation::OneOf { paths, slots } => {
                    let present = slots
                        .iter()
                        .any(|slot| !matches!(self.captured[usize::from(*slot)], Captured::Absent));
                    if !self.check(present) {
                        let listed: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
                        self.fail_at(
                            String::new(),
                            ErrorCode::RequiredOneOf,
                            Self::params(&[(
                                "one_of",
                                json!(paths.iter().map(|p| &**p).collect::<Vec<_>>()),
                            )]),
                            format!("one of {} is required", listed.join(", ")),
                        );
                    }
                }
            }
        }
    }
}

/// The character count of `value` as far as `rule`'s length limits can tell: a string has
/// between ⌈bytes / 4⌉ and `bytes` characters, so when both ends already satisfy the limits
/// the exact count cannot change the outcome and is not computed (the byte length stands in).
fn char_count_for(rule: &Rule, value: &str) -> u64 {
    let bytes = value.len() as u64;
    let certain = rule.min_length.is_none_or(|min| bytes.div_ceil(4) >= min)
        && rule.max_length.is_none_or(|max| bytes <= max);
    if certain {
        bytes
    } else {
        value.chars().count() as u64
    }
}

/// The indefinite article for a type name in messages ("an integer", "a string").
fn article(name: &str) -> &'static str {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn allowed_json(value: &AllowedValue) -> Value {
    match value {
        AllowedValue::Bool(b) => json!(b),
        AllowedValue::Number(n) => json!(n),
        AllowedValue::String(s) => json!(s),
    }
}
