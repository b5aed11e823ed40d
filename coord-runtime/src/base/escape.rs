//! Control characters in text that came from outside (map keys in validated input, the text
//! of a caller's error) written as visible escapes, so such text cannot forge a log line
//! (`"\n2026-01-01T00:00:00Z ERROR …"`) or hide in a terminal.

use std::borrow::Cow;
use std::fmt::{self, Write};

/// `text` with every control character escaped (`\n`, `\u{1b}`); borrowed when there is none.
pub(crate) fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    let _ = EscapingWriter(&mut escaped).write_str(text);
    Cow::Owned(escaped)
}

/// Shows a value's `Display` with control characters escaped.
pub(crate) struct EscapedDisplay<'a>(pub(crate) &'a dyn fmt::Display);

impl fmt::Display for EscapedDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(EscapingWriter(f), "{}", self.0)
    }
}

/// Passes text on, escaping control characters.
struct EscapingWriter<W>(W);

impl<W: Write> Write for EscapingWriter<W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        while let Some(at) = rest.find(char::is_control) {
            self.0.write_str(&rest[..at])?;
            let control = rest[at..].chars().next().unwrap_or_default();
            write!(self.0, "{}", control.escape_default())?;
            rest = &rest[at + control.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        let forged = "id\n2026-12-06T00:00:00Z ERROR admin logged in\u{1b}[2J";
        assert_eq!(
            escape_controls(forged),
            "id\\n2026-12-06T00:00:00Z ERROR admin logged in\\u{1b}[2J"
        );
        assert!(matches!(escape_controls("plain.path[3]"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("tab\there é"), "tab\\there é");
        assert_eq!(
            EscapedDisplay(&"a\r\nb").to_string(),
            "a\\r\\nb",
            "the Display adapter escapes alike"
        );
    }
}
