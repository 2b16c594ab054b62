//! The SQLite store on a real file: upserts, `seq`, lists, views, corpus statistics.

use std::collections::HashMap;

use zixun_core::{ArticleDraft, ArticleStatus};
use zixun_store::{Cursor, ListFilter, SqliteStore, Store, UpsertOutcome};

fn draft(ext: Option<&str>, url: Option<&str>, title: &str, at: i64) -> ArticleDraft {
    ArticleDraft {
        id: None,
        ext_id: ext.map(String::from),
        title: title.into(),
        author: Some("作者".into()),
        source_name: url.map(|_| "某报".into()),
        source_url: url.map(String::from),
        original: url.is_none(),
        category: Some("科技".into()),
        tags: vec!["芯片".into()],
        published_at: at,
        published_at_given: true,
        body_html: "<p>正文</p>".into(),
        body_text: "正文".into(),
        summary: "正文".into(),
        keywords: vec!["芯片".into(), "算力".into()],
        term_vector: vec![("芯片".into(), 0.8), ("算力".into(), 0.6)],
        simhash: u64::MAX - 1,
        status: ArticleStatus::Published,
        owner_id: None,
        workflow: None,
        publish_at: None,
    }
}

#[tokio::test]
async fn upserts_bump_seq_and_never_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("z.db")).await.expect("open");
    assert_eq!(store.max_seq().await.expect("seq"), 0);
    let out = store
        .upsert(&[draft(Some("a"), None, "一", 100), draft(None, Some("https://e.com/b"), "二", 200)])
        .await
        .expect("upsert");
    assert!(matches!(out[..], [UpsertOutcome::Inserted(_), UpsertOutcome::Inserted(_)]));
    assert_eq!(store.max_seq().await.expect("seq"), 2);
    // Same id, same url: updates, each with a new seq.
    let again = store
        .upsert(&[draft(Some("a"), None, "一（更新）", 100), draft(None, Some("https://e.com/b"), "二（更新）", 200)])
        .await
        .expect("upsert");
    assert_eq!(again, vec![UpsertOutcome::Updated(out[0].id()), UpsertOutcome::Updated(out[1].id())]);
    assert_eq!(store.count_published().await.expect("count"), 2);
    let changes = store.changes_since(2, 10).await.expect("changes");
    assert_eq!(changes.iter().map(|a| a.seq).collect::<Vec<_>>(), vec![3, 4]);
    let a = store.article(out[0].id()).await.expect("get").expect("exists");
    assert_eq!(a.title, "一（更新）");
    assert_eq!(a.simhash, u64::MAX - 1, "64-bit SimHash survives the i64 column");
    assert_eq!(a.tags, vec!["芯片"]);
}

#[tokio::test]
async fn lists_page_by_cursor_and_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("z.db")).await.expect("open");
    let drafts: Vec<ArticleDraft> =
        (0..5).map(|i| draft(Some(&format!("x{i}")), None, &format!("第{i}篇"), 1000 + i)).collect();
    store.upsert(&drafts).await.expect("upsert");
    let first = store.list(&ListFilter::All, None, 2).await.expect("list");
    assert_eq!(first.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), vec!["第4篇", "第3篇"]);
    let last = first.last().expect("item");
    let cursor = Cursor { published_at: last.published_at, id: last.id };
    assert_eq!(store.list(&ListFilter::All, Some(cursor), 10).await.expect("list").len(), 3);
    assert_eq!(Cursor::decode(&Cursor { published_at: 5, id: 7 }.encode()), Some(Cursor { published_at: 5, id: 7 }));
    assert_eq!(Cursor::decode("garbage"), None);
    assert_eq!(store.list(&ListFilter::Term("算力".into()), None, 10).await.expect("term").len(), 5);
    assert_eq!(store.list(&ListFilter::Category("体育".into()), None, 10).await.expect("cat").len(), 0);
    assert_eq!(store.categories().await.expect("cats"), vec![("科技".to_string(), 5)]);
}

#[tokio::test]
async fn views_and_document_frequencies_add_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("z.db")).await.expect("open");
    let id = store.upsert(&[draft(Some("v"), None, "浏览", 1)]).await.expect("upsert")[0].id();
    store.add_views(10, &HashMap::from([(id, 3), (999_999, 5)])).await.expect("views");
    store.add_views(10, &HashMap::from([(id, 2)])).await.expect("views");
    store.add_views(11, &HashMap::from([(id, 1)])).await.expect("views");
    assert_eq!(store.article(id).await.expect("get").expect("exists").views, 6);
    let mut hourly: Vec<(i64, i64)> =
        store.hourly_views_since(0).await.expect("hourly").iter().map(|h| (h.hour, h.views)).collect();
    hourly.sort_unstable();
    assert_eq!(hourly, vec![(10, 5), (11, 1)], "views of unknown articles are dropped");
    store.add_corpus_terms(2, &HashMap::from([("芯片".to_string(), 2)])).await.expect("df");
    store.add_corpus_terms(1, &HashMap::from([("芯片".to_string(), 1), ("算力".to_string(), 1)])).await.expect("df");
    let corpus = store.corpus_stats().await.expect("corpus");
    assert_eq!((corpus.docs, corpus.df["芯片"], corpus.df["算力"]), (3, 3, 1));
}

#[tokio::test]
async fn scheduled_articles_go_out_at_their_time_by_a_test_clock() {
    use zixun_core::newsroom::{Role, Workflow};
    use zixun_store::NewsroomStore;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("z.db")).await.expect("open");
    let owner = store.add_user("王编辑", Role::Editor, "$argon2id$x").await.expect("user");
    // The same story, syndicated, already out: the scheduled original takes it over when it goes
    // out (not before: a draft is in no story).
    let syndicated =
        store.upsert(&[draft(None, Some("https://other.example/1"), "转载稿", 4_000)]).await.expect("upsert")[0].id();
    let mut d = draft(Some("s1"), None, "定时稿", 5_000);
    d.status = ArticleStatus::Draft;
    d.workflow = Some(Workflow::Scheduled);
    d.publish_at = Some(5_000);
    d.owner_id = Some(owner.id);
    let id = store.upsert(&[d]).await.expect("upsert")[0].id();
    let seq_before = store.max_seq().await.expect("seq");
    assert_eq!(store.count_published().await.expect("count"), 1);
    assert_eq!(store.article(syndicated).await.expect("get").expect("exists").copy_of, None);
    assert_eq!(store.publish_due(4_999).await.expect("due"), Vec::<i64>::new(), "a second early: nothing");
    assert_eq!(store.publish_due(5_000).await.expect("due"), vec![id]);
    let a = store.article(id).await.expect("get").expect("exists");
    assert_eq!((a.status, a.workflow, a.published_at), (ArticleStatus::Published, Workflow::Published, 5_000));
    assert!(a.seq > seq_before, "the index and caches hear of it through seq");
    assert_eq!(a.owner_id, Some(owner.id));
    assert_eq!(a.copy_of, None, "the original heads its story");
    let copy = store.article(syndicated).await.expect("get").expect("exists");
    assert_eq!(copy.copy_of, Some(id), "the syndicated copy now points at it");
    assert_eq!(store.publish_due(9_999).await.expect("due"), Vec::<i64>::new(), "only once");
}

#[tokio::test]
async fn sessions_expire_when_idle_and_tokens_when_revoked() {
    use zixun_core::newsroom::Role;
    use zixun_store::{NewsroomStore, StoreError};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("z.db")).await.expect("open");
    let u = store.add_user("作者甲", Role::Author, "hash").await.expect("user");
    assert!(matches!(store.add_user("作者甲", Role::Editor, "hash").await, Err(StoreError::Conflict(_))));
    store.create_session("s", u.id, "csrf", 1_000).await.expect("session");
    assert!(store.session("s", 1_500, 600).await.expect("get").is_some());
    // Seen at 1,500 (more than a minute after 1,000): idle from then on.
    assert!(store.session("s", 2_000, 600).await.expect("get").is_some());
    assert!(store.session("s", 2_700, 600).await.expect("get").is_none(), "idle past the limit");
    assert!(store.session("s", 2_701, 600).await.expect("get").is_none(), "and deleted");
    let t = store.add_token(u.id, "th", Some("cms"), 1_000).await.expect("token");
    assert_eq!(store.token_user("th", 1_001).await.expect("get").map(|u| u.name), Some("作者甲".into()));
    assert!(store.revoke_token(t, 1_002).await.expect("revoke"));
    assert!(!store.revoke_token(t, 1_003).await.expect("revoke"), "already revoked");
    assert!(store.token_user("th", 1_004).await.expect("get").is_none());
    // Disabling ends sessions.
    store.create_session("s2", u.id, "csrf", 3_000).await.expect("session");
    assert!(store.set_disabled("作者甲", true).await.expect("disable"));
    assert!(store.session("s2", 3_001, 600).await.expect("get").is_none());
}
