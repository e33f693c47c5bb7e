//! Text a policy writes, as the host passes it on: control characters are
//! refused where the text reaches an email header, and escaped where it
//! reaches the host's log, so a policy can neither inject a header line
//! nor forge a log line (or a terminal escape sequence).
//!
//! Which characters a header text may hold depends on what it is
//! ([`TextKind`]): an identifier may hold none of them, prose may hold TAB.

use std::borrow::Cow;

/// Whether `c` could break a line or a header: a C0 or C1 control
/// character (CR, LF, NUL, ESC, DEL, NEL, …) or a Unicode line or paragraph
/// separator.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// The first character of `text` that [`is_unsafe`], if any.
pub fn first_unsafe(text: &str) -> Option<char> {
    // Plain ASCII text without control bytes is the common case: a byte
    // scan settles it without decoding.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    text.chars().find(|c| is_unsafe(*c))
}

/// What a text that goes into an email is, which decides what it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A thread id, a Message-ID, a `References` list: RFC 5322's msg-id
    /// holds no white space, so no [unsafe](is_unsafe) character at all
    /// (a TAB included).
    Identifier,
    /// A subject, a topic hint, a body excerpt: an unstructured header
    /// field body may hold TAB (RFC 5322's WSP is space and TAB, and
    /// DECNET's driver keeps a TAB its text generator wrote into a subject),
    /// which cannot end a header line. Every other unsafe character is
    /// refused: CR, LF and NUL can end one, and the other controls and the
    /// Unicode line separators are read as line breaks by some software.
    Prose,
}

impl TextKind {
    /// The first character of `text` this kind of text may not hold.
    pub fn first_refused(self, text: &str) -> Option<char> {
        first_unsafe(text)?;
        text.chars().find(|&c| is_unsafe(c) && !(self == TextKind::Prose && c == '\t'))
    }
}

/// `text` with every unsafe character written as an escape (`\n`, `\r`,
/// `\t`, `\u{1b}`, …), so it stays on one line and means nothing to a
/// terminal.
pub fn escape_unsafe(text: &str) -> Cow<'_, str> {
    if first_unsafe(text).is_none() {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_breaking_characters_are_found() {
        for text in ["a\r\nBcc: x", "nul\0", "esc\u{1b}[31m", "tab\t", "nel\u{85}", "ls\u{2028}", "del\u{7f}"] {
            assert!(first_unsafe(text).is_some(), "{text:?}");
        }
        for text in ["Re: Q3 budget", "Grüße, Åsa — 日本", ""] {
            assert_eq!(first_unsafe(text), None, "{text:?}");
        }
    }

    #[test]
    fn prose_may_hold_a_tab_and_identifiers_may_not() {
        assert_eq!(TextKind::Prose.first_refused("Quarterly\tforecast – v2"), None);
        assert_eq!(TextKind::Identifier.first_refused("<a@b>\t<c@d>"), Some('\t'));
        for text in [
            "a\tb\r\nBcc: x",
            "nul\0",
            "esc\u{1b}",
            "del\u{7f}",
            "nel\u{85}",
            "ls\u{2028}",
            "ps\u{2029}",
            "vt\u{b}",
            "fs\u{1c}",
        ] {
            assert!(TextKind::Prose.first_refused(text).is_some(), "{text:?}");
            assert!(TextKind::Identifier.first_refused(text).is_some(), "{text:?}");
        }
        assert_eq!(TextKind::Prose.first_refused("tab\there, then\rCR"), Some('\r'));
        assert_eq!(TextKind::Identifier.first_refused("<m1@x.io> <m2@x.io>"), None);
    }

    #[test]
    fn escaping_keeps_text_on_one_line() {
        assert_eq!(escape_unsafe("tab\tin a log line"), "tab\\tin a log line");
        assert_eq!(escape_unsafe("ok\nERROR host: forged"), "ok\\nERROR host: forged");
        assert_eq!(escape_unsafe("\u{1b}[2J\r"), "\\u{1b}[2J\\r");
        assert!(matches!(escape_unsafe("plain"), Cow::Borrowed("plain")));
    }
}
