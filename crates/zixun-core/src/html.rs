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

/// Markdown (the newsroom's editor) to HTML; raw HTML in it is sanitized with everything else
/// on the way in.
pub fn markdown_to_html(md: &str) -> String {
    let options = pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH;
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new_ext(md, options));
    out
}

/// How deep markup may nest before [`sanitize`] is not asked to parse it: articles nest a dozen
/// levels; the HTML parser's cost per element grows with the depth (80,000 nested
/// `<blockquote>`s took 15 s).
pub const MAX_NESTING: usize = 256;

/// Elements that never hold content, and elements whose end tag the parser implies (an
/// unclosed `<p>` or `<li>` ends at the next one): neither adds a level.
const FLAT_ELEMENTS: [&str; 33] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "rb", "rt", "rtc", "rp",
    "html", "head", "body",
];

/// The deepest nesting of elements in `html`, counted in one pass over its tags (an estimate
/// of what the parser will build: an end tag closes one level, whatever its name).
pub fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let closing = rest.starts_with('/');
        let name_start = usize::from(closing);
        let name_len = rest[name_start..].find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len() - name_start);
        // A tag name starts with a letter (`1<2` is text).
        if name_len == 0 || !rest.as_bytes()[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = rest[name_start..name_start + name_len].to_ascii_lowercase();
        let end = rest.find('>').unwrap_or(rest.len());
        let self_closing = rest[..end].ends_with('/');
        rest = &rest[end.min(rest.len())..];
        if FLAT_ELEMENTS.contains(&name.as_str()) || self_closing {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Makes HTML from outside safe to show: no scripts, styles, event handlers, iframes or forms;
/// links open without referrer or opener; images keep src, alt and a numeric size.
pub fn sanitize(html: &str) -> String {
    sanitize_with_base(html, None)
}

/// [`sanitize`], with relative links and images made absolute against `base` (a feed entry's
/// address) and tracking pixels (images of 0 or 1 pixel) removed. Without a valid base,
/// relative URLs are kept as written: in a newsroom body they point into the site itself
/// (an upload, another article), which is what its editor meant.
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
        Some(url) => ammonia::UrlRelative::Custom(Box::new(OutletBase(url))),
        None => ammonia::UrlRelative::PassThrough,
    };
    let clean = ammonia::Builder::default()
        .tags(tags)
        .add_tag_attributes("img", ["width", "height"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "width" | "height") if !value.trim().chars().all(|c| c.is_ascii_digit()) => None,
            _ => Some(value.into()),
        })
        // Elements whose content is no article text either: dropped with it (ammonia keeps
        // the text of a removed <iframe> or <noscript>, which showed as "</p>" in summaries).
        .clean_content_tags(
            [
                "script", "style", "iframe", "noscript", "noembed", "noframes", "textarea", "xmp", "title", "template",
                "object",
            ]
            .into_iter()
            .collect(),
        )
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(relative)
        .clean(html)
        .to_string();
    drop_tracking_pixels(&clean)
}

/// Resolves a syndicated body's relative links against the entry's address, except the site's
/// own stored images (an entry's image once localized): those stay site paths.
struct OutletBase(ammonia::Url);

impl<'a> ammonia::UrlRelativeEvaluate<'a> for OutletBase {
    fn evaluate<'url>(&self, url: &'url str) -> Option<std::borrow::Cow<'url, str>> {
        if is_stored_image(url) {
            return Some(std::borrow::Cow::Borrowed(url));
        }
        self.0.join(url).ok().map(|u| std::borrow::Cow::Owned(u.to_string()))
    }
}

/// Whether `s` is an http or https address (the scheme in any case).
pub fn is_web_address(s: &str) -> bool {
    let scheme = |p: &str| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    scheme("https://") || scheme("http://")
}

/// `/uploads/` and a stored image's name: 32 lowercase hex digits of its hash, then `-` (its
/// size) or `.` (an upload from before sizes). No outlet names its files so.
pub fn is_stored_image(path: &str) -> bool {
    path.strip_prefix("/uploads/").is_some_and(|name| {
        name.len() > 33
            && name.as_bytes()[..32].iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && matches!(name.as_bytes()[32], b'-' | b'.')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b))
            && !name.contains("..")
    })
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

/// The address of the first image in sanitized HTML (whose attributes are always double-quoted
/// and escaped), the cover an article gets when none is given (DedeCMS's 提取第一个图片为缩略图).
pub fn first_image(html: &str) -> Option<String> {
    img_tags(html).find_map(|(_, tag)| tag_attribute(tag, "src").filter(|s| !s.is_empty()))
}

/// Each `<img …>` tag of sanitized HTML (attributes double-quoted and escaped, so a tag ends at
/// the first `>`), with where it stands.
pub fn img_tags(html: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + html[from..].find("<img ")?;
        let end = at + html[at..].find('>')? + 1;
        from = end;
        Some((at..end, &html[at..end]))
    })
}

/// The value of attribute `name` in a sanitized tag, its character references decoded.
pub fn tag_attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(decode_entities(&tag[start..start + len]))
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
    fn relative_urls_stay_without_a_base_and_resolve_with_one() {
        let html = r#"<a href="/a/5">上一篇</a><img src="/uploads/a.png" alt="图">"#;
        let kept = sanitize(html);
        assert!(kept.contains(r#"href="/a/5""#) && kept.contains(r#"src="/uploads/a.png""#), "{kept}");
        let based = sanitize_with_base(html, Some("https://outlet.example/news/1.html"));
        assert!(based.contains(r#"href="https://outlet.example/a/5""#), "{based}");
        assert!(based.contains(r#"src="https://outlet.example/uploads/a.png""#), "{based}");
    }

    #[test]
    fn nesting_depth_counts_levels_in_one_pass() {
        assert_eq!(nesting_depth("<p>一</p><p>二</p>"), 0, "paragraphs end themselves");
        assert_eq!(nesting_depth("<div><blockquote><p>引<br>文</blockquote></div>"), 2);
        assert_eq!(nesting_depth("<ul><li>一<li>二<li>三</ul>"), 1, "implied </li>");
        assert_eq!(nesting_depth("<div><!-- <div><div> --><img src=x /></div>"), 1, "comments and void tags");
        assert_eq!(nesting_depth("a < b, 1<2"), 0, "text is not a tag");
        let deep = format!("{}x{}", "<blockquote>".repeat(80_000), "</blockquote>".repeat(80_000));
        assert_eq!(nesting_depth(&deep), 80_000);
        assert_eq!(nesting_depth("<b><i>x</i></b><b>y</b>"), 2, "siblings do not add up");
    }

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
    fn stored_images_stay_site_paths_in_a_syndicated_body() {
        let h = "0123456789abcdef0123456789abcdef";
        let html =
            format!(r#"<img src="/uploads/{h}-640x480.jpg"><img src="/uploads/photo.jpg"><a href="x.html">x</a>"#);
        let clean = sanitize_with_base(&html, Some("https://outlet.example/news/1.html"));
        assert!(clean.contains(&format!(r#"src="/uploads/{h}-640x480.jpg""#)), "{clean}");
        assert!(clean.contains(r#"src="https://outlet.example/uploads/photo.jpg""#), "the outlet's own: {clean}");
        assert!(clean.contains(r#"href="https://outlet.example/news/x.html""#), "{clean}");
        assert!(!is_stored_image(&format!("/uploads/{h}-../../x")));
    }

    #[test]
    fn attribute_values_come_out_with_angle_brackets_escaped() {
        // img_tags and the pages' picture markup end a tag at its first `>`: this holds only
        // while the sanitizer escapes `<` and `>` inside attribute values.
        let clean = sanitize(r#"<img src="/uploads/x.png" alt="a><script>alert(1)</script>">"#);
        let (_, tag) = img_tags(&clean).next().expect("an img");
        assert_eq!(tag_attribute(tag, "alt").as_deref(), Some("a><script>alert(1)</script>"), "{clean}");
        assert!(!tag[..tag.len() - 1].contains('>') && !tag[1..].contains('<'), "{clean}");
    }

    #[test]
    fn the_first_image_is_the_cover() {
        let html = sanitize(r#"<p>文</p><img alt="a" src="/uploads/x.png?a=1&amp;b=2"><img src="/uploads/y.png">"#);
        assert_eq!(first_image(&html).as_deref(), Some("/uploads/x.png?a=1&b=2"));
        assert_eq!(first_image("<p>没有图片</p>"), None);
    }

    #[test]
    fn cut_counts_characters() {
        assert_eq!(cut("英伟达黄仁勋投资马斯克xAI背后的3点思考", 14), "英伟达黄仁勋投资马斯克xAI...");
        assert_eq!(cut("短标题", 14), "短标题");
    }
}
