//! The PostgreSQL backend: several `zixun serve` nodes on one database.
//!
//! The change feed keeps the invariant written on [`Store`]: every write that numbers changes
//! first takes the `seq` row of `meta` FOR UPDATE and holds it to commit ([`SeqLock`]), so
//! `seq`s are handed out in commit order and a follower reading `seq > last` never skips a
//! change that commits late. The commit also sends `NOTIFY zixun_changes`, which wakes the
//! other nodes' followers at once; they poll as well, because a notification sent while a
//! listener reconnects is lost.

mod newsroom;
mod push;
mod revisions;
mod slots;
mod sources;
mod stats;
mod uploads;

use std::{collections::HashMap, str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    PgPool, Row,
    postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow},
};
use tokio::sync::Mutex;
use zixun_core::{
    Article, ArticleDraft, ArticleStatus, ArticleSummary, AuditNote,
    newsroom::Workflow,
    revision::RevisionContent,
    story::{StoryPolicy, bands, heads_to_adopt, story_head},
    text::CorpusStats,
    time::SiteClock,
};

use crate::{
    Backend, BackendKind, Cursor, ListFilter, Neighbours, OpenOptions, Result, Store, StoreError, TermVectorRow,
    UpsertOutcome, backend::redact,
};
use crate::{
    list::{self, ARTICLE_COLUMNS, SUMMARY_COLUMNS},
    rows,
    story::StoryFacts,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The channel a commit that moved the feed notifies.
const CHANNEL: &str = "zixun_changes";

pub struct PgStore {
    pub(crate) pool: PgPool,
    story: StoryPolicy,
    /// Revisions kept per article.
    revisions_kept: u32,
    /// LISTEN connection of this node's follower (made on first wait).
    listener: Mutex<Option<PgListener>>,
}

impl PgStore {
    /// Connects and applies the migrations: sqlx's migrator holds an advisory lock while it
    /// runs, so of several nodes starting at once one migrates and the others wait; each
    /// migration runs in its own transaction (never half) and is recorded (never twice).
    pub async fn connect(url: &str, options: &OpenOptions) -> Result<Self> {
        let open_err = |source| StoreError::Open { path: redact(url), source };
        let connect = PgConnectOptions::from_str(url)
            .map_err(open_err)?
            .application_name("zixun")
            // A transaction left open (a node stopped in a debugger) must not hold the feed's
            // lock for ever.
            .options([("idle_in_transaction_session_timeout", "30s")]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(2))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(connect)
            .await
            .map_err(open_err)?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool, story: options.story, revisions_kept: options.revisions_kept, listener: Mutex::new(None) })
    }

    /// Links the article `id` to its story (see the SQLite backend's twin for the rule, which
    /// is `zixun_core::story`'s): candidates are published heads within the window sharing a
    /// SimHash band.
    pub(crate) async fn link_story(
        &self,
        tx: &mut sqlx::PgConnection,
        id: i64,
        d: StoryFacts,
        feed: &mut SeqLock,
    ) -> Result<()> {
        let b = bands(d.simhash);
        let mut candidates = Vec::new();
        if d.published {
            let rows = sqlx::query(
                "SELECT id, simhash, original FROM articles \
                 WHERE (band0 = $1 OR band1 = $2 OR band2 = $3 OR band3 = $4) AND id <> $5 AND copy_of IS NULL \
                 AND status = 'published' AND published_at BETWEEN $6 AND $7",
            )
            .bind(b[0])
            .bind(b[1])
            .bind(b[2])
            .bind(b[3])
            .bind(id)
            .bind(d.published_at - self.story.window_secs)
            .bind(d.published_at + self.story.window_secs)
            .fetch_all(&mut *tx)
            .await?;
            for r in &rows {
                candidates.push(rows::story_candidate(r)?);
            }
        }
        let head = story_head(&self.story, d.simhash, d.original, &candidates);
        sqlx::query("UPDATE articles SET band0 = $1, band1 = $2, band2 = $3, band3 = $4, copy_of = $5 WHERE id = $6")
            .bind(b[0])
            .bind(b[1])
            .bind(b[2])
            .bind(b[3])
            .bind(head)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for adopted in heads_to_adopt(&self.story, d.simhash, d.original, &candidates) {
            let rows: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM articles WHERE id = $1 OR copy_of = $1 ORDER BY id")
                    .bind(adopted)
                    .fetch_all(&mut *tx)
                    .await?;
            for row in rows {
                sqlx::query("UPDATE articles SET copy_of = $1, seq = $2 WHERE id = $3")
                    .bind(id)
                    .bind(feed.next())
                    .bind(row)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The change feed's lock and counter for one transaction (see the module's docs).
pub(crate) struct SeqLock {
    last: i64,
    taken: i64,
}

impl SeqLock {
    pub(crate) async fn take(tx: &mut sqlx::PgConnection) -> Result<Self> {
        let last: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq' FOR UPDATE").fetch_one(&mut *tx).await?;
        Ok(SeqLock { last, taken: last })
    }

    pub(crate) fn next(&mut self) -> i64 {
        self.taken += 1;
        self.taken
    }

    /// Writes the counter back and, when anything was numbered, notifies the followers (a
    /// NOTIFY is delivered at commit, never for a transaction that rolls back).
    pub(crate) async fn release(self, tx: &mut sqlx::PgConnection) -> Result<()> {
        if self.taken != self.last {
            sqlx::query("UPDATE meta SET value = $1 WHERE key = 'seq'").bind(self.taken).execute(&mut *tx).await?;
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(self.taken.to_string())
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }
}

/// Keeps what a save by a person made of the article, inside the save's transaction, and drops
/// the article's revisions beyond the last `keep`.
pub(crate) async fn write_revision(
    tx: &mut sqlx::PgConnection,
    at: i64,
    note: &AuditNote,
    article_id: i64,
    content: &RevisionContent,
    keep: u32,
) -> Result<()> {
    if keep == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO article_revisions (article_id, at, user_id, user_name, action, content) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(article_id)
    .bind(at)
    .bind(note.user_id)
    .bind(&note.user_name)
    .bind(&note.action)
    .bind(serde_json::to_string(content).unwrap_or_default())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM article_revisions WHERE article_id = $1 AND id NOT IN \
         (SELECT id FROM article_revisions WHERE article_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(article_id)
    .bind(i64::from(keep))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(crate) async fn write_audit(
    tx: &mut sqlx::PgConnection,
    at: i64,
    note: &AuditNote,
    article_id: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, user_name, action, article_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(at)
    .bind(note.user_id)
    .bind(&note.user_name)
    .bind(&note.action)
    .bind(article_id)
    .bind(&note.detail)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A term vector as two arrays (NULL when the writer computed none).
fn vector_columns(v: &[(String, f32)]) -> (Option<Vec<String>>, Option<Vec<f32>>) {
    if v.is_empty() {
        return (None, None);
    }
    (Some(v.iter().map(|(w, _)| w.clone()).collect()), Some(v.iter().map(|(_, x)| *x).collect()))
}

fn vector_from_row(row: &PgRow) -> Result<Option<Vec<(String, f32)>>> {
    let words: Option<Vec<String>> = row.try_get("tv_words")?;
    let weights: Option<Vec<f32>> = row.try_get("tv_weights")?;
    match (words, weights) {
        (Some(w), Some(x)) if w.len() == x.len() => Ok(Some(w.into_iter().zip(x).collect())),
        (None, None) => Ok(None),
        _ => Err(StoreError::Corrupt { field: "term_vector", reason: "words and weights differ in length".into() }),
    }
}

/// Binds a draft's columns in the order of the INSERT and UPDATE statements ($1 … $27).
fn bind_draft<'q>(
    q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    d: &'q ArticleDraft,
    now: i64,
    seq: i64,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let (words, weights) = vector_columns(&d.term_vector);
    q.bind(&d.ext_id)
        .bind(&d.title)
        .bind(&d.author)
        .bind(&d.source_name)
        .bind(&d.source_url)
        .bind(d.original)
        .bind(&d.category)
        .bind(&d.tags)
        .bind(d.published_at)
        .bind(now)
        .bind(&d.body_html)
        .bind(&d.body_text)
        .bind(&d.summary)
        .bind(&d.keywords)
        .bind(words)
        .bind(weights)
        .bind(d.simhash as i64)
        .bind(d.status.as_str())
        .bind(d.owner_id)
        .bind(d.workflow.map(Workflow::as_str))
        .bind(d.publish_at)
        .bind(&d.body_markdown)
        .bind(seq)
        .bind(&d.cover)
        .bind(&d.credits.original_title)
        .bind(&d.credits.original_author)
        .bind(&d.credits.editor)
}

struct Existing {
    id: i64,
    same: bool,
    published_at: i64,
}

/// The stored article a draft updates (by `id`, else `ext_id`, else `source_url`), and whether
/// the draft would change nothing a reader sees.
async fn find_existing(tx: &mut sqlx::PgConnection, d: &ArticleDraft) -> Result<Option<Existing>> {
    let key_column = match (d.id, &d.ext_id, &d.source_url) {
        (Some(_), _, _) => "id",
        (None, Some(_), _) => "ext_id",
        (None, None, Some(_)) => "source_url",
        (None, None, None) => return Ok(None),
    };
    let sql = format!(
        "SELECT id, (title = $1 AND author IS NOT DISTINCT FROM $2 AND source_name IS NOT DISTINCT FROM $3 \
         AND source_url IS NOT DISTINCT FROM $4 AND original = $5 AND category IS NOT DISTINCT FROM $6 \
         AND tags = $7 AND (published_at = $8 OR NOT $9) AND body_html = $10 AND status = $11 \
         AND workflow IS NOT DISTINCT FROM $12 AND publish_at IS NOT DISTINCT FROM $13 \
         AND ($14::text IS NULL OR body_markdown IS NOT DISTINCT FROM $14) AND cover IS NOT DISTINCT FROM $16 \
         AND original_title IS NOT DISTINCT FROM $17 AND original_author IS NOT DISTINCT FROM $18 \
         AND editor IS NOT DISTINCT FROM $19 \
         AND tv_words IS NOT NULL) AS same, \
         published_at FROM articles WHERE {key_column} = $15 ORDER BY id LIMIT 1"
    );
    // `key_column` is one of three fixed names, never input.
    let q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&d.title)
        .bind(&d.author)
        .bind(&d.source_name)
        .bind(&d.source_url)
        .bind(d.original)
        .bind(&d.category)
        .bind(&d.tags)
        .bind(d.published_at)
        .bind(d.published_at_given)
        .bind(&d.body_html)
        .bind(d.status.as_str())
        .bind(d.workflow.map(Workflow::as_str))
        .bind(d.publish_at)
        .bind(&d.body_markdown);
    let q = match (d.id, &d.ext_id, &d.source_url) {
        (Some(id), _, _) => q.bind(id),
        (None, Some(ext), _) => q.bind(ext),
        (None, None, url) => q.bind(url),
    };
    let row = q
        .bind(&d.cover)
        .bind(&d.credits.original_title)
        .bind(&d.credits.original_author)
        .bind(&d.credits.editor)
        .fetch_optional(&mut *tx)
        .await?;
    row.map(|r| {
        Ok(Existing { id: r.try_get("id")?, same: r.try_get("same")?, published_at: r.try_get("published_at")? })
    })
    .transpose()
}

fn article_from_row(row: &PgRow) -> Result<Article> {
    rows::article(row, row.try_get("tags")?, row.try_get("keywords")?)
}

#[async_trait]
impl Store for PgStore {
    async fn upsert(&self, drafts: &[ArticleDraft]) -> Result<Vec<UpsertOutcome>> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let now = SiteClock::now();
        let mut tx = self.pool.begin().await?;
        let mut feed = SeqLock::take(&mut tx).await?;
        let mut outcomes = Vec::with_capacity(drafts.len());
        let mut new_docs = 0i64;
        let mut df: HashMap<String, i64> = HashMap::new();
        let mut dated;
        for mut d in drafts {
            let outcome = match find_existing(&mut tx, d).await? {
                Some(Existing { id, same: true, .. }) => {
                    outcomes.push(UpsertOutcome::Unchanged(id));
                    continue;
                }
                Some(Existing { id, published_at, .. }) => {
                    if !d.published_at_given {
                        dated = ArticleDraft { published_at, ..d.clone() };
                        d = &dated;
                    }
                    bind_draft(
                        sqlx::query(
                            "UPDATE articles SET ext_id = $1, title = $2, author = $3, source_name = $4, \
                             source_url = $5, original = $6, category = $7, tags = $8, published_at = $9, \
                             updated_at = $10, body_html = $11, body_text = $12, summary = $13, keywords = $14, \
                             tv_words = $15, tv_weights = $16, simhash = $17, status = $18, \
                             owner_id = COALESCE(owner_id, $19), workflow = $20, publish_at = $21, \
                             body_markdown = COALESCE($22, body_markdown), seq = $23, cover = $24, \
                             original_title = $25, original_author = $26, editor = $27 WHERE id = $28",
                        ),
                        d,
                        now,
                        feed.next(),
                    )
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM article_terms WHERE article_id = $1").bind(id).execute(&mut *tx).await?;
                    UpsertOutcome::Updated(id)
                }
                None => {
                    let id: i64 = bind_draft(
                        sqlx::query(
                            "INSERT INTO articles (ext_id, title, author, source_name, source_url, original, \
                             category, tags, published_at, updated_at, body_html, body_text, summary, keywords, \
                             tv_words, tv_weights, simhash, status, owner_id, workflow, publish_at, body_markdown, \
                             seq, cover, original_title, original_author, editor) VALUES ($1, $2, $3, $4, $5, $6, \
                             $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
                             $25, $26, $27) RETURNING id",
                        ),
                        d,
                        now,
                        feed.next(),
                    )
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?;
                    new_docs += 1;
                    for t in &d.doc_terms {
                        *df.entry(t.clone()).or_insert(0) += 1;
                    }
                    UpsertOutcome::Inserted(id)
                }
            };
            self.link_story(&mut tx, outcome.id(), StoryFacts::of(d), &mut feed).await?;
            let terms: Vec<&String> = d.keywords.iter().chain(d.tags.iter()).collect();
            sqlx::query(
                "INSERT INTO article_terms (term, article_id) SELECT DISTINCT t, $2 FROM unnest($1::text[]) AS t \
                 ON CONFLICT DO NOTHING",
            )
            .bind(terms)
            .bind(outcome.id())
            .execute(&mut *tx)
            .await?;
            if let Some(note) = &d.audit {
                write_audit(&mut tx, now, note, Some(outcome.id())).await?;
                write_revision(&mut tx, now, note, outcome.id(), &RevisionContent::of(d), self.revisions_kept).await?;
            }
            if let Some(note) = &d.word_note {
                write_audit(&mut tx, now, note, Some(outcome.id())).await?;
            }
            outcomes.push(outcome);
        }
        if new_docs > 0 {
            sqlx::query("UPDATE meta SET value = value + $1 WHERE key = 'corpus_docs'")
                .bind(new_docs)
                .execute(&mut *tx)
                .await?;
            let mut delta: Vec<(String, i64)> = df.into_iter().collect();
            delta.sort_unstable();
            let (terms, counts): (Vec<String>, Vec<i64>) = delta.into_iter().unzip();
            sqlx::query(
                "INSERT INTO term_df (term, df) SELECT * FROM unnest($1::text[], $2::bigint[]) \
                 ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
            )
            .bind(terms)
            .bind(counts)
            .execute(&mut *tx)
            .await?;
        }
        feed.release(&mut tx).await?;
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn article(&self, id: i64) -> Result<Option<Article>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(article_from_row).transpose()
    }

    async fn articles(&self, ids: &[i64]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ANY($1)")))
                .bind(ids)
                .fetch_all(&self.pool)
                .await?;
        let rows = rows.iter().map(|r| article_from_row(r).map(|a| (a.id, a))).collect::<Result<Vec<_>>>()?;
        Ok(rows::in_order(ids, rows))
    }

    async fn list(&self, filter: &ListFilter, cursor: Option<Cursor>, limit: u32) -> Result<Vec<ArticleSummary>> {
        let at = cursor.unwrap_or(Cursor { published_at: i64::MAX, id: i64::MAX });
        self.list_from(filter, at, false, limit).await
    }

    async fn neighbours(&self, filter: &ListFilter, at: Cursor) -> Result<Neighbours> {
        let (sql, key) = list::neighbours_sql(filter);
        let rows = list::bind(sqlx::query(sqlx::AssertSqlSafe(sql)), at, key).fetch_all(&self.pool).await?;
        rows::neighbours(&rows)
    }

    async fn summaries_with_texts(
        &self,
        ids: &[i64],
        texts: &[i64],
    ) -> Result<(Vec<ArticleSummary>, HashMap<i64, String>)> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        // `status || ''`: a lookup by key, never a scan of the status index (a generic plan
        // otherwise ANDs the whole `status` index in: 10 ms at 100,000 articles, against 0.3).
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, CASE WHEN id = ANY($2) THEN body_text END AS text \
             FROM articles WHERE id = ANY($1) AND status || '' = 'published'"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids).bind(texts).fetch_all(&self.pool).await?;
        rows::summaries_with_texts(ids, &rows)
    }

    async fn body_texts(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = sqlx::query("SELECT id, body_text FROM articles WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("body_text")?))).collect()
    }

    async fn most_viewed(&self, limit: u32) -> Result<Vec<ArticleSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles WHERE status = 'published' AND copy_of IS NULL AND views > 0 \
             ORDER BY views DESC, id DESC LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(rows::summary).collect()
    }

    async fn count_published(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published'").fetch_one(&self.pool).await?)
    }

    async fn published_months(&self) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT to_char(to_timestamp(published_at) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, COUNT(*) AS n, \
             MAX(updated_at) AS last FROM articles WHERE status = 'published' AND copy_of IS NULL \
             GROUP BY month ORDER BY month DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("month")?, r.try_get("n")?, r.try_get("last")?))).collect()
    }

    async fn published_between(&self, from: i64, to: i64, limit: u32) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT id, updated_at FROM articles WHERE status = 'published' AND copy_of IS NULL \
             AND published_at >= $1 AND published_at < $2 ORDER BY published_at DESC, id DESC LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("updated_at")?))).collect()
    }

    async fn categories(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT category, COUNT(*) AS n FROM articles WHERE status = 'published' AND category IS NOT NULL \
             GROUP BY category ORDER BY n DESC, category",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("category")?, r.try_get("n")?))).collect()
    }

    async fn max_seq(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = 'seq'").fetch_one(&self.pool).await?)
    }

    async fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Article>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(article_from_row).collect()
    }

    async fn term_vectors_since(&self, seq: i64, limit: u32) -> Result<Vec<TermVectorRow>> {
        let rows = sqlx::query(
            "SELECT id, seq, status, copy_of, published_at, category, source_name, tags, simhash, tv_words, \
             tv_weights FROM articles WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TermVectorRow {
                    id: row.try_get("id")?,
                    seq: row.try_get("seq")?,
                    published: row.try_get::<String, _>("status")? == ArticleStatus::Published.as_str(),
                    copy_of: row.try_get("copy_of")?,
                    published_at: row.try_get("published_at")?,
                    category: row.try_get("category")?,
                    source_name: row.try_get("source_name")?,
                    tags: row.try_get("tags")?,
                    simhash: row.try_get::<i64, _>("simhash")? as u64,
                    vector: vector_from_row(row)?,
                })
            })
            .collect()
    }

    async fn set_term_vectors(&self, vectors: &[(i64, Vec<(String, f32)>)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, vector) in vectors {
            let (words, weights) = vector_columns(vector);
            // Several nodes may compute the same vector: the first one written stays.
            sqlx::query("UPDATE articles SET tv_words = $1, tv_weights = $2 WHERE id = $3 AND tv_words IS NULL")
                .bind(words.unwrap_or_default())
                .bind(weights.unwrap_or_default())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn add_views(&self, hour: i64, views: &HashMap<i64, i64>) -> Result<()> {
        if views.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<(i64, i64)> = views.iter().map(|(&id, &n)| (id, n)).collect();
        sorted.sort_unstable();
        let (ids, counts): (Vec<i64>, Vec<i64>) = sorted.into_iter().unzip();
        let mut tx = self.pool.begin().await?;
        // Rows are locked in id order first, so two nodes flushing at once queue on each other
        // instead of deadlocking.
        let counted: Vec<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE id = ANY($1) ORDER BY id FOR UPDATE")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE articles SET views = articles.views + v.n FROM unnest($1::bigint[], $2::bigint[]) AS v(id, n) \
             WHERE articles.id = v.id",
        )
        .bind(&ids)
        .bind(&counts)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO article_views_hourly (article_id, hour, views) \
             SELECT v.id, $3, v.n FROM unnest($1::bigint[], $2::bigint[]) AS v(id, n) WHERE v.id = ANY($4) \
             ORDER BY v.id ON CONFLICT (hour, article_id) DO UPDATE SET views = article_views_hourly.views + excluded.views",
        )
        .bind(&ids)
        .bind(&counts)
        .bind(hour)
        .bind(&counted)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn decayed_views(&self, first_hour: i64, weights: &[f64], limit: u32) -> Result<Vec<(i64, f64)>> {
        let sql = format!(
            "SELECT v.article_id AS article_id, SUM(v.views * w.weight) AS score \
             FROM unnest($1::float8[]) WITH ORDINALITY AS w (weight, n) \
             JOIN article_views_hourly AS v ON v.hour = $2 + w.n - 1 \
             GROUP BY v.article_id ORDER BY score DESC, v.article_id DESC LIMIT {limit}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(weights).bind(first_hour).fetch_all(&self.pool).await?;
        rows.iter().map(rows::decayed_views).collect()
    }

    async fn term_counts(&self, from: i64, to: i64) -> Result<HashMap<String, u32>> {
        let rows = sqlx::query(
            "SELECT t.term, COUNT(*) AS n FROM articles AS a JOIN article_terms AS t ON t.article_id = a.id \
             WHERE a.published_at >= $1 AND a.published_at < $2 AND a.status = 'published' AND a.copy_of IS NULL \
             GROUP BY t.term",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("term")?, r.try_get::<i64, _>("n")? as u32))).collect()
    }

    async fn stored_workflow(&self, ext_id: Option<&str>, source_url: Option<&str>) -> Result<Option<Workflow>> {
        let (column, key) = match (ext_id, source_url) {
            (Some(ext), _) => ("ext_id", ext),
            (None, Some(url)) => ("source_url", url),
            (None, None) => return Ok(None),
        };
        // `column` is one of two fixed names, never input.
        let sql = format!("SELECT workflow FROM articles WHERE {column} = $1 ORDER BY id LIMIT 1");
        let workflow: Option<Option<String>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(&self.pool).await?;
        Ok(workflow.flatten().as_deref().and_then(Workflow::parse))
    }

    async fn corpus_stats(&self) -> Result<CorpusStats> {
        let docs: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'corpus_docs'").fetch_one(&self.pool).await?;
        let rows = sqlx::query("SELECT term, df FROM term_df").fetch_all(&self.pool).await?;
        let df =
            rows.iter().map(|r| Ok((r.try_get("term")?, r.try_get::<i64, _>("df")? as u32))).collect::<Result<_>>()?;
        Ok(CorpusStats { docs: docs.max(0) as u64, df })
    }

    async fn wait_for_change(&self, timeout: Duration) {
        let mut slot = self.listener.lock().await;
        if slot.is_none() {
            match PgListener::connect_with(&self.pool).await {
                Ok(mut l) => match l.listen(CHANNEL).await {
                    Ok(()) => *slot = Some(l),
                    Err(e) => tracing::warn!(error = %e, "cannot LISTEN for changes; polling only"),
                },
                Err(e) => tracing::warn!(error = %e, "cannot open a LISTEN connection; polling only"),
            }
        }
        let Some(listener) = slot.as_mut() else {
            drop(slot);
            tokio::time::sleep(timeout).await;
            return;
        };
        // `try_recv` answers `None` when the connection dropped: the listener reconnects on
        // the next call, and whatever was sent meanwhile is found by the caller's poll.
        match tokio::time::timeout(timeout, listener.try_recv()).await {
            Ok(Ok(Some(_))) | Err(_) => {}
            Ok(Ok(None)) => tracing::debug!("LISTEN connection lost; reconnecting"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "LISTEN failed; reconnecting");
                *slot = None;
            }
        }
    }
}

#[async_trait]
impl Backend for PgStore {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgres
    }

    async fn close(&self) {
        if let Some(l) = self.listener.lock().await.take() {
            drop(l);
        }
        self.pool.close().await;
    }
}

impl PgStore {
    /// Published stories from `at`: newest first before it, or oldest first after it (`newer`).
    async fn list_from(&self, filter: &ListFilter, at: Cursor, newer: bool, limit: u32) -> Result<Vec<ArticleSummary>> {
        let (sql, key) = list::list_sql(filter, newer, limit);
        let rows = list::bind(sqlx::query(sqlx::AssertSqlSafe(sql)), at, key).fetch_all(&self.pool).await?;
        rows.iter().map(rows::summary).collect()
    }
}
