//! Highlighted titles and snippets for search hits, found by string matching instead of cutting
//! each hit's text into words again: the query's words (already normalised) are sought in the
//! text normalised the same way (width, case, script; char for char, so positions carry back
//! to the original), leftmost-longest. A Latin word counts only whole (`ai` is not highlighted
//! in `said`), as the index would match it. A body is first searched as it is (Latin letters in
//! any case), and normalised only when that finds nothing (a body in traditional script, say):
//! normalising every hit's whole body was most of the cost of highlighting.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use zixun_core::html::{cut, escape};
use zixun_core::text::normalize;

/// The body snippet is about this many characters, from a little before the densest cluster
/// of the query's words (the end is moved past a word it would cut).
pub const SNIPPET_CHARS: usize = 160;
/// Characters kept before the cluster's first match, back to a sentence's start if there is
/// one among them.
const SNIPPET_LEAD_CHARS: usize = 30;
/// Matches looked at in one body (a word repeated thousands of times stops counting).
const MAX_MATCHES: usize = 500;
/// Characters of a body searched for a snippet (most bodies are shorter: news2018's 90th
/// percentile is 2,715).
pub const SNIPPET_SOURCE_CHARS: usize = 4000;
/// Characters of the body's start shown when no word of the query is in it.
const FALLBACK_CHARS: usize = 80;

/// The query's words, ready to be found in titles and bodies (built once per query).
pub struct Highlighter {
    finder: Option<AhoCorasick>,
}

/// A match: where in the original text, and which of the query's words.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    bytes: Range<usize>,
    word: usize,
}

impl Highlighter {
    /// `words` as the analyzer gives them (normalised); empty words are ignored.
    pub fn new(words: &[String]) -> Self {
        let finder = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            // A handful of words and a few kilobytes of text per hit: no DFA to build.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(words.iter().filter(|w| !w.is_empty()))
            .ok()
            .filter(|f| f.patterns_len() > 0);
        Highlighter { finder }
    }

    /// The whole title, escaped, with the query's words in `<b>`.
    pub fn title_html(&self, title: &str) -> String {
        let found = self.find(title, true);
        marked(title, &found)
    }

    /// About [`SNIPPET_CHARS`] characters of `body` around the place where most distinct query
    /// words come together, escaped, with the words in `<b>`; the body's start when none is in
    /// it.
    pub fn snippet_html(&self, body: &str) -> String {
        let mut found = self.find(body, false);
        if found.is_empty() {
            found = self.find(body, true);
        }
        let Some(first) = densest(&found) else {
            return escape(&cut(body, FALLBACK_CHARS));
        };
        let at = found[first].bytes.start;
        let start = snippet_start(body, at);
        let mut end = body[start..].char_indices().nth(SNIPPET_CHARS).map_or(body.len(), |(i, _)| start + i);
        // A word the cut would split is kept whole.
        if let Some(f) = found.iter().find(|f| f.bytes.start < end && f.bytes.end > end) {
            end = f.bytes.end;
        }
        let inside: Vec<Found> = found
            .iter()
            .filter(|f| f.bytes.start >= start && f.bytes.end <= end)
            .map(|f| Found { bytes: f.bytes.start - start..f.bytes.end - start, word: f.word })
            .collect();
        marked(body[start..end].trim_end(), &inside)
    }

    /// The query's words in `text`, in order, as byte ranges of `text`; in `text` normalised
    /// when `normalized`, else as it is.
    fn find(&self, text: &str, normalized: bool) -> Vec<Found> {
        let Some(finder) = &self.finder else { return Vec::new() };
        if !normalized {
            return whole_words(finder, text).map(|(bytes, word)| Found { bytes, word }).collect();
        }
        let normalized = normalize(text);
        // normalize() keeps the number of characters: the n-th char of one is the n-th of the
        // other. Byte offsets of both, char by char (plus the end).
        let offsets = |s: &str| -> Vec<usize> { s.char_indices().map(|(i, _)| i).chain([s.len()]).collect() };
        let (norm_at, orig_at) = (offsets(&normalized), offsets(text));
        if norm_at.len() != orig_at.len() {
            return Vec::new();
        }
        let back = |norm_byte: usize| norm_at.binary_search(&norm_byte).ok().map(|char_index| orig_at[char_index]);
        whole_words(finder, &normalized)
            .filter_map(|(bytes, word)| Some(Found { bytes: back(bytes.start)?..back(bytes.end)?, word }))
            .collect()
    }
}

/// The words `finder` finds in `text`, at most [`MAX_MATCHES`], a Latin word only where its
/// ends do not touch more Latin letters or digits.
fn whole_words<'a>(finder: &'a AhoCorasick, text: &'a str) -> impl Iterator<Item = (Range<usize>, usize)> + 'a {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    finder
        .find_iter(text)
        .filter(move |m| {
            let matched = &text[m.range()];
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            !(latin(matched.chars().next()) && latin(before) || latin(matched.chars().next_back()) && latin(after))
        })
        .take(MAX_MATCHES)
        .map(|m| (m.range(), m.pattern().as_usize()))
}

/// The first [`SNIPPET_SOURCE_CHARS`] characters of `body`.
pub fn lead(body: &str) -> &str {
    body.char_indices().nth(SNIPPET_SOURCE_CHARS).map_or(body, |(i, _)| &body[..i])
}

/// The index of the match that has the most distinct words within the snippet's length after
/// it (the first such); `None` without matches.
fn densest(found: &[Found]) -> Option<usize> {
    let window_bytes = SNIPPET_CHARS * 3;
    let mut best: Option<(usize, usize)> = None; // (distinct words, index)
    let mut seen: Vec<usize> = Vec::new();
    for (i, f) in found.iter().enumerate() {
        seen.clear();
        seen.extend(found[i..].iter().take_while(|g| g.bytes.start < f.bytes.start + window_bytes).map(|g| g.word));
        seen.sort_unstable();
        seen.dedup();
        if best.is_none_or(|(n, _)| seen.len() > n) {
            best = Some((seen.len(), i));
        }
    }
    best.map(|(_, i)| i)
}

/// Where a snippet whose first match is at byte `at` starts: just after the last sentence end
/// among the [`SNIPPET_LEAD_CHARS`] characters before it, or that many characters before it.
/// Near the body's end it starts earlier, so that the snippet still has its length (at the first
/// sentence start among the lead's characters, if there is one).
fn snippet_start(body: &str, at: usize) -> usize {
    let is_end = |c: char| matches!(c, '。' | '！' | '？' | '；' | '\n' | '!' | '?' | ';');
    let lead: Vec<(usize, char)> = body[..at].char_indices().rev().take(SNIPPET_LEAD_CHARS).collect();
    let start = match lead.iter().find(|(_, c)| is_end(*c)) {
        Some((i, c)) => i + c.len_utf8(),
        None if lead.len() < SNIPPET_LEAD_CHARS => 0,
        None => lead.last().map_or(0, |(i, _)| *i),
    };
    let tail = body[start..].chars().count();
    if tail >= SNIPPET_CHARS || start == 0 {
        return start;
    }
    let back = body[..start].char_indices().rev().nth(SNIPPET_CHARS - tail - 1).map_or(0, |(i, _)| i);
    if back == 0 {
        return 0;
    }
    // A sentence start among the first lead characters (all of them before the first match).
    let sentence = body[back..at].char_indices().take(SNIPPET_LEAD_CHARS).find(|(_, c)| is_end(*c));
    sentence.map_or(back, |(i, c)| back + i + c.len_utf8())
}

/// `text` escaped, with the found ranges (in order, not overlapping) in `<b>`.
fn marked(text: &str, found: &[Found]) -> String {
    let mut html = String::with_capacity(text.len() + 16 * found.len() + 8);
    let mut at = 0;
    for f in found {
        if f.bytes.start < at || f.bytes.end > text.len() {
            continue;
        }
        html.push_str(&escape(&text[at..f.bytes.start]));
        html.push_str("<b>");
        html.push_str(&escape(&text[f.bytes.clone()]));
        html.push_str("</b>");
        at = f.bytes.end;
    }
    html.push_str(&escape(&text[at..]));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Highlighter {
        Highlighter::new(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_snippet_is_around_the_densest_cluster_of_the_words() {
        let filler = "今天天气晴朗，市民出行顺利。".repeat(150); // 2,100 characters without a match
        let body =
            format!("{filler}马拉松报名开始。{filler}江州马拉松今日开跑，三万名跑者参加江州国际马拉松。{filler}");
        let html = words(&["江州", "马拉松"]).snippet_html(&body);
        assert!(
            html.starts_with("<b>江州</b><b>马拉松</b>今日开跑，三万名跑者参加<b>江州</b>国际<b>马拉松</b>。"),
            "the snippet starts at the sentence: {html}"
        );
        assert!(!html.contains("报名开始"), "the lone first match is not the best: {html}");
        let text = html.replace("<b>", "").replace("</b>", "");
        assert!(text.chars().count() <= SNIPPET_CHARS, "{}", text.chars().count());
    }

    #[test]
    fn a_word_at_the_cut_is_kept_whole() {
        let body = format!("马拉松{}马拉松赛事", "之".repeat(SNIPPET_CHARS - 4));
        let html = words(&["马拉松"]).snippet_html(&body);
        assert!(html.ends_with("<b>马拉松</b>"), "{html}");
        // And at the very end of a body, as the last token used to cut it (马拉).
        let html = words(&["江州", "马拉松"]).snippet_html("老城区改造完成，江州周边焕然一新。马拉松");
        assert_eq!(html, "老城区改造完成，<b>江州</b>周边焕然一新。<b>马拉松</b>", "a short body is shown whole");
    }

    #[test]
    fn words_are_found_as_the_index_finds_them() {
        let h = words(&["iphone", "发布"]);
        assert_eq!(h.title_html("Apple 發佈新款 iPhone"), "Apple <b>發佈</b>新款 <b>iPhone</b>", "case and script");
        assert_eq!(words(&["ai"]).title_html("He said AI <now>"), "He said <b>AI</b> &lt;now&gt;", "whole Latin words");
        assert_eq!(words(&["ａｉ"]).title_html("x"), "x", "a word the analyzer would not give finds nothing");
        assert_eq!(words(&[]).title_html("a < b"), "a &lt; b");
    }

    #[test]
    fn only_a_long_bodys_lead_is_kept_for_snippets() {
        let body = "长".repeat(SNIPPET_SOURCE_CHARS + 10);
        assert_eq!(lead(&body).chars().count(), SNIPPET_SOURCE_CHARS);
        assert_eq!(lead("短文"), "短文");
    }

    #[test]
    fn near_the_end_the_snippet_starts_earlier_but_keeps_its_first_match() {
        // The match is 100 characters from the end: the snippet reaches back for its length,
        // to the start of the sentence before, and still shows the match.
        let body = format!("{}。{}。{}江州。{}", "甲".repeat(300), "乙".repeat(40), "丙".repeat(20), "丁".repeat(96));
        let html = words(&["江州"]).snippet_html(&body);
        assert!(html.contains("<b>江州</b>"), "{html}");
        assert!(html.starts_with(&"乙".repeat(40)), "{html}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_escaped_text_of_the_body_with_marks_that_pair(
            body in "[江州马拉松ａAbc 。！\\n<&>\\u{4e00}-\\u{4e10}]{0,400}",
            query in proptest::collection::vec("[江州马拉松Ａaｂc<&]{0,3}", 0..4),
        ) {
            let h = Highlighter::new(&query);
            for html in [h.snippet_html(&body), h.title_html(&body)] {
                proptest::prop_assert_eq!(html.matches("<b>").count(), html.matches("</b>").count());
                let text = html.replace("<b>", "").replace("</b>", "");
                proptest::prop_assert!(!text.contains('<') && !text.contains('>'), "{}", html);
                let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                    .replace("&#39;", "'").replace("&amp;", "&");
                let text = text.trim_end_matches("...");
                proptest::prop_assert!(body.contains(text.trim_end()), "{:?} is not of {:?}", text, body);
            }
        }
    }

    #[test]
    fn a_body_without_the_words_gives_its_start() {
        let body = "第一段。".repeat(200);
        let html = words(&["足球"]).snippet_html(&body);
        assert!(body.starts_with(html.trim_end_matches('.')), "{html}");
        assert_eq!(words(&["词"]).snippet_html(""), "");
        assert_eq!(words(&[]).snippet_html("短文"), "短文");
    }
}
