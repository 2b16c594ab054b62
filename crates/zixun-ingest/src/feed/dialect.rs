//! Old dialects the parser does not know, rewritten to ones it does, before parsing: Atom 0.3
//! (still served by old CMS installs) becomes Atom 1.0, `<rss>` without a version or with
//! 0.93/0.94/2.01 is read as RSS 2.0, and items an `<rss>` holds without a `<channel>` get one.

use quick_xml::{
    Reader, Writer,
    events::{BytesEnd, BytesStart, Event, attributes::Attribute},
    name::QName,
};

const ATOM_03: &str = "http://purl.org/atom/ns#";
const ATOM_10: &str = "http://www.w3.org/2005/Atom";

/// The rewritten document, or `None` when it needs no change (or is too broken to rewrite:
/// the parser then reports the original's error).
pub fn upgrade_dialect(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(text.len() + 64));
    let mut atom03_prefix: Option<String> = None;
    let mut changed = false;
    let mut root_seen = false;
    let mut depth = 0usize;
    // For an RSS root: whether its first child was seen, and whether a channel was opened for it.
    let (mut rss_root, mut first_child_seen, mut channel_opened) = (false, false, false);
    loop {
        let event = reader.read_event().ok()?;
        if rss_root && depth == 1 && !first_child_seen {
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    first_child_seen = true;
                    if e.name().as_ref() != "channel" {
                        writer.write_event(Event::Start(BytesStart::new("channel"))).ok()?;
                        channel_opened = true;
                        changed = true;
                    }
                }
                Event::End(_) => {
                    writer.write_event(Event::Empty(BytesStart::new("channel"))).ok()?;
                    changed = true;
                }
                _ => {}
            }
        }
        if channel_opened && depth == 1 && matches!(event, Event::End(_)) {
            writer.write_event(Event::End(BytesEnd::new("channel"))).ok()?;
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let out = match event {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut tag = e.clone();
                if !root_seen {
                    root_seen = true;
                    atom03_prefix = atom03_namespace_prefix(e);
                    rss_root = e.name().as_ref() == "rss";
                    if atom03_prefix.is_none() && !rss_root && e.local_name().as_ref() != "feed" {
                        return None;
                    }
                }
                if let Some(rewritten) = rewrite_start(e, atom03_prefix.as_deref()) {
                    tag = rewritten;
                    changed = true;
                }
                if matches!(event, Event::Start(_)) { Event::Start(tag) } else { Event::Empty(tag) }
            }
            Event::End(ref e) => match atom03_prefix.as_deref().and_then(|p| renamed(e.name().as_ref(), p)) {
                Some(name) => Event::End(BytesEnd::new(name)),
                None => event,
            },
            other => other,
        };
        writer.write_event(out).ok()?;
    }
    if !changed {
        return None;
    }
    String::from_utf8(writer.into_inner()).ok()
}

/// The prefix ("" for the default namespace) bound to Atom 0.3 on the root element.
fn atom03_namespace_prefix(root: &BytesStart) -> Option<String> {
    root.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let prefix = if key == "xmlns" { Some("") } else { key.strip_prefix("xmlns:") };
        prefix.filter(|_| a.value.trim() == ATOM_03).map(str::to_string)
    })
}

fn needs_rss_version(root: &BytesStart) -> bool {
    root.name().as_ref() == "rss"
        && !root
            .attributes()
            .flatten()
            .any(|a| a.key.as_ref() == "version" && matches!(a.value.trim(), "2.0" | "0.91" | "0.92"))
}

/// Atom 0.3 element names with an Atom 1.0 equivalent.
fn renamed(qname: &str, prefix: &str) -> Option<String> {
    let local = if prefix.is_empty() {
        (!qname.contains(':')).then_some(qname)?
    } else {
        qname.strip_prefix(prefix)?.strip_prefix(':')?
    };
    let new = match local {
        "modified" => "updated",
        "issued" => "published",
        "tagline" => "subtitle",
        "copyright" => "rights",
        _ => return None,
    };
    Some(if prefix.is_empty() { new.to_string() } else { format!("{prefix}:{new}") })
}

fn rewrite_start(e: &BytesStart, atom03_prefix: Option<&str>) -> Option<BytesStart<'static>> {
    let name = e.name().as_ref().to_string();
    let new_name = atom03_prefix.and_then(|p| renamed(&name, p));
    let is_rss_root = name == "rss" && needs_rss_version(e);
    let escaped = e.attributes().flatten().any(|a| a.key.as_ref() == "mode" && a.value == "escaped");
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut changed = new_name.is_some();
    for a in e.attributes().flatten() {
        let key = a.key.as_ref().to_string();
        let mut value = a.value.to_string();
        match key.as_str() {
            "version" if is_rss_root => continue,
            k if (k == "xmlns" || k.starts_with("xmlns:")) && value.trim() == ATOM_03 => {
                value = ATOM_10.to_string();
                changed = true;
            }
            // Atom 0.3 text constructs took MIME types; Atom 1.0 takes text, html or xhtml.
            "type" if atom03_prefix.is_some() || value.contains('/') && is_text_construct(&name) => {
                let mapped = match value.trim() {
                    "text/plain" if is_text_construct(&name) => Some("text"),
                    "text/html" if escaped || is_text_construct(&name) => Some("html"),
                    "application/xhtml+xml" | "text/xhtml" => Some("xhtml"),
                    _ => None,
                };
                if let Some(m) = mapped {
                    value = m.to_string();
                    changed = true;
                }
            }
            _ => {}
        }
        attrs.push((key, value));
    }
    if is_rss_root {
        attrs.push(("version".into(), "2.0".into()));
        changed = true;
    }
    if !changed {
        return None;
    }
    let mut tag = BytesStart::new(new_name.unwrap_or(name));
    for (k, v) in &attrs {
        // Values are kept as read (still escaped), so they are written back as they came.
        tag.push_attribute(Attribute { key: QName(k.as_str()), value: v.as_str().into() });
    }
    Some(tag.into_owned())
}

fn is_text_construct(qname: &str) -> bool {
    let local = qname.rsplit(':').next().unwrap_or(qname);
    matches!(local, "title" | "subtitle" | "tagline" | "summary" | "rights" | "copyright" | "info")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom03_becomes_atom10() {
        let doc = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title type="text/html" mode="escaped">A &amp;amp; B</title><modified>2004-06-02T19:07:55-04:00</modified><entry><title>条目</title><issued>2004-06-01T00:00:00Z</issued></entry></feed>"#;
        let up = upgrade_dialect(doc).expect("changed");
        assert!(up.contains(ATOM_10) && up.contains("<updated>") && up.contains("</published>"), "{up}");
        assert!(up.contains(r#"type="html""#) && up.contains("A &amp;amp; B"), "{up}");
    }

    #[test]
    fn rss_without_version_and_modern_feeds() {
        let up = upgrade_dialect("<rss><channel><title>t</title></channel></rss>").expect("changed");
        assert!(up.starts_with(r#"<rss version="2.0">"#), "{up}");
        let up = upgrade_dialect(r#"<rss version="2.0"><item><title>t</title></item></rss>"#).expect("changed");
        assert_eq!(up, r#"<rss version="2.0"><channel><item><title>t</title></item></channel></rss>"#);
        let up = upgrade_dialect("<rss>\n</rss>").expect("changed");
        assert!(up.contains("<channel/>"), "{up}");
        assert_eq!(upgrade_dialect(r#"<rss version="2.0"><channel/></rss>"#), None);
        assert_eq!(upgrade_dialect(r#"<feed xmlns="http://www.w3.org/2005/Atom"/>"#), None);
    }
}
