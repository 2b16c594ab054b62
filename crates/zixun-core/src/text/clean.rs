//! Characters no text of the site should hold: the controls XML 1.0 cannot carry (one of them
//! in a title made every XML feed unreadable) and the other invisible controls that no writer
//! means to publish.

use std::borrow::Cow;

/// May XML 1.0 carry `c`? (`#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`;
/// Rust's `char` holds no surrogates.)
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Is `c` kept in stored text: what XML carries, less DEL and the C1 controls.
fn is_text_char(c: char) -> bool {
    is_xml_char(c) && !('\u{7F}'..='\u{9F}').contains(&c)
}

fn retain(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if s.chars().all(&keep) { Cow::Borrowed(s) } else { Cow::Owned(s.chars().filter(|&c| keep(c)).collect()) }
}

/// `s` without the characters XML 1.0 cannot carry: for every XML document the site writes.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    retain(s, is_xml_char)
}

/// `s` without control characters other than tab and line breaks (nor U+FFFE, U+FFFF): for
/// every text field on its way into the store.
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    retain(s, is_text_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_go_and_text_stays() {
        assert_eq!(strip_controls("a\u{1}b\u{0}c\u{7f}d\u{85}e\u{fffe}f"), "abcdef");
        assert_eq!(strip_controls("第一段\n第二段\t\r😀"), "第一段\n第二段\t\r😀");
        assert!(matches!(strip_controls("新闻"), Cow::Borrowed(_)), "clean text is not copied");
        assert_eq!(xml_safe("a\u{1}b\u{b}c\u{ffff}d"), "abcd");
        // XML 1.0 carries DEL and C1; only the stored text drops them.
        assert_eq!(xml_safe("a\u{7f}\u{85}b"), "a\u{7f}\u{85}b");
        for c in (0u32..0x11_0000).filter_map(char::from_u32) {
            assert_eq!(xml_safe(&c.to_string()).is_empty(), !is_xml_char(c));
            assert!(!is_text_char(c) || is_xml_char(c));
        }
    }
}
