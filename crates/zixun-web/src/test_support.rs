//! What the unit tests of several modules build their articles from.

use zixun_core::{Article, ArticleStatus, newsroom::Workflow};

/// A published article `id`, with no text, names or terms: tests fill in what they need.
pub fn article(id: i64) -> Article {
    Article {
        id,
        ext_id: None,
        title: format!("第{id}篇"),
        author: None,
        source_name: None,
        source_url: None,
        original: true,
        category: None,
        tags: Vec::new(),
        published_at: 1_764_000_000 + id,
        updated_at: 1_764_000_000 + id,
        body_html: String::new(),
        body_text: String::new(),
        summary: String::new(),
        cover: None,
        credits: zixun_core::Credits::default(),
        keywords: Vec::new(),
        simhash: 0,
        status: ArticleStatus::Published,
        views: 0,
        seq: id,
        copy_of: None,
        owner_id: None,
        workflow: Workflow::Published,
        publish_at: None,
    }
}
