//! Reading time: Chinese is read by the character (about 400 a minute), Latin text by the word
//! (about 200 a minute).

/// Han characters and kana read in a minute.
pub const CJK_PER_MINUTE: usize = 400;
/// Latin-script words read in a minute.
pub const WORDS_PER_MINUTE: usize = 200;

/// Minutes a reader needs for `text`, rounded up, at least 1 for any text.
pub fn reading_minutes(text: &str) -> u32 {
    let mut cjk = 0usize;
    let mut words = 0usize;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                words += 1;
                in_word = true;
            }
        } else {
            in_word = false;
        }
    }
    if cjk == 0 && words == 0 {
        return 0;
    }
    // Both counted in thousandths of a minute, so that a mixed text adds up.
    let millis = cjk * 1000 / CJK_PER_MINUTE + words * 1000 / WORDS_PER_MINUTE;
    u32::try_from(millis.div_ceil(1000)).unwrap_or(u32::MAX).max(1)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // kana
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x3134F) // extensions B–G
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_characters_and_latin_counts_words() {
        assert_eq!(reading_minutes(""), 0);
        assert_eq!(reading_minutes("。，！"), 0, "punctuation alone is nothing to read");
        assert_eq!(reading_minutes("短讯"), 1, "any text takes a minute");
        assert_eq!(reading_minutes(&"字".repeat(400)), 1);
        assert_eq!(reading_minutes(&"字".repeat(401)), 2);
        assert_eq!(reading_minutes(&"字".repeat(2000)), 5);
        assert_eq!(reading_minutes(&"word ".repeat(600)), 3);
        // 200 characters (half a minute) and 100 words (half a minute): one minute.
        let mixed = format!("{}{}", "新".repeat(200), " GPU".repeat(100));
        assert_eq!(reading_minutes(&mixed), 1);
        assert_eq!(reading_minutes("2026年11月，A股上涨3.5%"), 1);
    }
}
