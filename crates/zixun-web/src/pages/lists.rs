//! Newest-first lists: the home page, categories, sources, authors and tags.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::HeaderMap,
    response::Response,
    routing::{MethodRouter, get},
};
use minijinja::{context, value::Serde};
use zixun_store::{Cursor, ListFilter};

use super::{
    ListItem, Rendered, cached, hot_items,
    picture::{Loading, THUMB_SIZES},
};
use crate::{Ctx, cache::Shows, error::PageError};

const PAGE_SIZE: u32 = 20;

pub async fn home(
    State(ctx): State<Ctx>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    list_page(ctx, ListFilter::All, "最新资讯".into(), "/".into(), q, headers).await
}

/// The lists named by their last path segment.
#[derive(Debug, Clone, Copy)]
pub enum NamedList {
    Category,
    Source,
    Author,
    Tag,
}

impl NamedList {
    /// The filter, the heading and the path of the list named `name`.
    fn describe(self, name: String) -> (ListFilter, String, String) {
        match self {
            NamedList::Category => (ListFilter::Category(name.clone()), name.clone(), format!("/c/{name}")),
            NamedList::Source => (ListFilter::Source(name.clone()), format!("来源：{name}"), format!("/source/{name}")),
            NamedList::Author => (ListFilter::Author(name.clone()), format!("作者：{name}"), format!("/author/{name}")),
            NamedList::Tag => (ListFilter::Term(name.clone()), format!("标签：{name}"), format!("/tag/{name}")),
        }
    }

    pub fn route(self) -> MethodRouter<Ctx> {
        get(
            move |State(ctx): State<Ctx>,
                  Path(name): Path<String>,
                  Query(q): Query<HashMap<String, String>>,
                  headers: HeaderMap| async move {
                let (filter, heading, path) = self.describe(name);
                list_page(ctx, filter, heading, path, q, headers).await
            },
        )
    }
}

async fn list_page(
    ctx: Ctx,
    filter: ListFilter,
    heading: String,
    path: String,
    q: HashMap<String, String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let cursor = match q.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| PageError::bad_request("翻页参数无效"))?),
        None => None,
    };
    let key = match cursor {
        Some(c) => format!("{path}?cursor={}", c.encode()),
        None => path.clone(),
    };
    let is_home = filter == ListFilter::All;
    cached(&ctx, key, &headers, || async {
        let items = ctx.store.list(&filter, cursor, PAGE_SIZE + 1).await?;
        let has_more = items.len() > PAGE_SIZE as usize;
        let items = &items[..items.len().min(PAGE_SIZE as usize)];
        if items.is_empty() && !is_home {
            return Err(PageError::not_found());
        }
        let next = has_more
            .then(|| items.last().map(|a| Cursor { published_at: a.published_at, id: a.id }.encode()))
            .flatten();
        let category = match &filter {
            ListFilter::Category(c) => Some(c.as_str()),
            _ => None,
        };
        let hot = hot_items(&ctx, 10, category);
        // The first thumbnails are in the first screen: fetched at once, the rest when near.
        let items: Vec<ListItem> = items
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let loading = if i < 3 { Loading::Eager } else { Loading::Lazy };
                ListItem::new(a, &ctx.clock).with_thumb(loading, THUMB_SIZES)
            })
            .collect();
        let description = describe(&ctx.config.site_name, &heading, is_home, &items);
        let ids = items.iter().chain(&hot).map(|i| i.id).collect();
        let html = ctx.theme.render(
            "list.html",
            context! {
                site => ctx.site_globals(),
                heading => heading,
                description => description,
                canonical => cursor.is_none().then(|| ctx.url(&path)),
                is_home => is_home,
                current_category => category,
                items => Serde(items),
                hot => Serde(hot),
                trending => Serde(ctx.trending.top(12)),
                next_url => next.map(|c| format!("{path}?cursor={c}")),
                first_page => cursor.is_none(),
            },
        )?;
        Ok(Rendered { html, shows: Shows::List { filter: filter.clone(), ids } })
    })
    .await
}

/// The list's `<meta name="description">`: what it is and its newest titles (search engines
/// show it under the link; at most about 150 characters).
fn describe(site: &str, heading: &str, is_home: bool, items: &[ListItem]) -> String {
    let what = if is_home { format!("{site}：{heading}") } else { format!("{site}{heading}：最新报道") };
    let titles: Vec<&str> = items.iter().take(3).map(|i| i.title.as_str()).collect();
    let text = if titles.is_empty() { what } else { format!("{what}。{}", titles.join("；")) };
    zixun_core::html::cut(&text, 150)
}
