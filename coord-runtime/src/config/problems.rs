//! What `init` finds wrong in what the code declares, beside the configuration's own values:
//! rule sets that attributes name but nothing loads.

use std::fmt;

/// A rule set that attributes name (`rules = "..."`) but nothing loaded or registered.
///
/// ```
/// let missing = coord::config::MissingRuleSet {
///     name: "user_sigup".into(),
///     call_sites: vec!["src/users.rs:12".into()],
///     did_you_mean: Some("user_signup".into()),
/// };
/// assert_eq!(missing.to_string(), "rule set `user_sigup` (named at src/users.rs:12): did you mean `user_signup`?");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRuleSet {
    /// The name the attributes wrote.
    pub name: String,
    /// Each attribute naming it (`file:line`), sorted.
    pub call_sites: Vec<String>,
    /// The loaded rule set whose name is closest, when one is a plausible typo of it.
    pub did_you_mean: Option<String>,
}

impl fmt::Display for MissingRuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rule set `{}` (named at {})",
            self.name,
            self.call_sites.join(", ")
        )?;
        if let Some(suggestion) = &self.did_you_mean {
            write!(f, ": did you mean `{suggestion}`?")?;
        }
        Ok(())
    }
}

/// The missing rule sets, one after another, for errors and logs.
pub(crate) fn describe(missing: &[MissingRuleSet]) -> String {
    missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
