//! What the editors' slots (推荐位) show now: read from the store at render time, the live items
//! chosen by `zixun_core::slot::live`. The home page and the category pages show them above the
//! newest list, `GET /api/slots/{name}` returns them.

use std::collections::HashMap;

use zixun_core::{
    ArticleSummary,
    slot::{ShownTarget, Slot, SlotItem, SlotTarget, live},
};
use zixun_store::StoreError;

use crate::AppContext;

/// One item as shown.
#[derive(Debug, Clone)]
pub struct ShownItem {
    pub item: SlotItem,
    /// The article it stands for (`None` for an outside link).
    pub article: Option<ArticleSummary>,
    pub title: String,
    /// A site path (`/a/12`) or, for a link, the outside address.
    pub href: String,
}

/// The live items of each slot of `category` (`""`: the site-wide slots of the home page), in
/// the editors' order. One read of the slots and one of the articles they name.
pub async fn live_slots(
    ctx: &AppContext,
    category: &str,
    now: i64,
) -> Result<HashMap<Slot, Vec<ShownItem>>, StoreError> {
    let items: Vec<SlotItem> = ctx.store.slot_items().await?.into_iter().filter(|i| i.category == category).collect();
    let ids: Vec<i64> = items
        .iter()
        .filter_map(|i| match i.target {
            SlotTarget::Article { article_id } => Some(article_id),
            SlotTarget::Link { .. } => None,
        })
        .collect();
    // Only published articles come back: a withdrawn or deleted one leaves its slots.
    let summaries: HashMap<i64, ArticleSummary> =
        ctx.store.summaries(&ids).await?.into_iter().map(|s| (s.id, s)).collect();
    let mut slots = HashMap::new();
    for slot in Slot::ALL {
        let shown = live(slot, &items, now, |id| summaries.get(&id))
            .into_iter()
            .map(|(item, target)| match target {
                ShownTarget::Article(a) => ShownItem {
                    item: item.clone(),
                    article: Some(a.clone()),
                    title: a.title.clone(),
                    href: format!("/a/{}", a.id),
                },
                ShownTarget::Link { url, title } => {
                    ShownItem { item: item.clone(), article: None, title: title.to_string(), href: url.to_string() }
                }
            })
            .collect();
        slots.insert(slot, shown);
    }
    Ok(slots)
}
