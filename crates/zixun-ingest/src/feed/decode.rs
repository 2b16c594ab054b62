//! Feed bytes to UTF-8 text. The encoding comes from, in order: a byte order mark, the HTTP
//! `charset`, the XML declaration, and a guess (chardetng) when none is given or the one given
//! does not fit the bytes. Chinese feeds still come in GBK, GB18030 and Big5, and some declare
//! ISO-8859-1 over UTF-8 or GBK bytes.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Text ready for the parser: UTF-8, no BOM, and an XML declaration (if any) that says UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedFeed {
    pub text: String,
    /// The encoding the bytes were read as (WHATWG name, or `UTF-32LE`/`UTF-32BE`).
    pub encoding: &'static str,
}

/// zixun serves Chinese sites, whose unlabelled feeds are most often GBK.
const CHINESE_SITE: Option<&[u8]> = Some(b"cn");

pub fn decode_feed(bytes: &[u8], content_type: Option<&str>) -> DecodedFeed {
    let (text, encoding) = decode_text(bytes, content_type);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    DecodedFeed { text: declare_utf8(text), encoding }
}

fn decode_text(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((utf32, bom)) = utf32_layout(bytes) {
        return (decode_utf32(&bytes[bom..], utf32 == "UTF-32BE"), utf32);
    }
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), enc.name());
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return (text.into_owned(), enc.name());
    }
    let declared = content_type.and_then(http_charset).or_else(|| xml_declared(bytes)).and_then(|label| {
        // A UTF-16 label on bytes without a BOM or the UTF-16 pattern is wrong; guess instead.
        Encoding::for_label(label.as_bytes()).filter(|e| *e != UTF_16LE && *e != UTF_16BE)
    });
    // ISO-8859-1 and US-ASCII (both WINDOWS_1252 here) decode anything, so they are often left
    // in templates over UTF-8 or GBK content: like no label at all, they yield to valid UTF-8
    // and then to a guess that reads the bytes without errors.
    if (declared.is_none() || declared == Some(WINDOWS_1252))
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return (text.to_string(), UTF_8.name());
    }
    match declared {
        Some(enc) if enc == WINDOWS_1252 => {
            // No TLD hint here: the label already argues for a Latin script.
            let guess = guess(bytes, None);
            if guess != WINDOWS_1252 {
                let (text, had_errors) = guess.decode_without_bom_handling(bytes);
                if !had_errors {
                    return (text.into_owned(), guess.name());
                }
            }
            let (text, _) = enc.decode_without_bom_handling(bytes);
            (text.into_owned(), enc.name())
        }
        Some(enc) => {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if !had_errors {
                return (text.into_owned(), enc.name());
            }
            let guess = guess(bytes, CHINESE_SITE);
            let (guessed, guess_errors) = guess.decode_without_bom_handling(bytes);
            if !guess_errors { (guessed.into_owned(), guess.name()) } else { (text.into_owned(), enc.name()) }
        }
        None => {
            let guess = guess(bytes, CHINESE_SITE);
            let (text, _) = guess.decode_without_bom_handling(bytes);
            (text.into_owned(), guess.name())
        }
    }
}

/// chardetng's guess; a `tld` of `cn` leans towards GBK when the bytes are ambiguous.
fn guess(bytes: &[u8], tld: Option<&[u8]>) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(tld, chardetng::Utf8Detection::Allow)
}

/// `charset` of a Content-Type header value.
fn http_charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// `encoding` of an XML declaration in an ASCII-compatible encoding.
fn xml_declared(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// UTF-32, by its BOM or by `<` padded with three zero bytes. Returns (name, BOM length).
fn utf32_layout(bytes: &[u8]) -> Option<(&'static str, usize)> {
    match bytes {
        [0, 0, 0xfe, 0xff, ..] => Some(("UTF-32BE", 4)),
        [0xff, 0xfe, 0, 0, ..] => Some(("UTF-32LE", 4)),
        [0, 0, 0, b'<', ..] => Some(("UTF-32BE", 0)),
        [b'<', 0, 0, 0, ..] => Some(("UTF-32LE", 0)),
        _ => None,
    }
}

fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [0, b'<', 0, b'?', ..] => Some(UTF_16BE),
        [b'<', 0, b'?', 0, ..] => Some(UTF_16LE),
        _ => None,
    }
}

fn decode_utf32(bytes: &[u8], big_endian: bool) -> String {
    bytes
        .chunks(4)
        .map(|c| {
            let word: [u8; 4] = [
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
                c.get(2).copied().unwrap_or(0),
                c.get(3).copied().unwrap_or(0),
            ];
            let n = if big_endian { u32::from_be_bytes(word) } else { u32::from_le_bytes(word) };
            if c.len() == 4 { char::from_u32(n).unwrap_or('\u{fffd}') } else { '\u{fffd}' }
        })
        .collect()
}

/// Rewrites the XML declaration to say UTF-8: the parser would otherwise decode the (already
/// decoded) text a second time with the declared encoding. Declarations further on are not
/// XML (only the first line may hold one) and are dropped: one that named another encoding
/// made the XML parser switch mid-document and panic (found by fuzzing).
fn declare_utf8(text: &str) -> String {
    let trimmed = text.trim_start();
    let body = match trimmed.strip_prefix("<?xml").and_then(|rest| Some(&rest[rest.find("?>")? + 2..])) {
        Some(after) => after,
        None => return without_declarations(text),
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", without_declarations(body))
}

/// `text` without any `<?xml …?>` declaration (a `<?xml-stylesheet …?>` stays).
fn without_declarations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<?xml") {
        let after = &rest[at + 5..];
        let is_declaration = after.starts_with(|c: char| c.is_ascii_whitespace() || c == '?');
        out.push_str(&rest[..at]);
        match after.find("?>") {
            Some(end) if is_declaration => rest = &after[end + 2..],
            _ if is_declaration => {
                rest = "";
            }
            _ => {
                out.push_str("<?xml");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<?xml version=\"1.0\" encoding=\"ENC\"?><rss version=\"2.0\"><channel><title>中文资讯频道</title></channel></rss>";

    fn encoded(enc: &'static Encoding, label: &str) -> Vec<u8> {
        enc.encode(&XML.replace("ENC", label)).0.into_owned()
    }

    #[test]
    fn a_second_declaration_is_dropped_and_a_stylesheet_kept() {
        let text = "<?xml version=\"1.0\" encoding=\"gbk\"?><?xml-stylesheet href=\"s.xsl\"?><rss><?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?><channel/></rss>";
        assert_eq!(
            declare_utf8(text),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><?xml-stylesheet href=\"s.xsl\"?><rss><channel/></rss>"
        );
        assert_eq!(declare_utf8("<rss><?xml encoding=\"latin1\"?></rss>"), "<rss></rss>");
    }

    #[test]
    fn declared_gbk_and_gb18030_and_big5() {
        for (enc, label) in [(encoding_rs::GBK, "gbk"), (encoding_rs::GBK, "gb2312"), (encoding_rs::GB18030, "gb18030")]
        {
            let d = decode_feed(&encoded(enc, label), None);
            assert!(d.text.contains("中文资讯频道"), "{label}: {}", d.text);
            assert!(d.text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        }
        let big5 = encoding_rs::BIG5.encode(&XML.replace("ENC", "big5").replace("资讯频道", "資訊頻道")).0.into_owned();
        assert!(decode_feed(&big5, Some("text/xml; charset=big5")).text.contains("中文資訊頻道"));
    }

    #[test]
    fn gbk_without_any_declaration_is_sniffed() {
        let body = "<rss version=\"2.0\"><channel><title>新华社：国内新闻频道每日更新</title><description>本频道提供最新的国内新闻报道和深度评论文章</description></channel></rss>";
        let bytes = encoding_rs::GBK.encode(body).0.into_owned();
        let d = decode_feed(&bytes, Some("application/rss+xml"));
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains("国内新闻频道"));
    }

    #[test]
    fn wrong_latin1_label_over_utf8_or_gbk() {
        let utf8 = XML.replace("ENC", "iso-8859-1");
        assert!(decode_feed(utf8.as_bytes(), None).text.contains("中文资讯频道"));
        let body = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>新华社：国内新闻频道每日更新</title><description>本频道提供最新的国内新闻报道和深度评论文章</description></channel></rss>";
        let gbk = encoding_rs::GBK.encode(body).0.into_owned();
        assert!(decode_feed(&gbk, None).text.contains("国内新闻频道"));
    }

    #[test]
    fn utf16_and_utf32_with_and_without_bom() {
        let text = XML.replace("ENC", "utf-16");
        let mut le: Vec<u8> = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert!(decode_feed(&le, None).text.contains("中文资讯频道"));
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(decode_feed(&be, None).text.contains("中文资讯频道"));
        let le32: Vec<u8> = text.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        let d = decode_feed(&le32, None);
        assert_eq!(d.encoding, "UTF-32LE");
        assert!(d.text.contains("中文资讯频道"));
    }

    #[test]
    fn charset_parameter() {
        assert_eq!(http_charset("text/xml; charset=\"GB2312\"").as_deref(), Some("GB2312"));
        assert_eq!(http_charset("text/xml").as_deref(), None);
        assert_eq!(xml_declared(b"<?xml version='1.0' encoding='big5'?><a/>").as_deref(), Some("big5"));
    }
}
