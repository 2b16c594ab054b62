//! The list queries both backends run (their SQL is the same: `$N` parameters, row values).

use crate::{Cursor, ListFilter};

/// The columns `rows::article` reads: everything but the term vector and the Markdown source,
/// which are large, read elsewhere, and copied with every row of a `SELECT *`.
pub(crate) const ARTICLE_COLUMNS: &str = "id, ext_id, title, author, source_name, source_url, original, category, \
     tags, published_at, updated_at, body_html, body_text, summary, cover, original_title, original_author, editor, \
     keywords, simhash, status, workflow, views, seq, copy_of, owner_id, publish_at";

/// The columns of an [`ArticleSummary`](zixun_core::ArticleSummary).
pub(crate) const SUMMARY_COLUMNS: &str =
    "id, title, author, source_name, original, category, published_at, summary, cover, views, simhash, copy_of";

/// A list's query and its filter's key: `$1`, `$2` the cursor, `$3` the key. Published stories
/// from the cursor: newest first before it, or oldest first after it (`newer`).
///
/// The limit is written into the SQL, not bound: SQLite plans around a bound LIMIT's value and
/// so compiles the statement again at every run (100 µs instead of 5 µs for a page's
/// neighbours at 100,000 articles). A statement per limit is cached instead; the limits are
/// few (page sizes).
pub(crate) fn list_sql(filter: &ListFilter, newer: bool, limit: u32) -> (String, Option<&String>) {
    let (condition, key) = match filter {
        ListFilter::All => ("", None),
        ListFilter::Category(c) => ("category = $3 AND", Some(c)),
        ListFilter::Source(s) => ("source_name = $3 AND", Some(s)),
        ListFilter::Author(a) => ("author = $3 AND", Some(a)),
        ListFilter::Term(t) => ("id IN (SELECT article_id FROM article_terms WHERE term = $3) AND", Some(t)),
    };
    let (cmp, order) = if newer { (">", "ASC") } else { ("<", "DESC") };
    // Copies of a story are never listed: their head is.
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM articles WHERE {condition} status = 'published' AND copy_of IS NULL \
         AND (published_at, id) {cmp} ($1, $2) ORDER BY published_at {order}, id {order} LIMIT {limit}"
    );
    (sql, key)
}

/// The query of an article's two neighbours in a list (parameters as [`list_sql`], limit 1):
/// each row's `newer` is 0 for the older one, 1 for the newer.
pub(crate) fn neighbours_sql(filter: &ListFilter) -> (String, Option<&String>) {
    let (older, key) = list_sql(filter, false, 1);
    let (newer, _) = list_sql(filter, true, 1);
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS newer, * FROM ({older}) AS o UNION ALL SELECT 1 AS newer, * FROM ({newer}) AS n"
    );
    (sql, key)
}

/// Binds a list's parameters (see [`list_sql`]).
pub(crate) fn bind<'q, DB>(
    q: sqlx::query::Query<'q, DB, DB::Arguments>,
    at: Cursor,
    key: Option<&'q String>,
) -> sqlx::query::Query<'q, DB, DB::Arguments>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let q = q.bind(at.published_at).bind(at.id);
    match key {
        Some(k) => q.bind(k),
        None => q,
    }
}
