//! 敏感词: the site's list of sensitive words, and what it does to a write.
//!
//! The list is text, a word and a mode a line (`#` starts a comment):
//!
//! ```text
//! 某禁词 block     # publishing is refused, the words named
//! 某审核词 review  # the article waits for an editor
//! 某替换词 replace # shown as ＊ of its length
//! ```
//!
//! Words and text are folded as search folds them (width, case, 繁→简), so 某禁詞 and ＡＢＣ are
//! caught by 某禁词 and abc. A word of Latin letters and digits only matches as a whole word
//! (`ass` does not catch `class`). Pure functions; reading the file is the caller's.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::{newsroom::Workflow, text::normalize};

/// What a listed word does to a write that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WordMode {
    /// The word becomes ＊ of its length in what readers see.
    Replace,
    /// The article waits for an editor before it goes out.
    Review,
    /// Publishing is refused.
    Block,
}

impl WordMode {
    /// `block`, `review`, `replace`, or their Chinese names 禁止, 审核, 替换.
    pub fn parse(s: &str) -> Option<WordMode> {
        match s {
            "block" | "禁止" => Some(WordMode::Block),
            "review" | "审核" => Some(WordMode::Review),
            "replace" | "替换" => Some(WordMode::Replace),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WordMode::Block => "block",
            WordMode::Review => "review",
            WordMode::Replace => "replace",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WordMode::Block => "禁止",
            WordMode::Review => "审核",
            WordMode::Replace => "替换",
        }
    }
}

/// A line of the list that could not be read (reported, skipped; the rest loads).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct WordLineError {
    pub line: usize,
    pub reason: String,
}

/// A listed word found in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordHit {
    pub field: &'static str,
    /// As the list writes it.
    pub word: String,
    pub mode: WordMode,
}

/// The site's word list, compiled.
#[derive(Debug, Default)]
pub struct WordList {
    /// Folded word, the word as listed, its mode: pattern `i` of the matchers is `words[i]`.
    words: Vec<(String, String, WordMode)>,
    /// Every word, overlapping matches (nothing is missed).
    find: Option<AhoCorasick>,
    /// The `replace` words only, leftmost-longest (what gets masked).
    mask: Option<(AhoCorasick, Vec<usize>)>,
}

/// Characters a word may not hold: they are markup in a body, where the list masks text.
const MARKUP: [char; 5] = ['<', '>', '&', '"', '\''];

impl WordList {
    /// Reads the list; bad lines are returned with the list of the good ones.
    pub fn parse(text: &str) -> (WordList, Vec<WordLineError>) {
        let mut errors = Vec::new();
        let mut words: Vec<(String, String, WordMode)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split_once('#').map_or(raw, |(before, _)| before).trim();
            if line.is_empty() {
                continue;
            }
            let err = |reason: String| WordLineError { line: i + 1, reason };
            let Some((word, mode)) = line.rsplit_once(char::is_whitespace) else {
                errors
                    .push(err(format!("{line:?} has no mode: write the word, a space, then block, review or replace")));
                continue;
            };
            let word = word.trim();
            let Some(mode) = WordMode::parse(mode) else {
                errors.push(err(format!("mode {mode:?} is not block, review or replace")));
                continue;
            };
            if let Some(c) = word.chars().find(|c| MARKUP.contains(c) || c.is_control()) {
                errors.push(err(format!("{word:?} holds {c:?}, which a word may not")));
                continue;
            }
            let folded = normalize(word);
            match words.iter_mut().find(|(f, _, _)| *f == folded) {
                // Listed twice: the stricter mode wins.
                Some(listed) => listed.2 = listed.2.max(mode),
                None => words.push((folded, word.to_string(), mode)),
            }
        }
        (WordList::new(words), errors)
    }

    fn new(words: Vec<(String, String, WordMode)>) -> WordList {
        let build = |kind: MatchKind, patterns: Vec<&str>| {
            if patterns.is_empty() {
                return None;
            }
            // Patterns are short words; building fails only past the automaton's size limits.
            AhoCorasick::builder().match_kind(kind).build(patterns).ok()
        };
        let find = build(MatchKind::Standard, words.iter().map(|(f, _, _)| f.as_str()).collect());
        let replace: Vec<usize> = (0..words.len()).filter(|&i| words[i].2 == WordMode::Replace).collect();
        let mask = build(MatchKind::LeftmostLongest, replace.iter().map(|&i| words[i].0.as_str()).collect())
            .map(|ac| (ac, replace));
        WordList { words, find, mask }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How many words of each mode: (block, review, replace).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |m: WordMode| self.words.iter().filter(|w| w.2 == m).count();
        (n(WordMode::Block), n(WordMode::Review), n(WordMode::Replace))
    }

    /// The listed words in `text` (each once, in the order found), as hits on `field`.
    pub fn find(&self, field: &'static str, text: &str) -> Vec<WordHit> {
        let Some(ac) = &self.find else { return Vec::new() };
        let folded = normalize(text);
        let mut seen = Vec::new();
        for m in ac.find_overlapping_iter(&folded) {
            let i = m.pattern().as_usize();
            if !seen.contains(&i) && whole_word(&folded, m.start(), m.end()) {
                seen.push(i);
            }
        }
        seen.into_iter().map(|i| WordHit { field, word: self.words[i].1.clone(), mode: self.words[i].2 }).collect()
    }

    /// `text` with each `replace` word as ＊ of its length.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some((ac, _)) = &self.mask else { return Cow::Borrowed(text) };
        let folded = normalize(text);
        // Folding keeps the number of characters, not of bytes: spans are counted in characters.
        // Matches come in order: count characters from the last one, not from the start.
        let (mut byte, mut chars) = (0, 0);
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for m in ac.find_iter(&folded).filter(|m| whole_word(&folded, m.start(), m.end())) {
            chars += folded[byte..m.start()].chars().count();
            let len = folded[m.start()..m.end()].chars().count();
            spans.push((chars, len));
            chars += len;
            byte = m.end();
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut spans = spans.into_iter().peekable();
        let mut masking = 0;
        for (i, c) in text.chars().enumerate() {
            if let Some(&(start, len)) = spans.peek()
                && start == i
            {
                masking = len;
                spans.next();
            }
            if masking > 0 {
                out.push('＊');
                masking -= 1;
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// Sanitized HTML with each `replace` word of its text masked; tags are left as they are.
    pub fn mask_html<'a>(&self, html: &'a str) -> Cow<'a, str> {
        if self.mask.is_none() {
            return Cow::Borrowed(html);
        }
        let mut out = String::with_capacity(html.len());
        let mut changed = false;
        let mut rest = html;
        while !rest.is_empty() {
            let text_end = rest.find('<').unwrap_or(rest.len());
            let masked = self.mask(&rest[..text_end]);
            changed |= matches!(masked, Cow::Owned(_));
            out.push_str(&masked);
            rest = &rest[text_end..];
            let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
            out.push_str(&rest[..tag_end]);
            rest = &rest[tag_end..];
        }
        if changed { Cow::Owned(out) } else { Cow::Borrowed(html) }
    }
}

/// A word of Latin letters and digits matches only between non-alphanumeric ASCII neighbours;
/// a Chinese word anywhere.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = &text[start..end];
    if !word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return true;
    }
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// What the list found in one write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screening {
    pub hits: Vec<WordHit>,
}

/// What becomes of a write with listed words in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Written as asked (a `replace` word is masked either way).
    Pass,
    /// Written, but held as submitted for an editor instead of going out.
    Hold,
    /// Not written: `block` words, the first field they are in and every such word.
    Refuse { field: &'static str, words: Vec<String> },
}

impl Screening {
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    fn words(&self, mode: WordMode) -> impl Iterator<Item = &WordHit> {
        self.hits.iter().filter(move |h| h.mode == mode)
    }

    /// The rule: nothing is refused or held until it is asked to go out (published,
    /// scheduled, or submitted to an editor: a draft may hold any word while it is written).
    /// Then `block` words refuse it; `review` words hold it unless an editor is the one
    /// publishing (their publishing is the review: how a held article is released).
    pub fn verdict(&self, asked: Workflow, by_editor: bool) -> Verdict {
        if !matches!(asked, Workflow::Published | Workflow::Scheduled | Workflow::Submitted) {
            return Verdict::Pass;
        }
        let mut blocked = self.words(WordMode::Block).peekable();
        if let Some(first) = blocked.peek() {
            let field = first.field;
            let mut words: Vec<String> = blocked.map(|h| h.word.clone()).collect();
            words.dedup();
            return Verdict::Refuse { field, words };
        }
        if asked != Workflow::Submitted && !by_editor && self.words(WordMode::Review).next().is_some() {
            return Verdict::Hold;
        }
        Verdict::Pass
    }

    /// The hits in words, for the audit log: `禁止「某词」（标题）；替换「某词」（正文）`.
    pub fn describe(&self) -> String {
        self.hits
            .iter()
            .map(|h| format!("{}「{}」（{}）", h.mode.label(), h.word, field_label(h.field)))
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// A field's name in the newsroom's words.
pub fn field_label(field: &str) -> &str {
    match field {
        "title" => "标题",
        "body" => "正文",
        "tags" => "标签",
        "author" => "作者",
        "source" => "来源",
        "original_title" => "原标题",
        "original_author" => "原作者",
        "editor" => "责任编辑",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> WordList {
        let (list, errors) = WordList::parse(
            "# 站点词表\n禁词 block\n待审词 review\n替换词 replace # 注释\nass replace\n\n坏行\n某词 maybe\n<b> block\n禁词 replace\n",
        );
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![7, 8, 9],
            "a line without a mode, an unknown mode and markup are reported: {errors:?}"
        );
        list
    }

    #[test]
    fn a_word_listed_twice_keeps_the_stricter_mode() {
        let l = list();
        assert_eq!(l.len(), 4);
        assert_eq!(l.counts(), (1, 1, 2));
        assert_eq!(l.find("title", "有禁词")[0].mode, WordMode::Block);
    }

    #[test]
    fn finds_through_width_case_and_script() {
        let l = list();
        let hits = l.find("body", "繁體的禁詞與待審詞，還有ASS！");
        let words: Vec<&str> = hits.iter().map(|h| h.word.as_str()).collect();
        assert_eq!(words, vec!["禁词", "待审词", "ass"]);
        assert!(hits.iter().all(|h| h.field == "body"));
        assert!(l.find("body", "first class").is_empty(), "a Latin word matches whole words only");
        assert!(l.find("body", "無事").is_empty());
    }

    #[test]
    fn masks_replace_words_with_one_star_a_character_in_text_and_html() {
        let l = list();
        assert_eq!(l.mask("这个替換詞和ＡＳＳ不见了"), "这个＊＊＊和＊＊＊不见了");
        assert!(matches!(l.mask("没有"), Cow::Borrowed(_)));
        assert_eq!(
            l.mask_html(r#"<p title="替换词">替换词<a href="/替换词">链接</a></p>"#),
            r#"<p title="替换词">＊＊＊<a href="/替换词">链接</a></p>"#,
            "text is masked, markup is not"
        );
        assert_eq!(l.mask("禁词"), "禁词", "only replace words are masked");
        // A body full of them (each span counted from the last, not from the start).
        let body = "甲替换词乙".repeat(50_000);
        let masked = l.mask(&body);
        assert_eq!(masked.chars().count(), body.chars().count());
        assert_eq!(masked.matches("甲＊＊＊乙").count(), 50_000);
    }

    #[test]
    fn drafts_pass_block_refuses_review_holds_until_an_editor_publishes() {
        let l = list();
        let screen = |text: &str| Screening { hits: l.find("body", text) };
        let blocked = screen("禁词和待审词");
        assert_eq!(blocked.verdict(Workflow::Draft, false), Verdict::Pass);
        for asked in [Workflow::Published, Workflow::Scheduled, Workflow::Submitted] {
            assert_eq!(
                blocked.verdict(asked, true),
                Verdict::Refuse { field: "body", words: vec!["禁词".into()] },
                "{asked:?}"
            );
        }
        let review = screen("待审词");
        assert_eq!(review.verdict(Workflow::Published, false), Verdict::Hold);
        assert_eq!(review.verdict(Workflow::Scheduled, false), Verdict::Hold);
        assert_eq!(review.verdict(Workflow::Published, true), Verdict::Pass, "an editor's publishing is the review");
        assert_eq!(review.verdict(Workflow::Submitted, false), Verdict::Pass, "already waiting for an editor");
        assert_eq!(screen("替换词").verdict(Workflow::Published, false), Verdict::Pass);
        assert_eq!(blocked.describe(), "禁止「禁词」（正文）；审核「待审词」（正文）");
    }

    #[test]
    fn an_empty_list_finds_and_masks_nothing() {
        let (l, errors) = WordList::parse("");
        assert!(l.is_empty() && errors.is_empty());
        assert!(l.find("title", "任何").is_empty());
        assert!(matches!(l.mask_html("<p>任何</p>"), Cow::Borrowed(_)));
    }
}
