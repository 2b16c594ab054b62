//! Newest-first lists: the home page, categories, sources, authors and tags.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::HeaderMap,
    response::Response,
    routing::{MethodRouter, get},
};
use minijinja::{context, value::Serde};
use serde::Serialize;
use zixun_core::{SiteClock, slot::Slot};
use zixun_store::{Cursor, ListFilter};

use super::{
    ListItem, Rendered, cached, hot_items,
    picture::{BODY_SIZES, Loading, Picture, THUMB_SIZES},
};
use crate::{
    AppContext, Ctx,
    cache::Shows,
    error::PageError,
    slots::{ShownItem, live_slots},
};

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
        // The editors' slots, above the newest list on its first page (the home page's are the
        // site-wide ones).
        let slots = match (&filter, cursor) {
            (ListFilter::All | ListFilter::Category(_), None) => {
                SlotsView::new(&ctx, &live_slots(&ctx, category.unwrap_or(""), SiteClock::now()).await?)
            }
            _ => SlotsView::default(),
        };
        // The first thumbnails are in the first screen: fetched at once, the rest when near
        // (below the slots' pictures, all of them when there are slots).
        let eager = if slots.headline.is_some() || !slots.carousel.is_empty() { 0 } else { 3 };
        let items: Vec<ListItem> = items
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let loading = if i < eager { Loading::Eager } else { Loading::Lazy };
                ListItem::new(a, &ctx.clock).with_thumb(loading, THUMB_SIZES)
            })
            .collect();
        let description = describe(&ctx.config.site_name, &heading, is_home, &items);
        let ids = items.iter().chain(&hot).map(|i| i.id).chain(slots.article_ids()).collect();
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
                slots => Serde(&slots),
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

/// A slot's item as the list template shows it.
#[derive(Debug, Serialize)]
struct SlotEntry {
    title: String,
    href: String,
    /// An outside link (跳转): opened without a referrer.
    outside: bool,
    article_id: Option<i64>,
    excerpt: Option<String>,
    time: Option<String>,
    /// The cover's markup, where the slot shows pictures.
    picture: Option<String>,
}

/// The slots of a list page: 头条 (one, with its picture), 幻灯 (pictures) and 推荐 (titles).
#[derive(Debug, Default, Serialize)]
struct SlotsView {
    headline: Option<SlotEntry>,
    carousel: Vec<SlotEntry>,
    recommended: Vec<SlotEntry>,
}

/// The carousel's pictures fill the column on a phone and two thirds of it on a desktop.
const CAROUSEL_SIZES: &str = "(max-width: 860px) calc(100vw - 32px), 480px";

impl SlotsView {
    fn new(ctx: &AppContext, live: &HashMap<Slot, Vec<ShownItem>>) -> Self {
        let entry = |s: &ShownItem, picture: Option<(&str, Loading)>| SlotEntry {
            title: s.title.clone(),
            href: s.href.clone(),
            outside: s.article.is_none(),
            article_id: s.article.as_ref().map(|a| a.id),
            excerpt: s.article.as_ref().map(|a| a.summary.clone()),
            time: s.article.as_ref().map(|a| ctx.clock.format(a.published_at)),
            picture: picture.and_then(|(sizes, loading)| {
                let cover = s.article.as_ref()?.cover.as_deref()?;
                Some(Picture::new(cover).html(&s.title, sizes, loading, None))
            }),
        };
        let shown = |slot| live.get(&slot).map(Vec::as_slice).unwrap_or_default();
        let headline = shown(Slot::Headline).first().map(|s| entry(s, Some((BODY_SIZES, Loading::Lead))));
        // The lead picture is the first screen's largest: the carousel's first waits if there is one.
        let first = if headline.as_ref().is_some_and(|h| h.picture.is_some()) { Loading::Lazy } else { Loading::Lead };
        let carousel = shown(Slot::Carousel)
            .iter()
            .enumerate()
            .map(|(i, s)| entry(s, Some((CAROUSEL_SIZES, if i == 0 { first } else { Loading::Lazy }))))
            .collect();
        let recommended = shown(Slot::Recommended).iter().map(|s| entry(s, None)).collect();
        SlotsView { headline, carousel, recommended }
    }

    /// The articles the slots show (a change to one of them drops the page).
    fn article_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.headline.iter().chain(&self.carousel).chain(&self.recommended).filter_map(|e| e.article_id)
    }
}
