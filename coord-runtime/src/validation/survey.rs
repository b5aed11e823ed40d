//! Rule paths that the value never has: `field(user.emial, ...)` checks nothing when the value
//! serializes `user.email`, and no error would ever say so. The first validation of each
//! compiled rule set (and the first after a reload) surveys which rule paths the value's
//! objects had; a path that an object present in the value lacks is logged once at WARN, with
//! the closest key that object did have, and kept for the validation report.
//!
//! Only that one validation pays for the survey (a few small vectors); every other validation
//! checks one flag.

use serde::Serialize;

use super::plan::{Node, Plan, ROOT};

/// A rule path the surveyed value did not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmatchedPath {
    /// The rule's path (`user.emial`; array items as `lines[].sku`).
    pub path: String,
    /// The path of the key the value had at that place whose name is closest, when one is a
    /// plausible typo (`user.email`).
    pub did_you_mean: Option<String>,
}

impl std::fmt::Display for UnmatchedPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.path)?;
        if let Some(key) = &self.did_you_mean {
            write!(f, " (did you mean `{key}`?)")?;
        }
        Ok(())
    }
}

/// What one validation saw of the rule set's positions.
pub(crate) struct Survey {
    /// By node: the value had a key (or item) for it, present or `None`.
    had: Vec<bool>,
    /// By node: the value had an object there, so its children could have matched.
    objects: Vec<bool>,
    /// Keys of an object that no rule names: (the object's node, the key).
    others: Vec<(usize, String)>,
}

impl Survey {
    pub(crate) fn new(plan: &Plan) -> Self {
        Self {
            had: vec![false; plan.nodes.len()],
            objects: vec![false; plan.nodes.len()],
            others: Vec::new(),
        }
    }

    /// The value has an object at `node`.
    pub(crate) fn object(&mut self, node: usize) {
        self.objects[node] = true;
    }

    /// The object at `parent` has key `name`, naming rule node `child` if any.
    pub(crate) fn key(&mut self, parent: Option<usize>, child: Option<usize>, name: &str) {
        match (child, parent) {
            (Some(child), _) => self.had[child] = true,
            (None, Some(parent)) if self.others.len() < MAX_OTHER_KEYS => {
                self.others.push((parent, name.to_owned()));
            }
            (None, _) => {}
        }
    }

    /// The array at `node` has items, which its `items` rules cover.
    pub(crate) fn items(&mut self, items: usize) {
        self.had[items] = true;
    }

    /// Whether the survey saw anything to judge by: the value had an object at the root.
    pub(crate) fn saw_an_object(&self) -> bool {
        self.objects[ROOT]
    }

    /// The rule paths under objects the value had, whose key the object lacked.
    pub(crate) fn unmatched(&self, plan: &Plan) -> Vec<UnmatchedPath> {
        let mut unmatched = Vec::new();
        self.visit(plan, ROOT, String::new(), &mut unmatched);
        unmatched
    }

    fn visit(&self, plan: &Plan, node: usize, path: String, out: &mut Vec<UnmatchedPath>) {
        let Node {
            children, items, ..
        } = &plan.nodes[node];
        for (name, child) in children {
            let child_path = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            if self.had[*child] {
                self.visit(plan, *child, child_path, out);
            } else if self.objects[node] {
                let others: Vec<&str> = self
                    .others
                    .iter()
                    .filter(|(parent, _)| *parent == node)
                    .map(|(_, key)| key.as_str())
                    .collect();
                let did_you_mean = coord_text::closest(name, &others).map(|key| {
                    if path.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{path}.{key}")
                    }
                });
                out.push(UnmatchedPath {
                    path: child_path,
                    did_you_mean,
                });
            }
        }
        if let Some(items) = items
            && self.had[*items]
        {
            self.visit(plan, *items, format!("{path}[]"), out);
        }
    }
}

/// Keys without rules remembered for "did you mean" (a map from the input can have any number).
const MAX_OTHER_KEYS: usize = 256;
