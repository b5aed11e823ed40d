//! Rule sets compiled once into a plan: a tree of nodes by field path, typed limits, compiled
//! regexes. Every check that can fail at load time fails here, with the keys that locate it.

use std::sync::atomic::AtomicU8;

use regex::{Regex, RegexBuilder};

use super::checks::{CustomCheck, DynCheck};
use super::shape::Shapes;
use super::spec::{AllowedValue, FieldSpec, FieldType, RuleSetSpec};

/// Compiled size limit of one regex from a rule file: patterns are data, not code.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// Nesting allowed when a rule set sets no `max_depth`, so hostile input cannot exhaust the stack.
pub(crate) const DEFAULT_MAX_DEPTH: u32 = 64;

/// Errors listed when a rule set sets no `max_errors`, so the result of a hostile input stays
/// small.
pub(crate) const DEFAULT_MAX_ERRORS: u32 = 100;

/// A field's compiled rules.
#[derive(Debug)]
pub(crate) struct Rule {
    pub kind: Option<FieldType>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<Regex>,
    pub allowed: Vec<AllowedValue>,
    pub sensitive: bool,
    pub check: Option<CustomCheck>,
}

/// Struct field positions whose child is remembered (see [`Node::order`]).
pub(crate) const LEARNED_POSITIONS: usize = 16;

/// One position in the input: its rules, its named children and its array items.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub rule: Option<Rule>,
    pub children: Vec<(Box<str>, usize)>,
    /// Bit `i` set: child `i` is required.
    pub required: u64,
    pub items: Option<usize>,
    /// The shapes of value accepted here when the rule declares no `type` (see `shape.rs`);
    /// [`Shapes::ANY`] when the declared type decides or nothing constrains the shape.
    pub shapes: Shapes,
    /// For the `n`th field a struct serializes, 1 + the index of the child it named last time
    /// (0: not seen yet). A type serializes its fields in one order, so after its first
    /// validation each lookup is one load and one name comparison, whatever the rules' order.
    pub order: [AtomicU8; LEARNED_POSITIONS],
    /// The slot where a validation keeps this position's value for the rule set's relations
    /// (`compare`, `one_of_required`); `None` when no relation names it.
    pub capture: Option<u8>,
}

/// Fields that relations (`compare`, `one_of_required`) may name in one rule set: each has a
/// slot in every validation, kept on the stack.
pub(crate) const MAX_RELATION_FIELDS: usize = 16;

/// A rule about several fields, evaluated when the walk is done from the captured values.
#[derive(Debug)]
pub(crate) enum Relation {
    /// `left op right`.
    Compare {
        written: Box<str>,
        left: Box<str>,
        op: coord_text::ComparisonOp,
        right: Box<str>,
        slots: (u8, u8),
    },
    /// At least one of `paths` present.
    OneOf {
        paths: Vec<Box<str>>,
        slots: Vec<u8>,
    },
}

/// A compiled rule set.
#[derive(Debug)]
pub(crate) struct Plan {
    pub name: std::sync::Arc<str>,
    pub nodes: Vec<Node>,
    pub forbidden: Vec<Regex>,
    pub max_depth: u32,
    pub max_string_length: Option<u64>,
    pub max_errors: u32,
    pub relations: Vec<Relation>,
}

/// The root node's index.
pub(crate) const ROOT: usize = 0;

/// A compile problem and the keys (after the rule set's name) that locate it in the file.
#[derive(Debug)]
pub(crate) struct CompileProblem {
    pub keys: Vec<String>,
    pub message: String,
}

struct Compiler<'c> {
    nodes: Vec<Node>,
    problems: Vec<CompileProblem>,
    /// The checks the attribute's rules name by path.
    local_checks: &'c [(String, &'static dyn DynCheck)],
    /// Nodes given a relation slot, in slot order.
    captured: Vec<usize>,
}

impl Compiler<'_> {
    fn problem(&mut self, keys: &[&str], message: impl Into<String>) {
        self.problems.push(CompileProblem {
            keys: keys.iter().map(|key| (*key).to_owned()).collect(),
            message: message.into(),
        });
    }

    /// The node at dotted `path`, creating it and its parents.
    fn node_at(&mut self, path: &str, keys: &[&str]) -> Option<usize> {
        let mut node = ROOT;
        for segment in path.split('.') {
            if segment.is_empty() {
                self.problem(keys, format!("field path `{path}` has an empty segment"));
                return None;
            }
            node = match self.nodes[node]
                .children
                .iter()
                .find(|(name, _)| &**name == segment)
            {
                Some((_, child)) => *child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(Node::default());
                    self.nodes[node].children.push((segment.into(), child));
                    child
                }
            };
        }
        Some(node)
    }

    /// Marks `path` required, and with it every field on the way there: `customer.id` cannot be
    /// present when `customer` is missing.
    fn require(&mut self, path: &str, keys: &[&str]) {
        let mut end = 0;
        while let Some(dot) = path[end..].find('.') {
            end += dot;
            self.require_one(&path[..end], keys);
            end += 1;
        }
        self.require_one(path, keys);
    }

    fn require_one(&mut self, path: &str, keys: &[&str]) {
        let Some(node) = self.node_at(path, keys) else {
            return;
        };
        let parent_path = path.rsplit_once('.').map_or("", |(parent, _)| parent);
        let parent = if parent_path.is_empty() {
            ROOT
        } else {
            self.node_at(parent_path, keys).unwrap_or(ROOT)
        };
        let Some(index) = self.nodes[parent]
            .children
            .iter()
            .position(|(_, child)| *child == node)
        else {
            return;
        };
        if index >= 64 {
            self.problem(keys, "at most 64 fields per object can be required");
            return;
        }
        self.nodes[parent].required |= 1 << index;
    }

    fn rule(&mut self, spec: &FieldSpec, keys: &[&str]) -> Rule {
        let key = |name: &'static str| -> Vec<&str> {
            let mut located = keys.to_vec();
            located.push(name);
            located
        };
        let kind = spec.kind;
        // The same checks, with the same messages, as the attributes run on inline rules.
        let written = coord_text::FieldRules {
            kind: kind.map(FieldType::as_str),
            min: spec.min,
            max: spec.max,
            min_length: spec.min_length,
            max_length: spec.max_length,
            pattern: spec.pattern.is_some(),
            items: spec.items.is_some(),
            check: spec.check.is_some(),
            allowed: spec.allowed.as_ref().map(|allowed| {
                allowed
                    .iter()
                    .map(|value| match value {
                        AllowedValue::String(text) => coord_text::Literal::String(text),
                        AllowedValue::Number(number) => coord_text::Literal::Number(*number),
                        AllowedValue::Bool(flag) => coord_text::Literal::Bool(*flag),
                    })
                    .collect()
            }),
        };
        for problem in coord_text::check_field(&written) {
            self.problem(&key(problem.keyword), problem.message);
        }
        let pattern = spec.pattern.as_deref().and_then(|pattern| {
            compile_regex(pattern)
                .map_err(|message| self.problem(&key("pattern"), message))
                .ok()
        });
        let local_checks = self.local_checks;
        let check = spec.check.as_deref().and_then(|name| {
            super::checks::resolve(name, local_checks)
                .map_err(|message| self.problem(&key("check"), message))
                .ok()
        });
        Rule {
            kind,
            min: spec.min,
            max: spec.max,
            min_length: spec.min_length,
            max_length: spec.max_length,
            pattern,
            allowed: spec.allowed.clone().unwrap_or_default(),
            sensitive: spec.sensitive,
            check,
        }
    }

    /// The relation slot of the field at `path`, creating its node and slot.
    fn slot(&mut self, path: &str, keys: &[&str]) -> Option<u8> {
        let node = self.node_at(path, keys)?;
        if let Some(slot) = self.nodes[node].capture {
            return Some(slot);
        }
        if self.captured.len() >= MAX_RELATION_FIELDS {
            self.problem(
                keys,
                format!("`compare` and `one_of_required` may name at most {MAX_RELATION_FIELDS} fields in one rule set"),
            );
            return None;
        }
        let slot = u8::try_from(self.captured.len()).ok()?;
        self.captured.push(node);
        self.nodes[node].capture = Some(slot);
        Some(slot)
    }

    fn relations(&mut self, spec: &RuleSetSpec) -> Vec<Relation> {
        let mut relations = Vec::new();
        for written in &spec.compare {
            let keys = ["compare", written.as_str()];
            match coord_text::parse_comparison(written) {
                Ok(comparison) => {
                    let left = self.slot(comparison.left, &keys);
                    let right = self.slot(comparison.right, &keys);
                    if let (Some(left), Some(right)) = (left, right) {
                        relations.push(Relation::Compare {
                            written: written.as_str().into(),
                            left: comparison.left.into(),
                            op: comparison.op,
                            right: comparison.right.into(),
                            slots: (left, right),
                        });
                    }
                }
                Err(message) => self.problem(&keys, message),
            }
        }
        for (index, paths) in spec.one_of_required.iter().enumerate() {
            let position = index.to_string();
            let keys = ["one_of_required", position.as_str()];
            let written: Vec<&str> = paths.iter().map(String::as_str).collect();
            if let Some(message) = coord_text::one_of_problem(&written) {
                self.problem(&keys, message);
                continue;
            }
            let slots: Vec<u8> = written
                .iter()
                .filter_map(|path| self.slot(path, &keys))
                .collect();
            if slots.len() == written.len() {
                relations.push(Relation::OneOf {
                    paths: written.iter().map(|path| (*path).into()).collect(),
                    slots,
                });
            }
        }
        relations
    }

    fn field(&mut self, node: usize, spec: &FieldSpec, keys: &[&str]) {
        let rule = self.rule(spec, keys);
        self.nodes[node].rule = Some(rule);
        if let Some(items) = &spec.items {
            let child = self.nodes.len();
            self.nodes.push(Node::default());
            self.nodes[node].items = Some(child);
            let mut item_keys = keys.to_vec();
            item_keys.push("items");
            self.field(child, items, &item_keys);
        }
    }
}

/// The shapes `node` accepts: see `shape.rs`.
fn accepted_shapes(node: &Node) -> Shapes {
    let rule = node.rule.as_ref();
    if rule.is_some_and(|rule| rule.kind.is_some()) {
        return Shapes::ANY;
    }
    let mut shapes = Shapes::NONE;
    if let Some(rule) = rule {
        if rule.min.is_some() || rule.max.is_some() {
            shapes = shapes.with(Shapes::NUMBER);
        }
        if rule.min_length.is_some() || rule.max_length.is_some() {
            shapes = shapes.with(Shapes::STRING).with(Shapes::ARRAY);
        }
        if rule.pattern.is_some() {
            shapes = shapes.with(Shapes::STRING);
        }
    }
    if node.items.is_some() {
        shapes = shapes.with(Shapes::ARRAY);
    }
    if !node.children.is_empty() {
        shapes = shapes.with(Shapes::OBJECT);
    }
    if shapes == Shapes::NONE {
        return Shapes::ANY;
    }
    // An allowed value is one the position can hold, whatever the other keywords check.
    rule.map_or(shapes, |rule| {
        rule.allowed.iter().fold(shapes, |shapes, value| {
            shapes.with(Shapes::of_allowed(value))
        })
    })
}

/// Compiles a regex from a rule file, with a size limit.
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|err| match err {
            regex::Error::CompiledTooBig(limit) => {
                format!("regex `{pattern}` is too large (compiled size above {limit} bytes)")
            }
            other => format!(
                "invalid regex `{pattern}`: {}",
                one_line(&other.to_string())
            ),
        })
}

fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compiles rule set `name`.
pub(crate) fn compile(name: &str, spec: &RuleSetSpec) -> Result<Plan, Vec<CompileProblem>> {
    compile_with_checks(name, spec, &[], &[])
}

/// Compiles rule set `name` whose `check`s may name `local_checks` (an attribute's functions)
/// as well as registered checks. `required_within` are dotted paths required only where their
/// parent is present (a nested type's required fields), unlike `required_fields`, which
/// require the whole way there.
pub(crate) fn compile_with_checks(
    name: &str,
    spec: &RuleSetSpec,
    local_checks: &[(String, &'static dyn DynCheck)],
    required_within: &[String],
) -> Result<Plan, Vec<CompileProblem>> {
    let mut compiler = Compiler {
        nodes: vec![Node::default()],
        problems: Vec::new(),
        local_checks,
        captured: Vec::new(),
    };
    for (path, field) in &spec.field_validations {
        let keys = ["field_validations", path.as_str()];
        if let Some(node) = compiler.node_at(path, &keys) {
            compiler.field(node, field, &keys);
            if field.required {
                compiler.require(path, &keys);
            }
        }
    }
    for path in &spec.required_fields {
        compiler.require(path, &["required_fields", path.as_str()]);
    }
    for path in required_within {
        compiler.require_one(path, &["required_fields", path.as_str()]);
    }
    let mut forbidden = Vec::new();
    for pattern in &spec.forbidden_patterns {
        match compile_regex(pattern) {
            Ok(regex) => forbidden.push(regex),
            Err(message) => compiler.problem(&["forbidden_patterns"], message),
        }
    }
    if spec.max_depth == Some(0) {
        compiler.problem(
            &["max_depth"],
            "`max_depth` must be at least 1 (the input itself)",
        );
    }
    if spec.max_errors == Some(0) {
        compiler.problem(
            &["max_errors"],
            "`max_errors` must be at least 1 (an invalid input lists at least one error)",
        );
    }
    let relations = compiler.relations(spec);
    for node in &mut compiler.nodes {
        node.shapes = accepted_shapes(node);
    }
    if compiler.problems.is_empty() {
        Ok(Plan {
            name: name.into(),
            nodes: compiler.nodes,
            forbidden,
            max_depth: spec.max_depth.unwrap_or(DEFAULT_MAX_DEPTH),
            max_string_length: spec.max_string_length,
            max_errors: spec.max_errors.unwrap_or(DEFAULT_MAX_ERRORS),
            relations,
        })
    } else {
        Err(compiler.problems)
    }
}
