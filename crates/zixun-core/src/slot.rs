//! Editor-placed slots (推荐位): 头条 (the lead), 幻灯 (a carousel of pictures) and 推荐 —
//! site-wide or per category, each an ordered list of articles and outside links (跳转) that
//! show between an optional start and end and leave by themselves when they expire.

use serde::Serialize;

use crate::ArticleSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    /// 头条: the page's lead story.
    Headline,
    /// 幻灯: pictures in a row that scrolls (only items with a cover image are shown).
    Carousel,
    /// 推荐: the editors' picks.
    Recommended,
}

impl Slot {
    pub const ALL: [Slot; 3] = [Slot::Headline, Slot::Carousel, Slot::Recommended];

    /// By its code (`headline`) or its Chinese name (`头条`).
    pub fn parse(s: &str) -> Option<Slot> {
        match s {
            "headline" | "头条" => Some(Slot::Headline),
            "carousel" | "幻灯" => Some(Slot::Carousel),
            "recommended" | "推荐" => Some(Slot::Recommended),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Headline => "headline",
            Slot::Carousel => "carousel",
            Slot::Recommended => "recommended",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Slot::Headline => "头条",
            Slot::Carousel => "幻灯",
            Slot::Recommended => "推荐",
        }
    }

    /// How many live items a page shows (the first ones in the editors' order).
    pub fn shown(self) -> usize {
        match self {
            Slot::Headline => 1,
            Slot::Carousel => 5,
            Slot::Recommended => 6,
        }
    }
}

/// What an item points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SlotTarget {
    Article {
        article_id: i64,
    },
    /// 跳转: an outside address with the title the editor gave it.
    Link {
        url: String,
        title: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotItem {
    pub id: i64,
    pub slot: Slot,
    /// `""` for the site-wide slot (the home page).
    pub category: String,
    pub position: i64,
    pub target: SlotTarget,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
}

/// Where an item stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SlotState {
    /// Its start is still ahead.
    Waiting,
    Live,
    /// Its end has passed: shown nowhere.
    Expired,
}

impl SlotState {
    pub fn label(self) -> &'static str {
        match self {
            SlotState::Waiting => "未开始",
            SlotState::Live => "展示中",
            SlotState::Expired => "已过期",
        }
    }
}

impl SlotItem {
    pub fn state(&self, now: i64) -> SlotState {
        if self.ends_at.is_some_and(|end| end <= now) {
            SlotState::Expired
        } else if self.starts_at.is_some_and(|start| start > now) {
            SlotState::Waiting
        } else {
            SlotState::Live
        }
    }
}

/// An item as the editor asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlotItem {
    pub slot: Slot,
    pub category: String,
    pub target: SlotTarget,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub created_by: String,
}

/// Why an item cannot be placed (the form names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("结束时间须晚于开始时间")]
    EndsBeforeStart,
    #[error("跳转地址须是 http 或 https 网址")]
    LinkAddress,
    #[error("跳转链接须有标题（不超过 {MAX_LINK_TITLE} 字）")]
    LinkTitle,
    #[error("文章不存在、未发布，或是已收录报道的转载副本")]
    NotShowable,
}

impl SlotError {
    /// The form field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            SlotError::EndsBeforeStart => "ends_at",
            SlotError::LinkAddress => "url",
            SlotError::LinkTitle => "title",
            SlotError::NotShowable => "article_id",
        }
    }

    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            SlotError::EndsBeforeStart => "slot_window",
            SlotError::LinkAddress => "slot_link_url",
            SlotError::LinkTitle => "slot_link_title",
            SlotError::NotShowable => "slot_article",
        }
    }
}

pub const MAX_LINK_TITLE: usize = 80;

impl NewSlotItem {
    /// The rules an item must meet before it is stored (an article's own state is checked by
    /// [`showable`] against the store).
    pub fn check(&self) -> Result<(), SlotError> {
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at)
            && end <= start
        {
            return Err(SlotError::EndsBeforeStart);
        }
        if let SlotTarget::Link { url, title } = &self.target {
            let host = url.split_once("://").map_or("", |(_, rest)| rest);
            if !crate::html::is_web_address(url)
                || host.is_empty()
                || host.starts_with('/')
                || url.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(SlotError::LinkAddress);
            }
            let len = title.trim().chars().count();
            if len == 0 || len > MAX_LINK_TITLE {
                return Err(SlotError::LinkTitle);
            }
        }
        Ok(())
    }
}

/// An article may stand in a slot when it is published and is not a recorded copy of a story
/// another article already tells (`summary` is `None` for an article readers cannot see).
pub fn showable(summary: Option<&ArticleSummary>) -> bool {
    summary.is_some_and(|s| s.copy_of.is_none())
}

/// One item as a page shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ShownTarget<'a> {
    Article(&'a ArticleSummary),
    Link { url: &'a str, title: &'a str },
}

/// What a slot shows now: its live items in the editors' order, articles only when
/// [`showable`], the carousel only with pictures, at most [`Slot::shown`] of them. `article`
/// looks up a published article's summary.
pub fn live<'a>(
    slot: Slot,
    items: &'a [SlotItem],
    now: i64,
    article: impl Fn(i64) -> Option<&'a ArticleSummary>,
) -> Vec<(&'a SlotItem, ShownTarget<'a>)> {
    let mut ordered: Vec<&SlotItem> =
        items.iter().filter(|i| i.slot == slot && i.state(now) == SlotState::Live).collect();
    ordered.sort_by_key(|i| (i.position, i.id));
    ordered
        .into_iter()
        .filter_map(|item| {
            let shown = match &item.target {
                SlotTarget::Article { article_id } => {
                    let summary = article(*article_id);
                    if !showable(summary) {
                        return None;
                    }
                    let summary = summary?;
                    if slot == Slot::Carousel && summary.cover.is_none() {
                        return None;
                    }
                    ShownTarget::Article(summary)
                }
                // An outside link has no picture: the carousel shows pictures only.
                SlotTarget::Link { .. } if slot == Slot::Carousel => return None,
                SlotTarget::Link { url, title } => ShownTarget::Link { url, title },
            };
            Some((item, shown))
        })
        .take(slot.shown())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, slot: Slot, position: i64, target: SlotTarget) -> SlotItem {
        SlotItem {
            id,
            slot,
            category: String::new(),
            position,
            target,
            starts_at: None,
            ends_at: None,
            created_at: 0,
            created_by: "编辑".into(),
        }
    }

    fn summary(id: i64, copy_of: Option<i64>, cover: bool) -> ArticleSummary {
        ArticleSummary {
            id,
            title: format!("文章{id}"),
            author: None,
            source_name: None,
            original: true,
            category: None,
            published_at: 0,
            summary: String::new(),
            cover: cover.then(|| format!("/uploads/{id}.png")),
            views: 0,
            simhash: 0,
            copy_of,
        }
    }

    #[test]
    fn an_item_waits_shows_and_leaves_by_itself() {
        let mut i = item(1, Slot::Headline, 0, SlotTarget::Article { article_id: 1 });
        i.starts_at = Some(100);
        i.ends_at = Some(200);
        assert_eq!(i.state(99), SlotState::Waiting);
        assert_eq!(i.state(100), SlotState::Live);
        assert_eq!(i.state(199), SlotState::Live);
        assert_eq!(i.state(200), SlotState::Expired);
    }

    #[test]
    fn a_page_shows_live_showable_items_in_the_editors_order() {
        let articles = [summary(1, None, true), summary(2, Some(1), true), summary(3, None, false)];
        let find = |id: i64| articles.iter().find(|a| a.id == id);
        let mut expired = item(10, Slot::Recommended, 0, SlotTarget::Article { article_id: 1 });
        expired.ends_at = Some(5);
        let items = vec![
            item(11, Slot::Recommended, 3, SlotTarget::Article { article_id: 3 }),
            // A recorded copy never shows, nor an article readers cannot see (99).
            item(12, Slot::Recommended, 1, SlotTarget::Article { article_id: 2 }),
            item(13, Slot::Recommended, 2, SlotTarget::Article { article_id: 99 }),
            item(14, Slot::Recommended, 0, SlotTarget::Link { url: "https://a.example/".into(), title: "外链".into() }),
            expired,
            item(15, Slot::Headline, 0, SlotTarget::Article { article_id: 1 }),
        ];
        let shown: Vec<i64> = live(Slot::Recommended, &items, 10, find).iter().map(|(i, _)| i.id).collect();
        assert_eq!(shown, [14, 11]);
        // The carousel shows pictures only: no link, no article without a cover.
        let carousel = vec![
            item(20, Slot::Carousel, 0, SlotTarget::Article { article_id: 3 }),
            item(21, Slot::Carousel, 1, SlotTarget::Link { url: "https://a.example/".into(), title: "外链".into() }),
            item(22, Slot::Carousel, 2, SlotTarget::Article { article_id: 1 }),
        ];
        let shown: Vec<i64> = live(Slot::Carousel, &carousel, 10, find).iter().map(|(i, _)| i.id).collect();
        assert_eq!(shown, [22]);
        // The headline shows one.
        let heads: Vec<SlotItem> =
            (0..3).map(|n| item(30 + n, Slot::Headline, n, SlotTarget::Article { article_id: 1 })).collect();
        assert_eq!(live(Slot::Headline, &heads, 10, find).len(), 1);
    }

    #[test]
    fn an_item_is_checked_before_it_is_stored() {
        let new = |target, starts_at, ends_at| NewSlotItem {
            slot: Slot::Headline,
            category: String::new(),
            target,
            starts_at,
            ends_at,
            created_by: "编辑".into(),
        };
        let article = SlotTarget::Article { article_id: 1 };
        assert_eq!(new(article.clone(), None, None).check(), Ok(()));
        assert_eq!(new(article.clone(), Some(10), Some(10)).check(), Err(SlotError::EndsBeforeStart));
        let link = |url: &str, title: &str| SlotTarget::Link { url: url.into(), title: title.into() };
        assert_eq!(new(link("javascript:alert(1)", "x"), None, None).check(), Err(SlotError::LinkAddress));
        assert_eq!(new(link("https://a.example/ x", "x"), None, None).check(), Err(SlotError::LinkAddress));
        assert_eq!(new(link("https://a.example/", " "), None, None).check(), Err(SlotError::LinkTitle));
        assert_eq!(new(link("https://a.example/", "专题"), None, None).check(), Ok(()));
        assert_eq!(Slot::parse("头条"), Some(Slot::Headline));
        assert_eq!(Slot::parse("carousel"), Some(Slot::Carousel));
        assert_eq!(Slot::parse("置顶"), None);
    }
}
