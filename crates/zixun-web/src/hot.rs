//! 热门资讯: popularity from views that decay with a half-life, kept in memory and refreshed
//! every few seconds, overall and per category.

use std::{collections::HashMap, sync::Arc};

use parking_lot::RwLock;
use serde::Serialize;
use zixun_core::{ArticleSummary, SiteClock, rank};

use crate::{AppContext, error::BackgroundError};

/// Articles ranked before being cut to the lists shown.
const RANKED: usize = 500;

#[derive(Debug, Clone, Serialize)]
pub struct HotItem {
    #[serde(flatten)]
    pub article: ArticleSummary,
    /// Sum of the article's views, each decayed by its age.
    pub score: f64,
}

#[derive(Default)]
struct HotSnapshot {
    all: Vec<HotItem>,
    by_category: HashMap<String, Vec<HotItem>>,
}

impl HotSnapshot {
    fn of(all: Vec<HotItem>) -> Self {
        let mut by_category: HashMap<String, Vec<HotItem>> = HashMap::new();
        for item in &all {
            if let Some(c) = &item.article.category {
                by_category.entry(c.clone()).or_default().push(item.clone());
            }
        }
        HotSnapshot { all, by_category }
    }
}

#[derive(Default)]
pub struct HotList {
    snapshot: RwLock<Arc<HotSnapshot>>,
}

impl HotList {
    pub fn top(&self, limit: usize, category: Option<&str>) -> Vec<HotItem> {
        let snap = self.snapshot.read().clone();
        let list = match category {
            Some(c) => snap.by_category.get(c).map(Vec::as_slice).unwrap_or(&[]),
            None => &snap.all,
        };
        list.iter().take(limit).cloned().collect()
    }

    /// Takes in changed articles at once, before the next refresh: `changed` ids that are not
    /// in `published` (unpublished, deleted) leave the lists, the others show as they are now.
    pub fn update(&self, changed: &[i64], published: &[zixun_core::Article]) {
        let snap = self.snapshot.read().clone();
        let touches = |list: &[HotItem]| list.iter().any(|h| changed.contains(&h.article.id));
        if !touches(&snap.all) {
            return;
        }
        let patch = |list: &[HotItem]| -> Vec<HotItem> {
            list.iter()
                .filter_map(|h| {
                    if !changed.contains(&h.article.id) {
                        return Some(h.clone());
                    }
                    let now = published.iter().find(|a| a.id == h.article.id)?;
                    let article = ArticleSummary { views: h.article.views.max(now.views), ..ArticleSummary::from(now) };
                    article.copy_of.is_none().then_some(HotItem { article, score: h.score })
                })
                .collect()
        };
        let all = patch(&snap.all);
        *self.snapshot.write() = Arc::new(HotSnapshot::of(all));
    }

    /// Recomputes the lists from the hourly view buckets. Articles published longer ago than
    /// the maximum age drop out. With no recent views at all (a new or idle site) the list falls
    /// back to the most viewed articles of all time, so that it is never silently empty.
    pub async fn refresh(&self, ctx: &AppContext) -> Result<(), BackgroundError> {
        let now = SiteClock::now();
        let half_life = ctx.config.hot_half_life.as_secs() as i64;
        let max_age = ctx.config.hot_max_age.as_secs() as i64;
        let since_hour = (now - max_age) / 3600;
        let weights = rank::hour_weights(since_hour, now, half_life);
        let ranked = ctx.store.decayed_views(since_hour, &weights, RANKED as u32).await?;
        let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
        let summaries = ctx.store.summaries(&ids).await?;
        let score_of: HashMap<i64, f64> = ranked.into_iter().collect();
        let mut all: Vec<HotItem> = summaries
            .into_iter()
            .filter(|a| now - a.published_at <= max_age && a.copy_of.is_none())
            .map(|a| HotItem { score: score_of.get(&a.id).copied().unwrap_or(0.0), article: a })
            .collect();
        if all.is_empty() {
            all = ctx
                .store
                .most_viewed(RANKED as u32)
                .await?
                .into_iter()
                .map(|a| HotItem { score: 0.0, article: a })
                .collect();
        }
        *self.snapshot.write() = Arc::new(HotSnapshot::of(all));
        Ok(())
    }
}
