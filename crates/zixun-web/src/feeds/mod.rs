//! Feeds out: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the site and each category, sitemaps
//! (with a Google News sitemap of the last 48 hours), robots.txt pointing at them, and the
//! IndexNow key file.

mod indexnow;
mod sitemap;
mod syndication;

use axum::{Router, routing::get};

use crate::Ctx;

pub fn router() -> Router<Ctx> {
    Router::new()
        .route("/rss.xml", get(syndication::site_rss))
        .route("/atom.xml", get(syndication::site_atom))
        .route("/feed.json", get(syndication::site_json))
        .route("/c/{name}/rss.xml", get(syndication::category_rss))
        .route("/c/{name}/atom.xml", get(syndication::category_atom))
        .route("/c/{name}/feed.json", get(syndication::category_json))
        .route("/sitemap.xml", get(sitemap::sitemap))
        .route("/sitemap.txt", get(sitemap::sitemap_txt))
        .route("/sitemaps/{month}", get(sitemap::month_sitemap))
        .route("/news-sitemap.xml", get(sitemap::news_sitemap))
        .route("/robots.txt", get(sitemap::robots))
        // Whatever else sits at the root is the IndexNow key file or nothing.
        .route("/{file}", get(indexnow::key_file))
}

/// A writer's XML as text, without any character XML 1.0 cannot carry: text stored before
/// writes were cleaned of controls must not make a feed unreadable for every reader.
fn xml_text(bytes: Vec<u8>, writer: &str) -> Result<String, crate::error::PageError> {
    let text =
        String::from_utf8(bytes).map_err(|e| crate::error::PageError::internal(format!("{writer} writer: {e}")))?;
    Ok(zixun_core::text::clean::xml_safe(&text).into_owned())
}
