//! Where a key sits in a YAML text, for errors that name the file, line and column.
//!
//! `serde_yaml` reports positions only for syntax errors; both loaders (configuration and
//! rules) find the key of a bad value with this after parsing.

/// Finds the line and column of the key at the end of `keys` in YAML `text`, searching for
/// each key after the previous one, so `[order, field_validations, qty, min]` finds the `min`
/// of `qty` in `order`. Falls back to the last key found.
pub(crate) fn locate(text: &str, keys: &[&str]) -> (Option<usize>, Option<usize>) {
    let mut from = 0;
    let mut found = None;
    for key in keys {
        match find_key(text, key, from) {
            Some(at) => {
                found = Some(at);
                from = at + key.len();
            }
            None => break,
        }
    }
    let Some(at) = found else {
        return (None, None);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |line| line.chars().count())
        + 1;
    (Some(line), Some(column))
}

/// The byte offset of `key` used as a mapping key (followed by `:`, possibly quoted) at or
/// after `from`.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    // An empty key (serde_yaml reports "`` is given twice" for two empty keys) matches
    // everywhere without advancing: found by fuzzing as an endless loop.
    if key.is_empty() {
        return None;
    }
    let mut start = from;
    while let Some(offset) = text.get(start..)?.find(key) {
        let at = start + offset;
        let before = text[..at].chars().next_back();
        let after = text[at + key.len()..]
            .trim_start_matches(['"', '\''])
            .trim_start();
        let starts_token = before.is_none_or(|c| c.is_whitespace() || "{,\"'-[".contains(c));
        if starts_token && after.starts_with(':') {
            return Some(at);
        }
        start = at + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_nested_keys_in_order() {
        let text = "order:\n  field_validations:\n    qty: {type: integer, min: 5}\n    price:\n      min: 1\n";
        assert_eq!(
            locate(text, &["order", "field_validations", "qty", "min"]),
            (Some(3), Some(26))
        );
        assert_eq!(
            locate(text, &["order", "field_validations", "price", "min"]),
            (Some(5), Some(7))
        );
        assert_eq!(locate(text, &["order", "missing"]), (Some(1), Some(1)));
        assert_eq!(locate(text, &["nothing"]), (None, None));
    }

    #[test]
    fn an_empty_key_is_not_found_and_does_not_loop() {
        assert_eq!(locate("a:\n: 1\n: 2\n", &["", ""]), (None, None));
        assert_eq!(locate("a:\n  : 1\n", &["a", ""]), (Some(1), Some(1)));
    }
}
