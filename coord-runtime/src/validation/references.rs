//! The rule sets that attributes name, gathered by the linker, so a misspelt `rules = "..."`
//! is found when the rules are loaded — at [`init`](crate::init()) as an error, or on the first
//! validation without `init` as one ERROR log — instead of failing every call of that function
//! with [`Error::UnknownRuleSet`](crate::Error::UnknownRuleSet).

use crate::config::MissingRuleSet;
#[cfg(test)]
use crate::config::problems::describe;

/// One `rules = "name"` written in an attribute, at `location` (`file:line`). **Not a stable
/// API**: `#[validate_input]` and `validate(...)` expansions add one each.
#[derive(Debug)]
pub struct RuleSetReference {
    /// The rule set's name as written.
    pub name: &'static str,
    /// Where the attribute is.
    pub location: &'static str,
}

/// Every rule set an attribute in the program names.
#[linkme::distributed_slice]
pub static RULE_SET_REFERENCES: [RuleSetReference];

/// The rule sets attributes name that are not among `loaded`, each with every call site and a
/// "did you mean" among `loaded`; sorted by name.
pub(crate) fn missing_from(loaded: &[String]) -> Vec<MissingRuleSet> {
    missing_among(RULE_SET_REFERENCES.iter(), loaded)
}

fn missing_among<'a>(
    references: impl Iterator<Item = &'a RuleSetReference>,
    loaded: &[String],
) -> Vec<MissingRuleSet> {
    let candidates: Vec<&str> = loaded.iter().map(String::as_str).collect();
    let mut missing: Vec<MissingRuleSet> = Vec::new();
    for reference in references {
        if loaded.iter().any(|name| name == reference.name) {
            continue;
        }
        match missing.iter_mut().find(|m| m.name == reference.name) {
            Some(entry) => entry.call_sites.push(reference.location.to_owned()),
            None => missing.push(MissingRuleSet {
                name: reference.name.to_owned(),
                call_sites: vec![reference.location.to_owned()],
                did_you_mean: coord_text::closest(reference.name, &candidates).map(str::to_owned),
            }),
        }
    }
    for entry in &mut missing {
        entry.call_sites.sort();
        entry.call_sites.dedup();
    }
    missing.sort_by(|a, b| a.name.cmp(&b.name));
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCES: [RuleSetReference; 3] = [
        RuleSetReference {
            name: "user_sigup",
            location: "src/users.rs:12",
        },
        RuleSetReference {
            name: "user_sigup",
            location: "src/admin.rs:40",
        },
        RuleSetReference {
            name: "orders",
            location: "src/orders.rs:3",
        },
    ];

    #[test]
    fn a_misspelt_name_is_listed_once_with_every_call_site_and_the_closest_loaded_name() {
        let loaded = vec!["user_signup".to_owned(), "orders".to_owned()];
        let missing = missing_among(REFERENCES.iter(), &loaded);
        assert_eq!(
            missing,
            [MissingRuleSet {
                name: "user_sigup".into(),
                call_sites: vec!["src/admin.rs:40".into(), "src/users.rs:12".into()],
                did_you_mean: Some("user_signup".into()),
            }]
        );
        assert_eq!(
            describe(&missing),
            "rule set `user_sigup` (named at src/admin.rs:40, src/users.rs:12): did you mean `user_signup`?"
        );
    }

    #[test]
    fn nothing_is_missing_when_every_name_is_loaded() {
        let loaded = vec!["user_sigup".to_owned(), "orders".to_owned()];
        assert!(missing_among(REFERENCES.iter(), &loaded).is_empty());
    }
}
