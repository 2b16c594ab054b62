//! Article bodies: plain text to paragraphs and section heads, and HTML from outside made safe.

use std::collections::HashSet;

/// A block of an article body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
}

/// Longest line (in characters) still taken for a section head.
const HEADING_MAX_CHARS: usize = 24;

/// Splits plain text into blocks: every non-empty line is a paragraph (blank lines and single
/// newlines both separate), and a short line that does not end a sentence is a section head,
/// like `战略层面:打造 “AI生态系统闭环”` or `小结:` on the reference page.
pub fn blocks_from_text(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(
            |line| {
                if is_heading(line) { Block::Heading(line.to_string()) } else { Block::Paragraph(line.to_string()) }
            },
        )
        .collect()
}

fn is_heading(line: &str) -> bool {
    let n = line.chars().count();
    if n > HEADING_MAX_CHARS {
        return false;
    }
    let last = line.chars().last().unwrap_or(' ');
    if matches!(last, ':' | '：') {
        return true;
    }
    // A short line that ends without sentence punctuation reads as a head in Chinese news
    // (`技术与数据层面:获取战略资源`), but only if it has some CJK and a colon or no punctuation.
    let ends_sentence =
        matches!(last, '。' | '！' | '？' | '；' | '…' | '.' | '!' | '?' | ';' | '”' | '"' | '）' | ')' | '，' | ',');
    let has_cjk = line.chars().any(is_cjk);
    !ends_sentence && has_cjk && n >= 2 && (line.contains(':') || line.contains('：') || n <= 16)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Renders blocks as HTML (escaped).
pub fn blocks_to_html(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Heading(t) => {
                out.push_str("<h2>");
                out.push_str(&escape(t));
                out.push_str("</h2>\n");
            }
            Block::Paragraph(t) => {
                out.push_str("<p>");
                out.push_str(&escape(t));
                out.push_str("</p>\n");
            }
        }
    }
    out
}

/// Plain text of blocks, one block a line.
pub fn blocks_to_text(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| match b {
            Block::Heading(t) | Block::Paragraph(t) => t.as_str(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes HTML from outside safe to show: no scripts, styles, event handlers, iframes or forms;
/// links open without referrer or opener; images keep src, alt and a numeric size.
pub fn sanitize(html: &str) -> String {
    sanitize_with_base(html, None)
}

/// [`sanitize`], with relative links and images made absolute against `base` (a feed entry's
/// address) and tracking pixels (images of 0 or 1 pixel) removed. Without a valid base,
/// relative URLs are dropped rather than left pointing into zixun's own site.
pub fn sanitize_with_base(html: &str, base: Option<&str>) -> String {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "img",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "pre",
        "code",
        "hr",
        "sup",
        "sub",
    ]
    .into_iter()
    .collect();
    let base = base.and_then(|b| ammonia::Url::parse(b).ok());
    let relative = match base {
        Some(url) => ammonia::UrlRelative::RewriteWithBase(url),
        None => ammonia::UrlRelative::PassThrough,
    };
    let clean = ammonia::Builder::default()
        .tags(tags)
        .add_tag_attributes("img", ["width", "height"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "width" | "height") if !value.trim().chars().all(|c| c.is_ascii_digit()) => None,
            _ => Some(value.into()),
        })
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(relative)
        .clean(html)
        .to_string();
    drop_tracking_pixels(&clean)
}

/// Removes `<img>` tags sized 0 or 1 pixel from sanitizer output (whose attributes are always
/// double-quoted and escaped, so a tag ends at the first `>`).
fn drop_tracking_pixels(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        out.push_str(&rest[..at]);
        let Some(len) = rest[at..].find('>') else {
            rest = &rest[at..];
            break;
        };
        let tag = &rest[at..at + len + 1];
        let tiny = ["width=\"0\"", "width=\"1\"", "height=\"0\"", "height=\"1\""].iter().any(|a| tag.contains(a));
        if !tiny {
            out.push_str(tag);
        }
        rest = &rest[at + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Plain text of (sanitized) HTML: tags dropped, block ends become newlines, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].trim_start_matches('/').to_ascii_lowercase();
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        if matches!(
            name,
            "p" | "br" | "h1" | "h2" | "h3" | "h4" | "li" | "blockquote" | "tr" | "div" | "figcaption" | "pre" | "hr"
        ) {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    out.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let ent = &after[..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                    u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
                }
                _ if ent.starts_with('#') => ent[1..].parse::<u32>().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Cuts `s` to at most `max` characters (never bytes), ending with `...` when cut.
pub fn cut(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_paragraphs_and_heads() {
        let text = "第一段，讲了一件事。\n\n战略层面:打造生态闭环\n第二段紧跟着单个换行。\n小结:\n";
        let blocks = blocks_from_text(text);
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("第一段，讲了一件事。".into()),
                Block::Heading("战略层面:打造生态闭环".into()),
                Block::Paragraph("第二段紧跟着单个换行。".into()),
                Block::Heading("小结:".into()),
            ]
        );
        assert!(blocks_to_html(&blocks).contains("<h2>小结:</h2>"));
    }

    #[test]
    fn sanitize_drops_scripts_and_handlers() {
        let dirty = r#"<p onclick="x()">好<script>alert(1)</script><iframe src="//e"></iframe><a href="javascript:x">链</a></p>"#;
        let clean = sanitize(dirty);
        assert!(!clean.contains("script") && !clean.contains("onclick") && !clean.contains("iframe"));
        assert!(!clean.contains("javascript"));
        assert_eq!(html_to_text("<p>甲&amp;乙</p><p>丙&#20013;</p>"), "甲&乙\n丙中");
    }

    #[test]
    fn feed_html_gets_absolute_urls_and_loses_trackers() {
        let dirty = r#"<p><a href="/news/1.html">全文</a><img src="img/a.jpg" alt="图" width="640" onerror="x()"><img src="https://t.example/p.gif" width="1" height="1"></p>"#;
        let clean = sanitize_with_base(dirty, Some("https://outlet.example/2026/11/item.html"));
        assert!(clean.contains(r#"href="https://outlet.example/news/1.html""#), "{clean}");
        assert!(clean.contains(r#"src="https://outlet.example/2026/11/img/a.jpg""#), "{clean}");
        assert!(!clean.contains("onerror") && !clean.contains("p.gif"), "{clean}");
    }

    #[test]
    fn cut_counts_characters() {
        assert_eq!(cut("英伟达黄仁勋投资马斯克xAI背后的3点思考", 14), "英伟达黄仁勋投资马斯克xAI...");
        assert_eq!(cut("短标题", 14), "短标题");
    }
}
