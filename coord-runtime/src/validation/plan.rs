//! Rule sets compiled once into a plan: a tree of nodes by field path, typed limits, compiled
//! regexes. Every check that can fail at load time fails here, with the keys that locate it.

use std::sync::atomic::AtomicU8;

use regex::{Regex, RegexBuilder};

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
}

/// The root node's index.
pub(crate) const ROOT: usize = 0;

/// A compile problem and the keys (after the rule set's name) that locate it in the file.
#[derive(Debug)]
pub(crate) struct CompileProblem {
    pub keys: Vec<String>,
    pub message: String,
}

struct Compiler {
    nodes: Vec<Node>,
    problems: Vec<CompileProblem>,
}

impl Compiler {
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
        Rule {
            kind,
            min: spec.min,
            max: spec.max,
            min_length: spec.min_length,
            max_length: spec.max_length,
            pattern,
            allowed: spec.allowed.clone().unwrap_or_default(),
            sensitive: spec.sensitive,
        }
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
    let mut compiler = Compiler {
        nodes: vec![Node::default()],
        problems: Vec::new(),
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
        })
    } else {
        Err(compiler.problems)
    }
}
