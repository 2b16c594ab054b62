//! One line of `zixun import` (or a body of the write API), through the checks and the whole
//! preparation: cleaning, limits, sanitizing, analysis. A rejected line names its reason; an
//! accepted one holds no control character and nothing over the limits; with a 敏感词 list,
//! a refusal names its field and words, and an accepted one shows no `replace` word.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use zixun_core::{
    SiteClock, TextAnalyzer,
    text::{clean::is_xml_char, normalize},
    words::WordList,
};
use zixun_ingest::{ArticlePreparer, DraftFields, ImportRecord, PrepareError, SensitiveWords};

fn preparer() -> &'static ArticlePreparer {
    static PREPARER: OnceLock<ArticlePreparer> = OnceLock::new();
    PREPARER.get_or_init(|| ArticlePreparer {
        analyzer: Arc::new(TextAnalyzer::new(None).expect("analyzer")),
        clock: SiteClock::new("Asia/Shanghai").expect("clock"),
        max_body_bytes: 64 * 1024,
        words: Arc::new(SensitiveWords::fixed(
            WordList::parse("禁词 block\n审核 review\n替换 replace\nabc replace\n").0,
        )),
    })
}

fuzz_target!(|line: &str| {
    let Ok(record) = ImportRecord::parse(line) else { return };
    match preparer().prepare(&record, &DraftFields::default(), None) {
        Ok(p) => {
            let d = &p.draft;
            assert!(!d.title.is_empty() && d.title.chars().count() <= 200, "{:?}", d.title);
            for text in [&d.title, &d.body_text, &d.body_html, &d.summary] {
                assert!(text.chars().all(is_xml_char), "a control character stored: {text:?}");
            }
            for text in [&d.title, &d.body_text] {
                assert!(!normalize(text).contains("替换"), "a replace word shown: {text:?}");
            }
        }
        Err(PrepareError::Blocked { field, words }) => assert!(!field.is_empty() && words == ["禁词"]),
        Err(e) => assert!(!e.field().is_empty() && !e.to_string().is_empty()),
    }
});
