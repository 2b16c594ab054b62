//! Markdown from the newsroom's editor, rendered and then sanitized as every body is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zixun_core::html::{MAX_NESTING, html_to_text, markdown_to_html, nesting_depth, sanitize};

fuzz_target!(|md: &str| {
    let html = markdown_to_html(md);
    if nesting_depth(&html) > MAX_NESTING {
        return;
    }
    let clean = sanitize(&html);
    assert!(!clean.to_ascii_lowercase().contains("<script"), "{md:?} -> {clean:?}");
    let _ = html_to_text(&clean);
});
