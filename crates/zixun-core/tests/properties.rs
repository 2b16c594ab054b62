//! Properties that are the specification, checked on generated input (proptest).

use proptest::prelude::*;
use zixun_core::{
    html::{html_to_text, sanitize},
    story::bands,
    text::{
        clean::{is_xml_char, strip_controls, xml_safe},
        hamming, normalize,
    },
};

/// HTML built of tags (allowed, dropped and dangerous ones, with attributes) around text that
/// holds no markup characters itself.
fn markup() -> impl Strategy<Value = String> {
    let text = "[一-龥a-z0-9 ，。]{0,12}";
    let open = prop_oneof![
        Just("<p>"),
        Just("<blockquote>"),
        Just("<b>"),
        Just("<a href=\"https://example.com/x\" onclick=\"alert(1)\">"),
        Just("<img src=x onerror=alert(1)>"),
        Just("<script>"),
        Just("<style>"),
        Just("<svg onload=alert(2)>"),
        Just("<iframe src=//evil.example>"),
        Just("<table><tr><td>"),
        Just("<!-- 注释 -->"),
        Just("<br>"),
    ];
    let close =
        prop_oneof![Just("</p>"), Just("</blockquote>"), Just("</b>"), Just("</a>"), Just("</script>"), Just("</td>")];
    prop::collection::vec((open, text, close), 0..40)
        .prop_map(|parts| parts.into_iter().map(|(o, t, c)| format!("{o}{t}{c}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Search offsets point into the original text: one character out per character in.
    #[test]
    fn normalization_keeps_every_character_in_its_place(s in "\\PC{0,64}") {
        prop_assert_eq!(normalize(&s).chars().count(), s.chars().count());
    }

    /// What a reader sees as text of sanitized HTML holds no markup: every tag is gone.
    #[test]
    fn text_of_sanitized_html_holds_no_markup(html in markup()) {
        let text = html_to_text(&sanitize(&html));
        prop_assert!(!text.contains('<') && !text.contains('>'), "{:?} -> {:?}", html, text);
        prop_assert!(!text.contains("alert"), "{:?} -> {:?}", html, text);
    }

    /// Two SimHashes within 3 bits share a band in the same place, so the band index finds
    /// every pair the story policy allows.
    #[test]
    fn bands_find_every_pair_within_three_bits(h in any::<u64>(), flips in prop::collection::vec(0u32..64, 0..=3)) {
        let other = flips.iter().fold(h, |x, bit| x ^ (1u64 << bit));
        prop_assert!(hamming(h, other) <= 3);
        let (a, b) = (bands(h), bands(other));
        prop_assert!(a.iter().zip(&b).any(|(x, y)| x == y), "{h:x} and {other:x} share no band");
    }

    /// Every XML document we write is cleaned of what XML 1.0 cannot carry, and of nothing else.
    #[test]
    fn xml_safe_drops_exactly_what_xml_cannot_carry(s in "\\PC{0,32}|[\\x00-\\x1f\\u{fffe}\\u{ffff}a-z]{0,32}") {
        let safe = xml_safe(&s);
        prop_assert!(safe.chars().all(is_xml_char));
        prop_assert_eq!(safe.as_ref(), s.chars().filter(|&c| is_xml_char(c)).collect::<String>());
        prop_assert!(strip_controls(&s).chars().all(is_xml_char));
    }
}
