//! A search query and an indexed text through the Chinese analyzer: query terms, index tokens
//! (whose offsets must point at character boundaries of the text) and normalization.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zixun_core::{TextAnalyzer, text::normalize};

fn analyzer() -> &'static TextAnalyzer {
    static ANALYZER: OnceLock<TextAnalyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| TextAnalyzer::new(None).expect("analyzer"))
}

fuzz_target!(|text: &str| {
    let a = analyzer();
    let _ = a.query_terms(text);
    for t in a.index_tokens(text) {
        assert!(t.offset_from <= t.offset_to && t.offset_to <= text.len(), "{t:?} in {text:?}");
        assert!(text.is_char_boundary(t.offset_from) && text.is_char_boundary(t.offset_to), "{t:?} in {text:?}");
    }
    assert_eq!(normalize(text).chars().count(), text.chars().count());
});
