//! `serve --demo`: demo content written for the project, loaded into an empty data folder.
//!
//! The articles' dates are shifted so that the newest is a few minutes old, and each article
//! gets simulated reader views spread over the hours since it was published (more for fresher
//! and for original articles), so that 热门资讯 has something to rank. Both are demo data only.
//! Each article gets a cover drawn by [`demo_art`] and stored as an upload with its variants,
//! as the newsroom's upload would store it. The editorial slots are filled as an editor
//! would: the newest original story as 头条, four pictures in 幻灯, one story per category in
//! 推荐, and two per category in each category's own 推荐.

use std::{
    collections::{HashMap, HashSet},
    io::Cursor,
};

use anyhow::{Context, Result};
use serde_json::Value;
use zixun_core::{
    SiteClock,
    slot::{NewSlotItem, Slot, SlotTarget},
};
use zixun_ingest::{ArticlePreparer, Importer};
use zixun_store::{Backend, ListFilter, Store};

use crate::demo_art;

const DEMO: &str = include_str!("../demo/articles.jsonl");

pub async fn load_if_empty(store: &dyn Backend, preparer: ArticlePreparer) -> Result<()> {
    if !store.list(&ListFilter::All, None, 1).await?.is_empty() {
        tracing::info!("data folder has articles; demo content not loaded");
        return Ok(());
    }
    let clock = preparer.clock.clone();
    let shifted = shift_dates(DEMO, &clock, SiteClock::now() - 600)?;
    let shifted = with_covers(store, shifted).await?;
    let importer = Importer { store, preparer, images: None };
    let report = importer
        .run(
            &mut Cursor::new(shifted.into_bytes()),
            |line, reason| tracing::warn!(line, reason, "demo line rejected"),
            |_| {},
        )
        .await?;
    tracing::info!(articles = report.inserted, "demo content loaded");
    seed_views(store).await?;
    seed_slots(store).await
}

/// The demo's slots, placed by "演示编辑". Each slot takes items at its top, so each list is
/// placed last item first.
async fn seed_slots(store: &dyn Backend) -> Result<()> {
    let now = SiteClock::now();
    // Newest first; recorded copies never go in a slot.
    let articles: Vec<_> =
        store.list(&ListFilter::All, None, 1000).await?.into_iter().filter(|a| a.copy_of.is_none()).collect();
    let mut placed: Vec<(Slot, String, i64)> = Vec::new();
    let headline = articles.iter().find(|a| a.original).or(articles.first());
    if let Some(h) = headline {
        placed.push((Slot::Headline, String::new(), h.id));
    }
    let others = || articles.iter().filter(|a| Some(a.id) != headline.map(|h| h.id));
    let mut seen = HashSet::new();
    let one_per_category: Vec<_> = others().filter(|a| seen.insert(a.category.clone())).collect();
    for a in one_per_category.iter().filter(|a| a.cover.is_some()).take(Slot::Carousel.shown()) {
        placed.push((Slot::Carousel, String::new(), a.id));
    }
    for a in one_per_category.iter().take(Slot::Recommended.shown()) {
        placed.push((Slot::Recommended, String::new(), a.id));
    }
    let mut per_category: HashMap<&str, usize> = HashMap::new();
    for a in others() {
        let Some(category) = a.category.as_deref() else { continue };
        let n = per_category.entry(category).or_default();
        if *n < 2 {
            *n += 1;
            placed.push((Slot::Recommended, category.to_string(), a.id));
        }
    }
    for (slot, category, article_id) in placed.into_iter().rev() {
        let item = NewSlotItem {
            slot,
            category,
            target: SlotTarget::Article { article_id },
            starts_at: None,
            ends_at: None,
            created_by: "演示编辑".into(),
        };
        store.add_slot_item(&item, now).await?;
    }
    Ok(())
}

fn shift_dates(jsonl: &str, clock: &SiteClock, newest: i64) -> Result<String> {
    let mut rows: Vec<Value> =
        jsonl.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?;
    let at = |v: &Value| v.get("published_at").and_then(Value::as_str).and_then(|s| clock.parse(s).ok());
    let max = rows.iter().filter_map(at).max().context("demo content has no dates")?;
    for row in &mut rows {
        if let Some(t) = at(row) {
            row["published_at"] = Value::String(clock.rfc3339(t - max + newest));
        }
    }
    Ok(rows.iter().map(Value::to_string).collect::<Vec<_>>().join("\n"))
}

/// Draws each article's cover, stores it (variants first) and names it in the line's `cover`.
async fn with_covers(store: &dyn Backend, jsonl: String) -> Result<String> {
    let started = std::time::Instant::now();
    // Drawing and encoding are CPU work: off the async threads, on every core.
    let drawn = tokio::task::spawn_blocking(move || -> Result<Vec<(Value, zixun_media::Processed)>> {
        use rayon::prelude::*;
        let lines: Vec<&str> = jsonl.lines().collect();
        lines
            .par_iter()
            .enumerate()
            .map(|(i, line)| {
                let mut row: Value = serde_json::from_str(line)?;
                let picture = demo_art::cover(row.get("category").and_then(Value::as_str), i as u64 + 1);
                let mut jpeg = Vec::new();
                image::DynamicImage::ImageRgb8(picture)
                    .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
                    .context("demo cover")?;
                let p = zixun_media::process(&jpeg, usize::MAX, None).context("demo cover")?;
                row["cover"] = Value::String(format!("/uploads/{}", p.image.name));
                Ok((row, p))
            })
            .collect()
    })
    .await??;
    let mut lines = Vec::with_capacity(drawn.len());
    for (row, processed) in drawn {
        for f in processed.in_store_order() {
            store.put_upload(&f.name.to_string(), &f.bytes).await?;
        }
        lines.push(row.to_string());
    }
    tracing::info!(covers = lines.len(), ms = started.elapsed().as_millis() as u64, "demo covers drawn");
    Ok(lines.join("\n"))
}

/// Simulated views: a deterministic pseudo-random popularity per article, decaying over the
/// hours after publication.
async fn seed_views(store: &dyn Store) -> Result<()> {
    let now = SiteClock::now();
    let articles = store.list(&ListFilter::All, None, 1000).await?;
    let mut by_hour: HashMap<i64, HashMap<i64, i64>> = HashMap::new();
    for a in &articles {
        let appeal = (a.id.wrapping_mul(2_654_435_761) % 97 + 3) as f64 * if a.original { 1.5 } else { 1.0 };
        let first_hour = a.published_at / 3600;
        for hour in first_hour..=now / 3600 {
            let age = (hour - first_hour) as f64;
            let n = (appeal * 0.8f64.powf(age)).round() as i64;
            if n > 0 {
                by_hour.entry(hour).or_default().insert(a.id, n);
            }
        }
    }
    for (hour, views) in by_hour {
        store.add_views(hour, &views).await?;
    }
    Ok(())
}
