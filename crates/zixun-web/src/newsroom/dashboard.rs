//! The dashboard at the top of `/admin` for editors and admins: views per day for the last 30
//! days as an SVG chart drawn here (no outside script), the most read articles today and in the
//! last 7 days, each account's published articles in the last 7 days, failing sources and
//! articles waiting for review. The figures of reads (sums over 30 days of hourly views, tens
//! of milliseconds at 100k articles) are made at most every `dashboard_refresh_seconds` (30 s)
//! and shared by every editor; the output, the sources and the review queue are read at each request.

use std::{
    fmt::Write,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::Serialize;
use zixun_core::{SiteClock, newsroom::Workflow};
use zixun_store::{AdminFilter, Source};

use super::sources::failure_in_words;
use crate::{AppContext, error::PageError};

/// Days the chart covers.
pub const CHART_DAYS: usize = 30;
/// Articles in each most-read list.
const TOP: u32 = 10;
const DAY: i64 = 86_400;

#[derive(Serialize, Clone)]
struct TopArticle {
    id: i64,
    title: String,
    views: i64,
}

#[derive(Serialize)]
struct Output {
    name: String,
    articles: i64,
}

#[derive(Serialize)]
struct Failing {
    id: i64,
    name: String,
    failures: i64,
    error: String,
}

#[derive(Serialize)]
struct Waiting {
    id: i64,
    title: String,
    owner: String,
    updated: String,
}

#[derive(Serialize, Clone)]
struct Reads {
    /// The chart, an `<svg>` element made of numbers and dates only.
    chart: String,
    views_30d: i64,
    views_today: i64,
    top_today: Vec<TopArticle>,
    top_week: Vec<TopArticle>,
}

/// The last figures of reads and when they were made.
#[derive(Default)]
pub struct ReadsCache(Mutex<Option<(Instant, Reads)>>);

impl ReadsCache {
    fn fresh(&self, ttl: Duration) -> Option<Reads> {
        let held = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.as_ref().filter(|(at, _)| at.elapsed() < ttl).map(|(_, r)| r.clone())
    }

    fn keep(&self, reads: &Reads) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), reads.clone()));
    }
}

#[derive(Serialize)]
pub struct Dashboard {
    reads: Reads,
    output_week: Vec<Output>,
    failing: Vec<Failing>,
    waiting: Vec<Waiting>,
}

/// The start of the site's day that holds `now`, and of each of the `days - 1` days before it,
/// oldest first (a day is taken as 24 hours: the chart's zone, Asia/Shanghai by default, has
/// no daylight saving).
fn day_starts(clock: &SiteClock, now: i64, days: usize) -> Vec<i64> {
    let today = clock.format(now).get(..10).and_then(|d| clock.parse(d).ok()).unwrap_or(now - now.rem_euclid(DAY));
    (0..days as i64).rev().map(|k| today - k * DAY).collect()
}

/// Sums hourly totals into the days that start at `starts` (sorted, a day each).
fn per_day(starts: &[i64], hourly: &[(i64, i64)]) -> Vec<i64> {
    let mut days = vec![0; starts.len()];
    let Some(&first) = starts.first() else { return days };
    for &(hour, views) in hourly {
        let at = hour * 3600;
        if at >= first
            && let Some(slot) = days.get_mut(((at - first) / DAY) as usize)
        {
            *slot += views;
        }
    }
    days
}

/// A bar chart of `values` under `labels` (`MM-DD`), with each bar's figure as its tooltip.
fn bar_chart(labels: &[String], values: &[i64]) -> String {
    const W: f64 = 720.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 22.0;
    const TOP_PAD: f64 = 10.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len().max(1) as f64;
    let step = (W - LEFT) / n;
    let plot = H - BOTTOM - TOP_PAD;
    let total: i64 = values.iter().sum();
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="近 {} 天每日阅读量，共 {total} 次" xmlns="http://www.w3.org/2000/svg">"#,
        values.len()
    );
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{y}" x2="{W}" y2="{y}" stroke="#999" stroke-width="1"/><text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="#555">{max}</text><text x="{tx}" y="{y}" text-anchor="end" font-size="11" fill="#555">0</text>"##,
        y = H - BOTTOM,
        tx = LEFT - 6.0,
        ty = TOP_PAD + 10.0,
    );
    for (i, (&v, label)) in values.iter().zip(labels).enumerate() {
        let h = (v as f64 / max as f64 * plot).max(if v > 0 { 1.0 } else { 0.0 });
        let x = LEFT + i as f64 * step + 1.0;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#c62828"><title>{label}：{v} 次</title></rect>"##,
            H - BOTTOM - h,
            (step - 2.0).max(1.0),
        );
        // Dates under the last bar and every seventh back from it.
        if (values.len() - 1 - i).is_multiple_of(7) {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="11" fill="#555">{label}</text>"##,
                x + step / 2.0 - 1.0,
                H - 6.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

async fn top(ctx: &AppContext, since_hour: i64) -> Result<Vec<TopArticle>, PageError> {
    let ranked = ctx.store.most_viewed_since(since_hour, TOP).await?;
    let ids: Vec<i64> = ranked.iter().map(|&(id, _)| id).collect();
    let summaries = ctx.store.summaries(&ids).await?;
    Ok(ranked
        .into_iter()
        .filter_map(|(id, views)| {
            let s = summaries.iter().find(|s| s.id == id)?;
            Some(TopArticle { id, title: s.title.clone(), views })
        })
        .collect())
}

async fn reads(ctx: &AppContext, starts: &[i64]) -> Result<Reads, PageError> {
    let (first, today, week) = (starts[0], starts[CHART_DAYS - 1], starts[CHART_DAYS - 7]);
    let days = per_day(starts, &ctx.store.views_per_hour(first / 3600).await?);
    let labels: Vec<String> =
        starts.iter().map(|&t| ctx.clock.format(t).get(5..10).unwrap_or_default().to_string()).collect();
    Ok(Reads {
        chart: bar_chart(&labels, &days),
        views_30d: days.iter().sum(),
        views_today: days[CHART_DAYS - 1],
        top_today: top(ctx, today / 3600).await?,
        top_week: top(ctx, week / 3600).await?,
    })
}

pub async fn dashboard(ctx: &AppContext) -> Result<Dashboard, PageError> {
    let starts = day_starts(&ctx.clock, SiteClock::now(), CHART_DAYS);
    let cache = &ctx.dashboard_reads;
    let reads = match cache.fresh(ctx.newsroom.config.dashboard_refresh) {
        Some(r) => r,
        None => {
            let r = reads(ctx, &starts).await?;
            cache.keep(&r);
            r
        }
    };
    let output_week = ctx
        .store
        .published_per_owner(starts[CHART_DAYS - 7])
        .await?
        .into_iter()
        .map(|(name, articles)| Output { name: name.unwrap_or_else(|| "导入/订阅".into()), articles })
        .collect();
    let mut failing: Vec<Source> = ctx.store.sources().await?.into_iter().filter(|s| s.failures > 0).collect();
    failing.sort_by_key(|s| std::cmp::Reverse(s.failures));
    let failing = failing
        .into_iter()
        .map(|s| Failing {
            id: s.id,
            error: failure_in_words(s.last_error_code.as_deref()).to_string(),
            name: s.name,
            failures: s.failures,
        })
        .collect();
    let waiting = ctx
        .newsroom
        .store
        .admin_articles(AdminFilter { owner_id: None, workflow: Some(Workflow::Submitted) }, 20)
        .await?
        .into_iter()
        .map(|a| Waiting {
            id: a.id,
            title: a.title,
            owner: a.owner_name.unwrap_or_default(),
            updated: ctx.clock.format(a.updated_at),
        })
        .collect();
    Ok(Dashboard { reads, output_week, failing, waiting })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_the_sites_midnight() {
        let clock = SiteClock::shanghai();
        let now = clock.parse("2026-12-06 09:30:00").expect("time");
        let starts = day_starts(&clock, now, 3);
        let dates: Vec<String> = starts.iter().map(|&t| clock.format(t)).collect();
        assert_eq!(dates, ["2026-12-04 00:00:00", "2026-12-05 00:00:00", "2026-12-06 00:00:00"]);
    }

    #[test]
    fn hours_fall_into_their_day_and_older_ones_are_left_out() {
        let starts = [86_400 * 10, 86_400 * 11];
        let hour = |t: i64| t / 3600;
        let hourly =
            [(hour(86_400 * 9), 7), (hour(86_400 * 10), 1), (hour(86_400 * 11 - 3600), 2), (hour(86_400 * 11), 5)];
        assert_eq!(per_day(&starts, &hourly), vec![3, 5]);
        assert_eq!(per_day(&[], &hourly), Vec::<i64>::new());
    }

    #[test]
    fn the_chart_has_a_bar_per_day_scaled_to_the_busiest() {
        let labels: Vec<String> = (1..=8).map(|d| format!("12-{d:02}")).collect();
        let values = [0, 5, 10, 0, 0, 0, 0, 20];
        let svg = bar_chart(&labels, &values);
        assert_eq!(svg.matches("<rect").count(), 8);
        assert!(svg.contains("<title>12-08：20 次</title>") && svg.contains("共 35 次"), "{svg}");
        // The busiest day fills the plot (200 - 22 - 10), the quiet ones have no height.
        assert!(svg.contains(r#"height="168.0" fill"#) && svg.contains(r#"height="0.0" fill"#), "{svg}");
        // Dates under the last bar and every seventh back from it (here the first too).
        assert_eq!(svg.matches(">12-0").count(), 8 + 2, "8 titles and 2 axis dates: {svg}");
        assert!(bar_chart(&[], &[]).starts_with("<svg"));
    }
}
