//! `zixun store copy`: a whole site from SQLite into PostgreSQL — articles and their stories,
//! views and their hourly history, corpus statistics, sources with their fetch state, users,
//! sessions, tokens, the audit log, the push log, the editorial slots, revisions and uploads — keeping
//! every id.
//!
//! Each table is read in key order and written in batches, each batch one transaction with
//! `ON CONFLICT DO NOTHING`, so a copy killed half-way is completed by running it again: the
//! target carries a `copy_in_progress` mark in `meta` until the copy has finished.

use sqlx::{QueryBuilder, Row, sqlite::SqliteRow};

use crate::{PgStore, Result, SqliteStore, StoreError, UploadStore};

/// How a column travels from SQLite to PostgreSQL.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bool,
    /// A JSON list of strings in SQLite, `TEXT[]` in PostgreSQL.
    List,
}

struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// What a row conflicts on in the target.
    key: &'static str,
    /// Set on conflict instead of keeping the target's row (values the target started with).
    replace: Option<&'static str>,
    /// The target's identity column to move past the copied ids.
    identity: bool,
}

use Kind::{Bool, Int, List, Text};

/// In the order foreign keys need. Articles are special (term vectors, `copy_of`): see
/// [`copy_articles`].
const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("disabled", Bool),
            ("created_at", Int),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "article_terms",
        columns: &[("term", Text), ("article_id", Int)],
        key: "term, article_id",
        replace: None,
        identity: false,
    },
    Table {
        name: "article_views_hourly",
        columns: &[("article_id", Int), ("hour", Int), ("views", Int)],
        key: "hour, article_id",
        replace: None,
        identity: false,
    },
    Table {
        name: "term_df",
        columns: &[("term", Text), ("df", Int)],
        key: "term",
        replace: Some("df = excluded.df"),
        identity: false,
    },
    Table {
        name: "sources",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("url", Text),
            ("category", Text),
            ("interval_secs", Int),
            ("localize_images", Bool),
            ("created_at", Int),
            ("etag", Text),
            ("last_modified", Text),
            ("last_fetch_at", Int),
            ("last_status", Text),
            ("last_error", Text),
            ("items", Int),
            ("errors", Int),
            ("failures", Int),
            ("next_fetch_at", Int),
            ("paused", Bool),
            ("last_error_code", Text),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "sessions",
        columns: &[("token_hash", Text), ("user_id", Int), ("csrf", Text), ("created_at", Int), ("last_seen", Int)],
        key: "token_hash",
        replace: None,
        identity: false,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("token_hash", Text),
            ("label", Text),
            ("created_at", Int),
            ("revoked_at", Int),
            ("last_used_at", Int),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("at", Int),
            ("user_id", Int),
            ("user_name", Text),
            ("action", Text),
            ("article_id", Int),
            ("detail", Text),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "login_attempts",
        columns: &[("key", Text), ("count", Int), ("last_at", Int)],
        key: "key",
        replace: None,
        identity: false,
    },
    Table {
        name: "pushes",
        columns: &[
            ("id", Int),
            ("target", Text),
            ("article_id", Int),
            ("url", Text),
            ("state", Text),
            ("attempts", Int),
            ("queued_at", Int),
            ("next_at", Int),
            ("tried_at", Int),
            ("result", Text),
            ("remain", Int),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "article_revisions",
        columns: &[
            ("id", Int),
            ("article_id", Int),
            ("at", Int),
            ("user_id", Int),
            ("user_name", Text),
            ("action", Text),
            ("content", Text),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "slot_items",
        columns: &[
            ("id", Int),
            ("slot", Text),
            ("category", Text),
            ("position", Int),
            ("article_id", Int),
            ("link_url", Text),
            ("link_title", Text),
            ("starts_at", Int),
            ("ends_at", Int),
            ("created_at", Int),
            ("created_by", Text),
        ],
        key: "id",
        replace: None,
        identity: true,
    },
    Table {
        name: "push_cursor",
        columns: &[("id", Int), ("seq", Int)],
        key: "id",
        replace: Some("seq = excluded.seq"),
        identity: false,
    },
    Table {
        name: "meta",
        columns: &[("key", Text), ("value", Int)],
        key: "key",
        replace: Some("value = excluded.value"),
        identity: false,
    },
];

const ARTICLE_COLUMNS: &[(&str, Kind)] = &[
    ("id", Int),
    ("ext_id", Text),
    ("title", Text),
    ("author", Text),
    ("source_name", Text),
    ("source_url", Text),
    ("original", Bool),
    ("category", Text),
    ("tags", List),
    ("published_at", Int),
    ("updated_at", Int),
    ("body_html", Text),
    ("body_text", Text),
    ("summary", Text),
    ("cover", Text),
    ("original_title", Text),
    ("original_author", Text),
    ("editor", Text),
    ("keywords", List),
    ("simhash", Int),
    ("band0", Int),
    ("band1", Int),
    ("band2", Int),
    ("band3", Int),
    ("status", Text),
    ("views", Int),
    ("seq", Int),
    ("owner_id", Int),
    ("workflow", Text),
    ("publish_at", Int),
    ("body_markdown", Text),
];

/// Rows written per transaction.
const BATCH: usize = 500;

/// What a copy reports as it goes: the table, rows done, rows in all.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// The rows of one table on both sides after a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub source: i64,
    pub target: i64,
}

#[derive(Debug, Clone)]
pub struct CopyReport {
    pub counts: Vec<TableCount>,
    /// True when the copy took up one that had been interrupted.
    pub resumed: bool,
}

impl CopyReport {
    pub fn all_equal(&self) -> bool {
        self.counts.iter().all(|c| c.source == c.target)
    }
}

/// Copies everything in `from` into `to`. A target that holds data is refused unless `force`
/// (its rows are kept where the ids meet) or it holds an interrupted copy (which is completed).
pub async fn copy_site(from: &SqliteStore, to: &PgStore, force: bool, progress: Progress<'_>) -> Result<CopyReport> {
    let resumed = sqlx::query_scalar::<_, i64>("SELECT value FROM meta WHERE key = 'copy_in_progress'")
        .fetch_optional(&to.pool)
        .await?
        .is_some();
    if !resumed && !force {
        let held: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM sources)",
        )
        .fetch_one(&to.pool)
        .await?;
        if held > 0 {
            return Err(StoreError::Conflict(format!(
                "the target database is not empty ({held} articles, users and sources): give --force to copy into it"
            )));
        }
    }
    sqlx::query("INSERT INTO meta (key, value) VALUES ('copy_in_progress', 1) ON CONFLICT (key) DO NOTHING")
        .execute(&to.pool)
        .await?;
    let users = &TABLES[0];
    copy_table(from, to, users, progress).await?;
    copy_articles(from, to, progress).await?;
    for table in &TABLES[1..] {
        copy_table(from, to, table, progress).await?;
    }
    copy_uploads(from, to, progress).await?;
    for table in TABLES.iter().filter(|t| t.identity).map(|t| t.name).chain(["articles"]) {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&to.pool).await?;
    }
    // Fresh statistics: without them the planner guesses from an empty table's.
    sqlx::query("ANALYZE").execute(&to.pool).await?;
    sqlx::query("DELETE FROM meta WHERE key = 'copy_in_progress'").execute(&to.pool).await?;
    Ok(CopyReport { counts: count_both(from, to).await?, resumed })
}

/// Row counts of every copied table (and uploads) on both sides.
pub async fn count_both(from: &SqliteStore, to: &PgStore) -> Result<Vec<TableCount>> {
    let mut counts = Vec::new();
    for table in std::iter::once("articles").chain(TABLES.iter().map(|t| t.name)) {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let source: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).fetch_one(&from.pool).await?;
        let target: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&to.pool).await?;
        counts.push(TableCount { table, source, target });
    }
    let source = from.upload_names().await?.len() as i64;
    let target = to.upload_names().await?.len() as i64;
    counts.push(TableCount { table: "uploads", source, target });
    Ok(counts)
}

async fn count(from: &SqliteStore, table: &str) -> Result<u64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(&from.pool).await?.max(0) as u64)
}

fn list_value(row: &SqliteRow, column: &'static str) -> Result<Vec<String>> {
    let raw: String = row.try_get(column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt { field: column, reason: e.to_string() })
}

/// Pushes one SQLite row's columns as PostgreSQL values.
fn push_row(
    b: &mut sqlx::query_builder::Separated<'_, sqlx::Postgres, &'static str>,
    row: &SqliteRow,
    columns: &[(&'static str, Kind)],
) -> Result<()> {
    for &(column, kind) in columns {
        match kind {
            Int => b.push_bind(row.try_get::<Option<i64>, _>(column)?),
            Text => b.push_bind(row.try_get::<Option<String>, _>(column)?),
            Bool => b.push_bind(row.try_get::<bool, _>(column)?),
            List => b.push_bind(list_value(row, column)?),
        };
    }
    Ok(())
}

fn column_list(columns: &[(&str, Kind)]) -> String {
    columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
}

/// Reads a table in key order, a batch at a time (`WHERE key > last`): no read transaction is
/// held open for the whole copy, so a live site's WAL can still be checkpointed meanwhile.
struct Pager {
    select: String,
    table: &'static str,
    key: Vec<(&'static str, Kind)>,
    last: Option<Vec<KeyValue>>,
}

enum KeyValue {
    Int(i64),
    Text(String),
}

impl Pager {
    fn new(table: &'static str, columns: &str, key: &'static str, kinds: &[(&'static str, Kind)]) -> Self {
        let key = key
            .split(',')
            .map(str::trim)
            .map(|k| (k, kinds.iter().find(|(c, _)| *c == k).map_or(Kind::Int, |(_, kind)| *kind)))
            .collect();
        Pager { select: format!("SELECT {columns} FROM {table}"), table, key, last: None }
    }

    async fn next(&mut self, from: &SqliteStore) -> Result<Vec<SqliteRow>> {
        let names: Vec<&str> = self.key.iter().map(|(k, _)| *k).collect();
        let order = names.join(", ");
        let sql = match &self.last {
            None => format!("{} ORDER BY {order} LIMIT {BATCH}", self.select),
            Some(_) => {
                let marks = vec!["?"; names.len()].join(", ");
                format!("{} WHERE ({order}) > ({marks}) ORDER BY {order} LIMIT {BATCH}", self.select)
            }
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in self.last.iter().flatten() {
            q = match v {
                KeyValue::Int(i) => q.bind(*i),
                KeyValue::Text(t) => q.bind(t.clone()),
            };
        }
        let rows = q.fetch_all(&from.pool).await?;
        if let Some(last) = rows.last() {
            let mut values = Vec::with_capacity(self.key.len());
            for (k, kind) in &self.key {
                values.push(match kind {
                    Kind::Text => KeyValue::Text(last.try_get(*k)?),
                    _ => KeyValue::Int(last.try_get(*k)?),
                });
            }
            self.last = Some(values);
        }
        tracing::trace!(table = self.table, rows = rows.len(), "copy batch read");
        Ok(rows)
    }
}

async fn copy_table(from: &SqliteStore, to: &PgStore, table: &Table, progress: Progress<'_>) -> Result<()> {
    let total = count(from, table.name).await?;
    let names = column_list(table.columns);
    let mut pager = Pager::new(table.name, &names, table.key, table.columns);
    let mut done = 0u64;
    progress(table.name, 0, total);
    loop {
        let batch = pager.next(from).await?;
        if batch.is_empty() {
            return Ok(());
        }
        let mut q: QueryBuilder<sqlx::Postgres> = QueryBuilder::new(format!("INSERT INTO {} ({names}) ", table.name));
        let mut failed = None;
        q.push_values(&batch, |mut b, row| {
            if let Err(e) = push_row(&mut b, row, table.columns) {
                failed.get_or_insert(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        match table.replace {
            Some(set) => q.push(format!(" ON CONFLICT ({}) DO UPDATE SET {set}", table.key)),
            None => q.push(" ON CONFLICT DO NOTHING"),
        };
        q.build().execute(&to.pool).await?;
        done += batch.len() as u64;
        progress(table.name, done, total);
    }
}

/// Articles in two passes: the rows (with their term vectors) without `copy_of`, then the
/// story links, since a head may have a higher id than its copies.
async fn copy_articles(from: &SqliteStore, to: &PgStore, progress: Progress<'_>) -> Result<()> {
    let total = count(from, "articles").await?;
    let names = column_list(ARTICLE_COLUMNS);
    let mut pager = Pager::new("articles", &format!("{names}, term_vector, copy_of"), "id", ARTICLE_COLUMNS);
    let mut links: Vec<(i64, i64)> = Vec::new();
    let mut done = 0u64;
    progress("articles", 0, total);
    loop {
        let batch = pager.next(from).await?;
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            if let Some(head) = r.try_get::<Option<i64>, _>("copy_of")? {
                links.push((r.try_get("id")?, head));
            }
        }
        let mut q: QueryBuilder<sqlx::Postgres> =
            QueryBuilder::new(format!("INSERT INTO articles ({names}, tv_words, tv_weights) "));
        let mut failed = None;
        q.push_values(&batch, |mut b, row| {
            let vector = push_row(&mut b, row, ARTICLE_COLUMNS).and_then(|()| {
                let raw: Option<String> = row.try_get("term_vector")?;
                raw.map(|r| serde_json::from_str::<Vec<(String, f32)>>(&r))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt { field: "term_vector", reason: e.to_string() })
            });
            match vector {
                Ok(v) => {
                    let (words, weights): (Option<Vec<String>>, Option<Vec<f32>>) = match v {
                        Some(v) => {
                            let (w, x) = v.into_iter().unzip();
                            (Some(w), Some(x))
                        }
                        None => (None, None),
                    };
                    b.push_bind(words).push_bind(weights);
                }
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&to.pool).await?;
        done += batch.len() as u64;
        progress("articles", done, total);
    }
    for chunk in links.chunks(5000) {
        let (ids, heads): (Vec<i64>, Vec<i64>) = chunk.iter().copied().unzip();
        sqlx::query(
            "UPDATE articles SET copy_of = l.head FROM unnest($1::bigint[], $2::bigint[]) AS l(id, head) \
             WHERE articles.id = l.id",
        )
        .bind(ids)
        .bind(heads)
        .execute(&to.pool)
        .await?;
    }
    Ok(())
}

async fn copy_uploads(from: &SqliteStore, to: &PgStore, progress: Progress<'_>) -> Result<()> {
    let names = from.upload_names().await?;
    let total = names.len() as u64;
    progress("uploads", 0, total);
    for (i, name) in names.iter().enumerate() {
        if let Some(bytes) = from.upload(name).await? {
            to.put_upload(name, &bytes).await?;
        }
        progress("uploads", i as u64 + 1, total);
    }
    Ok(())
}
