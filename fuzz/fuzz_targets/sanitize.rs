//! HTML from outside (a feed entry, a pasted body) through the sanitizer and back to text. A
//! body nested past the limit is refused by its depth first, as the preparation does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zixun_core::html::{MAX_NESTING, html_to_text, nesting_depth, sanitize, sanitize_with_base};

fuzz_target!(|html: &str| {
    if nesting_depth(html) > MAX_NESTING {
        return;
    }
    let clean = sanitize(html);
    let text = html_to_text(&clean);
    let based = sanitize_with_base(html, Some("https://outlet.example/news/1.html"));
    // What the sanitizer lets through is never a script, an event handler or a link a browser
    // would run (in its tags: text may say anything, escaped).
    for out in [&clean, &based] {
        for tag in tags(out) {
            let lower = tag.to_ascii_lowercase();
            let name = lower.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
            assert!(!matches!(name, "script" | "style" | "iframe" | "svg" | "object"), "{html:?} -> {out:?}");
            for (attribute, value) in attributes(&lower) {
                assert!(!attribute.starts_with("on"), "{html:?} -> {out:?}");
                // As a browser reads a URL: tabs and newlines dropped, spaces trimmed.
                let url: String = value.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
                let url = url.trim_start_matches(|c: char| c <= ' ');
                assert!(!url.starts_with("javascript:") && !url.starts_with("data:"), "{html:?} -> {out:?}");
            }
        }
    }
    // Its text is text: a second pass finds no more to strip.
    let _ = html_to_text(&sanitize(&text));
});

/// The insides of the tags of sanitizer output (whose text has `<` and `>` escaped).
fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<').skip(1).filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
}

/// The attributes of a tag's inside, as (name, value) (the sanitizer writes every value
/// double-quoted).
fn attributes(tag: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = tag.trim_start_matches(|c: char| !c.is_whitespace());
    std::iter::from_fn(move || {
        rest = rest.trim_start();
        let end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        let value = match after.strip_prefix("=\"").and_then(|v| v.split_once('"')) {
            Some((value, r)) => {
                rest = r;
                value
            }
            None => {
                rest = after.strip_prefix('=').unwrap_or(after);
                ""
            }
        };
        (!name.is_empty()).then_some((name, value))
    })
}
