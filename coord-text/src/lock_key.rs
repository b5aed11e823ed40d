//! Lock keys: the limits a key must meet, and the `{parameter}` template `#[distributed_lock]`
//! builds keys from. Checked by the macro at compile time and by the runtime for keys built in
//! code, with the same words.

/// The longest lock key, in bytes: keys are row keys and Redis keys, not documents.
pub const MAX_LOCK_KEY_BYTES: usize = 512;

/// What is wrong with `key` as a lock key, if anything: empty, or longer than
/// [`MAX_LOCK_KEY_BYTES`].
///
/// ```
/// assert_eq!(coord_text::lock_key_problem("inventory:42"), None);
/// assert!(coord_text::lock_key_problem("").unwrap().contains("empty"));
/// ```
#[must_use]
pub fn lock_key_problem(key: &str) -> Option<String> {
    if key.trim().is_empty() {
        return Some("the lock key is empty".to_owned());
    }
    if key.len() > MAX_LOCK_KEY_BYTES {
        return Some(format!(
            "the lock key is {} bytes long; at most {MAX_LOCK_KEY_BYTES} are allowed",
            key.len()
        ));
    }
    None
}

/// One piece of a key template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPiece {
    /// Text kept as written (`{{` and `}}` already unescaped).
    Text(String),
    /// `{name}`: the value of the parameter `name`.
    Parameter(String),
}

/// Splits a key template such as `inventory:{sku}` into text and parameter names; `{{` and
/// `}}` stand for braces.
///
/// ```
/// use coord_text::{KeyPiece, parse_key_template};
///
/// let pieces = parse_key_template("inventory:{sku}").unwrap();
/// assert_eq!(pieces, [KeyPiece::Text("inventory:".into()), KeyPiece::Parameter("sku".into())]);
/// assert!(parse_key_template("inventory:{sku").is_err());
/// ```
///
/// # Errors
/// A message naming the problem: an unclosed or empty `{}`, a stray `}`, a name that is not
/// an identifier, or a template whose fixed text alone breaks the key limits.
pub fn parse_key_template(template: &str) -> Result<Vec<KeyPiece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("`{{{name}` is not closed with `}}`")),
                    }
                }
                let name = name.trim().to_owned();
                if name.is_empty() {
                    return Err("`{}` names no parameter: write `{parameter}`".to_owned());
                }
                if !crate::is_identifier(&name) {
                    return Err(format!("`{{{name}}}` is not a parameter name"));
                }
                if !text.is_empty() {
                    pieces.push(KeyPiece::Text(std::mem::take(&mut text)));
                }
                pieces.push(KeyPiece::Parameter(name));
            }
            '}' => return Err("a `}` without its `{` (write `}}` for a brace)".to_owned()),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(KeyPiece::Text(text));
    }
    if pieces.is_empty() {
        return Err("the lock key is empty".to_owned());
    }
    let fixed: usize = pieces
        .iter()
        .map(|piece| match piece {
            KeyPiece::Text(text) => text.len(),
            KeyPiece::Parameter(_) => 0,
        })
        .sum();
    if fixed > MAX_LOCK_KEY_BYTES {
        return Err(format!(
            "the lock key's fixed text is {fixed} bytes long; at most {MAX_LOCK_KEY_BYTES} are allowed"
        ));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::{KeyPiece, lock_key_problem, parse_key_template};

    #[test]
    fn templates_read_their_parameters_and_escapes() {
        assert_eq!(
            parse_key_template("a:{x}:{{y}}:{z}").unwrap(),
            [
                KeyPiece::Text("a:".into()),
                KeyPiece::Parameter("x".into()),
                KeyPiece::Text(":{y}:".into()),
                KeyPiece::Parameter("z".into()),
            ]
        );
        assert!(
            parse_key_template("{}")
                .unwrap_err()
                .contains("names no parameter")
        );
        assert!(
            parse_key_template("a}")
                .unwrap_err()
                .contains("without its")
        );
        assert!(
            parse_key_template("{a-b}")
                .unwrap_err()
                .contains("not a parameter name")
        );
        assert!(parse_key_template("").unwrap_err().contains("empty"));
        assert!(parse_key_template(&"k".repeat(600)).is_err());
    }

    #[test]
    fn keys_have_limits() {
        assert!(lock_key_problem("  ").is_some());
        assert!(lock_key_problem(&"k".repeat(512)).is_none());
        assert!(
            lock_key_problem(&"k".repeat(513))
                .unwrap()
                .contains("513 bytes")
        );
    }
}
