//! The path of the value being checked (`customer.address.zip`, `items[2]`), kept in a fixed
//! buffer so that walking valid input allocates nothing; it becomes a `String` only for an error.

use std::mem::MaybeUninit;

use crate::base::escape::escape_controls;

/// Longest path kept; a longer one ends in `…`.
const CAPACITY: usize = 256;

/// The current path.
pub(crate) struct PathBuffer {
    /// Only `bytes[..len]` is ever initialised: a validation builds one of these per call, and
    /// zeroing 256 bytes each time was a measurable share of validating a small struct.
    bytes: [MaybeUninit<u8>; CAPACITY],
    len: usize,
    truncated_at: Option<usize>,
}

impl PathBuffer {
    /// The empty path (the input itself).
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Self {
            bytes: [const { MaybeUninit::uninit() }; CAPACITY],
            len: 0,
            truncated_at: None,
        }
    }

    /// Where the path ends now, to [`truncate`](Self::truncate) back to.
    pub(crate) fn mark(&self) -> usize {
        self.len
    }

    /// Goes back to `mark`.
    pub(crate) fn truncate(&mut self, mark: usize) {
        self.len = mark;
        if self.truncated_at.is_some_and(|at| at >= mark) {
            self.truncated_at = None;
        }
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        let room = CAPACITY - self.len;
        if bytes.len() > room {
            self.truncated_at.get_or_insert(self.len);
        }
        let taken = bytes.len().min(room);
        for (slot, byte) in self.bytes[self.len..self.len + taken].iter_mut().zip(bytes) {
            slot.write(*byte);
        }
        self.len += taken;
    }

    /// Appends a field name.
    pub(crate) fn push_field(&mut self, name: &str) {
        if self.len > 0 {
            self.push_bytes(b".");
        }
        self.push_bytes(name.as_bytes());
    }

    /// Appends an array index.
    pub(crate) fn push_index(&mut self, index: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = index;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.push_bytes(b"[");
        self.push_bytes(&digits[at..]);
        self.push_bytes(b"]");
    }

    /// The bytes written so far.
    fn written(&self) -> &[u8] {
        let written = &self.bytes[..self.len];
        // SAFETY: every byte below `len` was written by `push_bytes` (truncation only lowers
        // `len`), and `MaybeUninit<u8>` has the layout of `u8`.
        unsafe { &*(std::ptr::from_ref(written) as *const [u8]) }
    }

    /// The path as text (allocates; for errors only). Map keys come from the input, so
    /// control characters are escaped: a key cannot forge a log line through an error message.
    pub(crate) fn render(&self) -> String {
        let written = String::from_utf8_lossy(self.written());
        let mut text = escape_controls(&written).into_owned();
        if self.truncated_at.is_some() {
            text.push('…');
        }
        text
    }

    /// What was pushed after `mark`, without its leading `.` (a map key, for the survey).
    pub(crate) fn since(&self, mark: usize) -> String {
        let pushed = &self.written()[mark.min(self.len)..];
        let pushed = pushed.strip_prefix(b".").unwrap_or(pushed);
        String::from_utf8_lossy(pushed).into_owned()
    }

    /// The path of child `name` as text.
    pub(crate) fn render_child(&self, name: &str) -> String {
        let parent = self.render();
        let name = escape_controls(name);
        if parent.is_empty() {
            name.into_owned()
        } else {
            format!("{parent}.{name}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PathBuffer;

    #[test]
    fn builds_and_unwinds_paths() {
        let mut path = PathBuffer::new();
        path.push_field("order");
        let mark = path.mark();
        path.push_field("lines");
        path.push_index(12);
        path.push_field("sku");
        assert_eq!(path.render(), "order.lines[12].sku");
        path.truncate(mark);
        assert_eq!(path.render_child("id"), "order.id");
    }

    #[test]
    fn keys_from_the_input_cannot_carry_control_characters_out() {
        let mut path = PathBuffer::new();
        path.push_field("notes");
        path.push_field("x\n2026-12-06T00:00:00Z ERROR forged");
        assert_eq!(path.render(), "notes.x\\n2026-12-06T00:00:00Z ERROR forged");
        assert_eq!(
            path.render_child("\u{7}"),
            "notes.x\\n2026-12-06T00:00:00Z ERROR forged.\\u{7}"
        );
    }

    #[test]
    fn long_paths_are_truncated_visibly() {
        let mut path = PathBuffer::new();
        for _ in 0..100 {
            path.push_field("abcdef");
        }
        assert!(path.render().ends_with('…'));
        path.truncate(0);
        assert_eq!(path.render(), "");
    }
}
