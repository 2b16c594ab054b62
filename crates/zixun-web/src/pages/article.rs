//! `/a/{id}`: the article, 相关内容 and 热门资讯.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode, header},
    response::Response,
};
use minijinja::{context, value::Serde};
use serde::Serialize;
use serde_json::json;
use zixun_core::{Article, ArticleStatus, ArticleSummary, html::escape};
use zixun_store::{Cursor, ListFilter};

use super::{
    ListItem, Rendered, cached, hot_items,
    picture::{BODY_SIZES, Loading, Picture, RELATED_SIZES, responsive_body},
};
use crate::{AppContext, Ctx, cache::Shows, error::PageError, is_crawler};

pub const RELATED_ITEMS: usize = 7;
pub const HOT_ITEMS: usize = 10;

pub async fn article_page(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::not_found())?;
    let counts_as_view = method == Method::GET
        && !is_crawler(headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or(""));
    let key = format!("/a/{id}");
    let response = cached(&ctx, key, &headers, || async {
        let article = ctx
            .store
            .article(id)
            .await?
            .filter(|a| a.status == ArticleStatus::Published)
            .ok_or_else(PageError::not_found)?;
        render(&ctx, &article).await
    })
    .await?;
    if counts_as_view && matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        ctx.views.record(id);
    }
    Ok(response)
}

async fn render(ctx: &AppContext, a: &Article) -> Result<Rendered, PageError> {
    let related: Vec<ListItem> = ctx
        .related
        .related(ctx.related_sources(), a, RELATED_ITEMS)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, id = a.id, "related list unavailable");
            e
        })
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, r)| {
                    let item = ListItem { shared: r.shared.clone(), ..ListItem::new(&r.article, &ctx.clock) };
                    // The first row of the list shows its pictures.
                    if i < 2 { item.with_thumb(Loading::Lazy, RELATED_SIZES) } else { item }
                })
                .collect()
        })
        .unwrap_or_default();
    let hot = hot_items(ctx, HOT_ITEMS, None);
    let (previous, next) = match &a.category {
        Some(c) => {
            let filter = ListFilter::Category(c.clone());
            let at = Cursor { published_at: a.published_at, id: a.id };
            let n = ctx.store.neighbours(&filter, at).await?;
            let item = |s: Option<ArticleSummary>| s.map(|s| ListItem::new(&s, &ctx.clock));
            (item(n.older), item(n.newer))
        }
        None => (None, None),
    };
    // A copy of a story declares the story's head as the canonical page.
    let canonical = ctx.url(&format!("/a/{}", a.copy_of.unwrap_or(a.id)));
    let shows = std::iter::once(a.id)
        .chain(a.copy_of)
        .chain(related.iter().map(|r| r.id))
        .chain(hot.iter().map(|h| h.id))
        .chain(previous.iter().chain(&next).map(|n| n.id))
        .collect();
    let mut breadcrumbs = vec![Crumb { name: "首页".into(), path: "/".into() }];
    if let Some(c) = &a.category {
        breadcrumbs.push(Crumb { name: c.clone(), path: format!("/c/{}", urlencoding(c)) });
    }
    breadcrumbs.push(Crumb { name: a.title.clone(), path: format!("/a/{}", a.id) });
    // The cover leads the article unless the body shows it already; either way it is the
    // first image a reader (and WeChat's share card) sees.
    let cover = a.cover.as_deref().map(Picture::new);
    let lead = cover
        .as_ref()
        .zip(a.cover.as_deref())
        .filter(|(_, c)| !a.body_html.contains(&format!("src=\"{}\"", escape(c))))
        .map(|(p, _)| p.html(&a.title, BODY_SIZES, Loading::Lead, None));
    let body = responsive_body(&a.body_html, lead.is_some());
    let og_image = a.cover.as_deref().map(|c| {
        let size = cover.as_ref().and_then(Picture::size);
        context! { url => ctx.absolute(c), width => size.map(|s| s.0), height => size.map(|s| s.1) }
    });
    let html = ctx.theme.render(
        "article.html",
        context! {
            site => ctx.site_globals(),
            article => context! {
                id => a.id,
                title => a.title.clone(),
                author => a.author.clone(),
                original => a.original,
                source_name => a.source_name.clone(),
                // Checked on the way in; checked again here because it becomes an href.
                source_url => a.source_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
                category => a.category.clone(),
                original_title => a.credits.original_title.clone(),
                original_author => a.credits.original_author.clone(),
                editor => a.credits.editor.clone(),
                tags => a.tags.clone(),
                keywords => a.keywords.clone(),
                published => ctx.clock.format(a.published_at),
                published_iso => ctx.clock.rfc3339(a.published_at),
                updated_iso => ctx.clock.rfc3339(a.updated_at),
                views => a.views,
                reading_minutes => zixun_core::text::reading_minutes(&a.body_text),
                summary => a.summary.clone(),
                body_html => minijinja::Value::from_safe_string(body),
                lead_html => lead.map(minijinja::Value::from_safe_string),
            },
            og_image => og_image,
            json_ld => Serde(json_ld(ctx, a, &canonical)),
            breadcrumbs_ld => Serde(breadcrumbs_ld(ctx, &breadcrumbs)),
            cambrian_ld => Serde(cambrian_ld(ctx, a, &canonical)),
            breadcrumbs => Serde(breadcrumbs),
            previous => Serde(previous),
            next => Serde(next),
            canonical => canonical,
            related => Serde(related),
            hot => Serde(hot),
        },
    )?;
    Ok(Rendered { html, shows: Shows::Articles(shows) })
}

/// schema.org `NewsArticle` for search engines (rendered with `tojson`, which escapes `<` and
/// `&`, so no text can close the script element).
fn json_ld(ctx: &AppContext, a: &Article, canonical: &str) -> serde_json::Value {
    let author = match (&a.author, &a.source_name) {
        (Some(name), _) => json!([{ "@type": "Person", "name": name }]),
        (None, Some(outlet)) => json!([{ "@type": "Organization", "name": outlet }]),
        (None, None) => json!([{ "@type": "Organization", "name": ctx.config.site_name }]),
    };
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.summary,
        "datePublished": ctx.clock.rfc3339(a.published_at),
        "dateModified": ctx.clock.rfc3339(a.updated_at.max(a.published_at)),
        "author": author,
        "publisher": { "@type": "Organization", "name": ctx.config.site_name },
        "mainEntityOfPage": canonical,
        "inLanguage": "zh-CN",
        "keywords": a.keywords.iter().chain(&a.tags).cloned().collect::<Vec<_>>().join(","),
    });
    if let Some(section) = &a.category {
        doc["articleSection"] = json!(section);
    }
    if let Some(cover) = &a.cover {
        doc["image"] = json!([ctx.absolute(cover)]);
    }
    if !a.original {
        // The original this 转载 is based on: its address, title and author as far as known.
        let c = &a.credits;
        let mut based_on = json!({ "@type": "NewsArticle" });
        if let Some(url) = &a.source_url {
            based_on["url"] = json!(url);
        }
        if let Some(title) = &c.original_title {
            based_on["headline"] = json!(title);
        }
        if let Some(author) = &c.original_author {
            based_on["author"] = json!({ "@type": "Person", "name": author });
        }
        if let Some(outlet) = &a.source_name {
            based_on["publisher"] = json!({ "@type": "Organization", "name": outlet });
        }
        if based_on.as_object().is_some_and(|o| o.len() > 1) {
            doc["isBasedOn"] = based_on;
        }
    }
    if let Some(editor) = &a.credits.editor {
        doc["editor"] = json!({ "@type": "Person", "name": editor });
    }
    doc
}

/// One step of the breadcrumb trail (首页 › 科技 › title).
#[derive(Debug, Serialize)]
struct Crumb {
    name: String,
    path: String,
}

/// A path segment, percent-encoded as the list routes read it.
fn urlencoding(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

/// schema.org `BreadcrumbList` of the trail.
fn breadcrumbs_ld(ctx: &AppContext, trail: &[Crumb]) -> serde_json::Value {
    let items: Vec<_> = trail
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "@type": "ListItem", "position": i + 1, "name": c.name, "item": ctx.url(&c.path) }))
        .collect();
    json!({ "@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items })
}

/// Baidu's 熊掌号 (cambrian) markup: the page's address, title and times in the site's zone,
/// `YYYY-MM-DDTHH:MM:SS` without an offset as Baidu reads them.
fn cambrian_ld(ctx: &AppContext, a: &Article, canonical: &str) -> serde_json::Value {
    let local = |ts: i64| ctx.clock.format(ts).replacen(' ', "T", 1);
    let mut doc = json!({
        "@context": "https://ziyuan.baidu.com/contexts/cambrian.jsonld",
        "@id": canonical,
        "title": a.title,
        "description": a.summary,
        "pubDate": local(a.published_at),
        "upDate": local(a.updated_at.max(a.published_at)),
    });
    if let Some(cover) = &a.cover {
        doc["images"] = json!([ctx.absolute(cover)]);
    }
    doc
}
