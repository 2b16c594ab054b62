//! `/rss.xml`, `/atom.xml`, `/feed.json` and their per-category twins, from the rss and
//! atom_syndication crates' writers and serde (never string glue).

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use serde::Serialize;
use zixun_core::{Article, SiteClock};
use zixun_store::ListFilter;

use super::xml_text;
use crate::{AppContext, Ctx, error::PageError, pages::cached_as};
use zixun_core::text::clean::xml_safe;

/// Items in each feed.
pub const FEED_ITEMS: u32 = 30;

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn file(self) -> &'static str {
        match self {
            Format::Rss => "rss.xml",
            Format::Atom => "atom.xml",
            Format::Json => "feed.json",
        }
    }
}

/// What a feed is about: the whole site or one category.
struct Channel {
    title: String,
    /// The HTML page the feed mirrors (`/` or `/c/{name}`), and the feed's own path.
    page: String,
    feed: String,
    description: String,
    items: Vec<Article>,
    /// Latest change among the items (the feed's `updated`).
    updated: i64,
}

impl Channel {
    /// The channel with every text cleaned of what XML 1.0 cannot carry, before a writer
    /// sees it: a character dropped from the writer's output instead could join `]]` and `>`
    /// into the end of a CDATA section.
    fn xml_safe(&self) -> Channel {
        let clean = |s: &str| xml_safe(s).into_owned();
        let clean_opt = |s: &Option<String>| s.as_deref().map(clean);
        Channel {
            title: clean(&self.title),
            page: self.page.clone(),
            feed: self.feed.clone(),
            description: clean(&self.description),
            items: self
                .items
                .iter()
                .map(|a| Article {
                    title: clean(&a.title),
                    author: clean_opt(&a.author),
                    source_name: clean_opt(&a.source_name),
                    source_url: clean_opt(&a.source_url),
                    category: clean_opt(&a.category),
                    summary: clean(&a.summary),
                    body_html: clean(&a.body_html),
                    ..a.clone()
                })
                .collect(),
            updated: self.updated,
        }
    }
}

async fn channel(ctx: &AppContext, category: Option<&str>, format: Format) -> Result<Channel, PageError> {
    let filter = category.map_or(ListFilter::All, |c| ListFilter::Category(c.to_string()));
    let list = ctx.store.list(&filter, None, FEED_ITEMS).await?;
    if list.is_empty() && category.is_some() {
        return Err(PageError::not_found());
    }
    let ids: Vec<i64> = list.iter().map(|s| s.id).collect();
    let items = ctx.store.articles(&ids).await?;
    let site = &ctx.config.site_name;
    let (title, page) = match category {
        Some(c) => (format!("{c} - {site}"), format!("/c/{}", urlencoding(c))),
        None => (site.clone(), "/".to_string()),
    };
    let feed = match category {
        Some(_) => format!("{page}/{}", format.file()),
        None => format!("/{}", format.file()),
    };
    let updated = items.iter().map(|a| a.updated_at.max(a.published_at)).max().unwrap_or(0);
    let description = match category {
        Some(c) => format!("{site}「{c}」栏目的最新文章"),
        None => format!("{site}的最新文章"),
    };
    Ok(Channel { title, page, feed, description, items, updated })
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

async fn respond(
    ctx: &AppContext,
    headers: &HeaderMap,
    category: Option<String>,
    format: Format,
) -> Result<Response, PageError> {
    let key = format!("feed:{}:{}", category.as_deref().unwrap_or(""), format.file());
    cached_as(ctx, key, headers, format.content_type(), || async {
        let ch = channel(ctx, category.as_deref(), format).await?;
        match format {
            Format::Rss => rss(&Site::of(ctx), &ch),
            Format::Atom => atom(&Site::of(ctx), &ch),
            Format::Json => json_feed(&Site::of(ctx), &ch),
        }
    })
    .await
}

pub async fn site_rss(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    respond(&ctx, &headers, None, Format::Rss).await
}
pub async fn site_atom(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    respond(&ctx, &headers, None, Format::Atom).await
}
pub async fn site_json(State(ctx): State<Ctx>, headers: HeaderMap) -> Result<Response, PageError> {
    respond(&ctx, &headers, None, Format::Json).await
}
pub async fn category_rss(State(ctx): State<Ctx>, Path(c): Path<String>, h: HeaderMap) -> Result<Response, PageError> {
    respond(&ctx, &h, Some(c), Format::Rss).await
}
pub async fn category_atom(State(ctx): State<Ctx>, Path(c): Path<String>, h: HeaderMap) -> Result<Response, PageError> {
    respond(&ctx, &h, Some(c), Format::Atom).await
}
pub async fn category_json(State(ctx): State<Ctx>, Path(c): Path<String>, h: HeaderMap) -> Result<Response, PageError> {
    respond(&ctx, &h, Some(c), Format::Json).await
}

/// What the writers need of the site: its address and its clock.
struct Site<'a> {
    base_url: &'a str,
    clock: &'a SiteClock,
}

impl Site<'_> {
    fn of(ctx: &AppContext) -> Site<'_> {
        Site { base_url: &ctx.config.base_url, clock: &ctx.clock }
    }

    /// The absolute address of a path on this site.
    fn url(&self, path: &str) -> String {
        crate::context::site_url(self.base_url, path)
    }

    fn article_url(&self, a: &Article) -> String {
        self.url(&format!("/a/{}", a.id))
    }
}

fn rfc2822(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .ok()
        .and_then(|t| jiff::fmt::rfc2822::to_string(&t.to_zoned(jiff::tz::TimeZone::UTC)).ok())
        .unwrap_or_default()
}

fn rss(site: &Site, ch: &Channel) -> Result<String, PageError> {
    let ch = &ch.xml_safe();
    use rss::{
        CategoryBuilder, ChannelBuilder, GuidBuilder, ItemBuilder, SourceBuilder,
        extension::{atom::AtomExtensionBuilder, dublincore::DublinCoreExtensionBuilder},
    };
    let items: Vec<rss::Item> = ch
        .items
        .iter()
        .map(|a| {
            let url = site.article_url(a);
            let mut item = ItemBuilder::default();
            item.title(Some(a.title.clone()))
                .link(Some(url.clone()))
                .guid(Some(GuidBuilder::default().value(url).permalink(true).build()))
                .pub_date(Some(rfc2822(a.published_at)))
                // Readers take <description> as HTML: the plain-text summary goes in escaped
                // (Atom and JSON Feed say "text" for it; RSS cannot).
                .description(Some(zixun_core::html::escape(&a.summary)))
                .content(Some(a.body_html.clone()))
                .categories(
                    a.category.iter().map(|c| CategoryBuilder::default().name(c.clone()).build()).collect::<Vec<_>>(),
                );
            // RSS's <author> wants an e-mail address; a name goes in dc:creator.
            if let Some(author) = &a.author {
                item.dublin_core_ext(Some(
                    DublinCoreExtensionBuilder::default().creators(vec![author.clone()]).build(),
                ));
            }
            // Syndicated items credit their outlet (来源) and link to the original.
            if let (Some(name), Some(url)) = (&a.source_name, &a.source_url) {
                item.source(Some(SourceBuilder::default().url(url.clone()).title(Some(name.clone())).build()));
            }
            item.build()
        })
        .collect();
    let self_link = rss::extension::atom::Link {
        href: site.url(&ch.feed),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Default::default()
    };
    let channel = ChannelBuilder::default()
        .title(ch.title.clone())
        .link(site.url(&ch.page))
        .description(ch.description.clone())
        .language(Some("zh-CN".into()))
        .generator(Some("zixun".into()))
        .last_build_date(Some(rfc2822(ch.updated)))
        .atom_ext(Some(AtomExtensionBuilder::default().links(vec![self_link]).build()))
        .items(items)
        .build();
    let bytes = channel.write_to(Vec::new()).map_err(|e| PageError::internal(format!("RSS writer: {e}")))?;
    xml_text(bytes, "RSS")
}

fn atom(site: &Site, ch: &Channel) -> Result<String, PageError> {
    let ch = &ch.xml_safe();
    use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
    let date = |unix: i64| {
        FixedDateTime::parse_from_rfc3339(&site.clock.rfc3339(unix)).unwrap_or_else(|_| FixedDateTime::default())
    };
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.into(),
        mime_type: mime.map(String::from),
        ..Default::default()
    };
    let entries: Vec<Entry> = ch
        .items
        .iter()
        .map(|a| {
            let url = site.article_url(a);
            let mut links = vec![link(url.clone(), "alternate", Some("text/html"))];
            if let Some(original) = &a.source_url {
                links.push(link(original.clone(), "via", None));
            }
            Entry {
                id: url,
                title: Text::plain(a.title.clone()),
                updated: date(a.updated_at.max(a.published_at)),
                published: Some(date(a.published_at)),
                authors: a
                    .author
                    .iter()
                    .chain(a.source_name.iter().filter(|_| a.author.is_none()))
                    .map(|n| Person { name: n.clone(), ..Default::default() })
                    .collect(),
                links,
                summary: Some(Text::plain(a.summary.clone())),
                content: Some(Content {
                    value: Some(a.body_html.clone()),
                    content_type: Some("html".into()),
                    ..Default::default()
                }),
                categories: a
                    .category
                    .iter()
                    .map(|c| atom_syndication::Category { term: c.clone(), ..Default::default() })
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    let feed = Feed {
        id: site.url(&ch.feed),
        title: Text::plain(ch.title.clone()),
        subtitle: Some(Text::plain(ch.description.clone())),
        updated: date(ch.updated),
        links: vec![
            link(site.url(&ch.page), "alternate", Some("text/html")),
            link(site.url(&ch.feed), "self", Some("application/atom+xml")),
        ],
        lang: Some("zh-CN".into()),
        generator: Some(atom_syndication::Generator { value: "zixun".into(), ..Default::default() }),
        entries,
        ..Default::default()
    };
    let bytes = feed.write_to(Vec::new()).map_err(|e| PageError::internal(format!("Atom writer: {e}")))?;
    xml_text(bytes, "Atom")
}

/// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
#[derive(Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: String,
    language: &'static str,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    /// The original of a syndicated item.
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<String>,
    title: String,
    content_html: String,
    summary: String,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    /// zixun's own: the outlet a syndicated item is credited to.
    #[serde(rename = "_zixun", skip_serializing_if = "Option::is_none")]
    zixun: Option<JsonExtension>,
}

#[derive(Serialize)]
struct JsonAuthor {
    name: String,
}

#[derive(Serialize)]
struct JsonExtension {
    source_name: String,
}

fn json_feed(site: &Site, ch: &Channel) -> Result<String, PageError> {
    let items = ch
        .items
        .iter()
        .map(|a| JsonItem {
            id: a.id.to_string(),
            url: site.article_url(a),
            external_url: a.source_url.clone(),
            title: a.title.clone(),
            content_html: a.body_html.clone(),
            summary: a.summary.clone(),
            date_published: site.clock.rfc3339(a.published_at),
            date_modified: site.clock.rfc3339(a.updated_at.max(a.published_at)),
            authors: a.author.iter().map(|n| JsonAuthor { name: n.clone() }).collect(),
            tags: a.tags.clone(),
            zixun: a.source_name.clone().map(|source_name| JsonExtension { source_name }),
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: ch.title.clone(),
        home_page_url: site.url(&ch.page),
        feed_url: site.url(&ch.feed),
        description: ch.description.clone(),
        language: "zh-CN",
        items,
    };
    serde_json::to_string_pretty(&feed).map_err(|e| PageError::internal(format!("JSON Feed: {e}")))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use zixun_core::text::clean::is_xml_char;

    use super::*;

    fn article(id: i64, title: String, summary: String, body_html: String, names: [Option<String>; 3]) -> Article {
        let [author, source_name, category] = names;
        Article {
            title,
            author,
            source_url: source_name.as_ref().map(|_| "https://outlet.example/1.html".to_string()),
            source_name,
            original: false,
            category,
            body_text: summary.clone(),
            body_html,
            summary,
            ..crate::test_support::article(id)
        }
    }

    /// Well-formed XML of XML 1.0's characters only, or where it is not.
    fn check_xml(xml: &str) -> Result<(), String> {
        if let Some(c) = xml.chars().find(|&c| !is_xml_char(c)) {
            return Err(format!("U+{:04X}", c as u32));
        }
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(format!("at {}: {e}", reader.buffer_position())),
            }
        }
    }

    /// Any text at all, control characters and markup included.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof!["\\PC{0,24}", "[\\x00-\\x20<>&\"'\\]\\]a-z一-龥\\u{fffe}\\u{ffff}]{0,24}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        /// The RSS and Atom we write always parse, whatever the stored text holds.
        #[test]
        fn feed_xml_we_write_always_parses(
            items in prop::collection::vec((text(), text(), text(), proptest::option::of(text()), proptest::option::of(text()), proptest::option::of(text())), 0..4),
            channel_title in text(),
        ) {
            let clock = SiteClock::new("Asia/Shanghai").expect("clock");
            let site = Site { base_url: "https://news.example", clock: &clock };
            let items: Vec<Article> = items
                .into_iter()
                .enumerate()
                .map(|(i, (t, s, b, a, src, c))| article(i as i64 + 1, t, s, b, [a, src, c]))
                .collect();
            let ch = Channel {
                title: channel_title.clone(),
                page: "/".into(),
                feed: "/rss.xml".into(),
                description: channel_title,
                updated: 1_764_000_000,
                items,
            };
            let rss_xml = rss(&site, &ch).map_err(|e| TestCaseError::fail(e.message))?;
            prop_assert!(check_xml(&rss_xml).is_ok(), "{:?}: {}", check_xml(&rss_xml), rss_xml);
            let atom_xml = atom(&site, &ch).map_err(|e| TestCaseError::fail(e.message))?;
            prop_assert!(check_xml(&atom_xml).is_ok(), "{:?}: {}", check_xml(&atom_xml), atom_xml);
        }
    }
}
