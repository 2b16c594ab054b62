//! One conformance suite for every backend: each test runs on a real SQLite file and, with
//! `ZIXUN_TEST_DATABASE_URL` set, on a fresh PostgreSQL database that it creates and drops.
//!
//! The PostgreSQL half is `#[ignore]`d so that `cargo test --workspace` needs no server;
//! `.ci/run` runs it with `-- --ignored postgres::`, where an unset variable or an unreachable
//! server fails the test instead of skipping it.

mod common;

use std::collections::{HashMap, HashSet};

use common::{TestDb, draft};

use zixun_core::slot::{NewSlotItem, Slot, SlotTarget};
use zixun_core::{
    ArticleStatus, ArticleSummary, AuditNote,
    newsroom::{Role, Workflow},
};
use zixun_store::{
    AdminFilter, Backend, Cursor, FetchRecord, FetchStatus, ListFilter, Neighbours, NewAudit, NewSource, PushRecord,
    PushState, SlotStore, SourceStore, StoreError, UpsertOutcome,
};

/// Runs each named test on both backends.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::common::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
                async fn $name() {
                    let db = crate::common::TestDb::postgres().await;
                    super::$name(&db).await;
                    db.drop().await;
                }
            )*
        }
    };
}

conformance!(
    upserts_number_only_real_changes,
    copies_join_their_story_and_adoption_moves_the_feed,
    lists_page_by_cursor_and_filter,
    reads_in_the_order_asked,
    views_add_up_in_totals_and_hours,
    new_articles_count_towards_the_corpus_in_the_same_write,
    term_vectors_follow_the_feed_without_moving_it,
    markdown_and_audit_commit_with_the_article,
    scheduled_articles_go_out_once_with_their_audit_entry,
    accounts_sessions_and_tokens,
    login_attempts_are_counted_before_the_check,
    a_site_secret_is_one_value_for_every_node,
    sources_are_claimed_by_one_poller,
    each_story_is_queued_once_per_engine_and_sent_by_one_node,
    uploads_are_kept_by_name,
    concurrent_writers_never_make_a_follower_skip,
    a_cover_and_credits_are_kept_and_their_change_is_a_change,
    the_last_admin_stays_an_enabled_admin,
    a_paused_source_is_not_claimed_and_an_edit_keeps_its_history,
    slot_items_keep_their_order_in_their_own_slot,
    the_dashboard_sums_views_and_output,
    each_save_by_a_person_keeps_a_revision,
    a_word_note_is_audited_without_a_revision_and_the_workflow_is_found_by_key,
);

async fn a_cover_and_credits_are_kept_and_their_change_is_a_change(db: &TestDb) {
    let store = db.backend.as_ref();
    let mut d = draft(Some("c"), None, "有图", 100);
    d.cover = Some("/uploads/0123456789abcdef0123456789abcdef-1600x900.jpg".into());
    let id = store.upsert(std::slice::from_ref(&d)).await.expect("upsert")[0].id();
    let a = store.article(id).await.expect("get").expect("exists");
    assert_eq!(a.cover, d.cover);
    let listed = store.list(&ListFilter::All, None, 10).await.expect("list");
    assert_eq!(listed[0].cover, d.cover, "lists carry the cover (thumbnails)");
    assert_eq!(store.upsert(std::slice::from_ref(&d)).await.expect("again")[0], UpsertOutcome::Unchanged(id));
    let seq = store.max_seq().await.expect("seq");
    d.cover = Some("https://img.example/b.jpg".into());
    assert_eq!(store.upsert(std::slice::from_ref(&d)).await.expect("new cover")[0], UpsertOutcome::Updated(id));
    assert_eq!(store.max_seq().await.expect("seq"), seq + 1, "a new cover is a change");
    d.cover = None;
    store.upsert(std::slice::from_ref(&d)).await.expect("no cover");
    assert_eq!(store.article(id).await.expect("get").expect("exists").cover, None);
    // The 转载 credits are kept, and a change of them alone is a change too.
    d.credits = zixun_core::Credits {
        original_title: Some("原来的标题".into()),
        original_author: Some("李明".into()),
        editor: Some("王宁".into()),
    };
    let seq = store.max_seq().await.expect("seq");
    assert_eq!(store.upsert(std::slice::from_ref(&d)).await.expect("credits")[0], UpsertOutcome::Updated(id));
    assert_eq!(store.article(id).await.expect("get").expect("exists").credits, d.credits);
    assert_eq!(store.upsert(std::slice::from_ref(&d)).await.expect("again")[0], UpsertOutcome::Unchanged(id));
    d.credits.editor = Some("张华".into());
    store.upsert(&[d]).await.expect("new editor");
    assert_eq!(store.max_seq().await.expect("seq"), seq + 2);
}

async fn upserts_number_only_real_changes(db: &TestDb) {
    let store = db.backend.as_ref();
    assert_eq!(store.max_seq().await.expect("seq"), 0);
    let out = store
        .upsert(&[draft(Some("a"), None, "一", 100), draft(None, Some("https://e.com/b"), "二", 200)])
        .await
        .expect("upsert");
    assert!(matches!(out[..], [UpsertOutcome::Inserted(_), UpsertOutcome::Inserted(_)]));
    assert_eq!(store.max_seq().await.expect("seq"), 2);
    // The same drafts again change nothing: no seq moves (a feed polled again, an import run
    // twice), so a follower is never left behind by a change that is not there.
    let same = store
        .upsert(&[draft(Some("a"), None, "一", 100), draft(None, Some("https://e.com/b"), "二", 200)])
        .await
        .expect("upsert");
    assert_eq!(same, vec![UpsertOutcome::Unchanged(out[0].id()), UpsertOutcome::Unchanged(out[1].id())]);
    assert_eq!(store.max_seq().await.expect("seq"), 2, "an unchanged write is not a change");
    // A mix: one changed, one not — one new seq.
    let again = store
        .upsert(&[draft(Some("a"), None, "一（更新）", 100), draft(None, Some("https://e.com/b"), "二", 200)])
        .await
        .expect("upsert");
    assert_eq!(again, vec![UpsertOutcome::Updated(out[0].id()), UpsertOutcome::Unchanged(out[1].id())]);
    assert_eq!(store.max_seq().await.expect("seq"), 3);
    let changes = store.changes_since(2, 10).await.expect("changes");
    assert_eq!(changes.iter().map(|a| (a.id, a.seq)).collect::<Vec<_>>(), vec![(out[0].id(), 3)]);
    assert_eq!(store.count_published().await.expect("count"), 2);
    let a = store.article(out[0].id()).await.expect("get").expect("exists");
    assert_eq!(a.title, "一（更新）");
    assert_eq!(a.simhash, u64::MAX - 1, "64-bit SimHash survives the i64 column");
    assert_eq!(a.tags, vec!["芯片"]);
    assert_eq!(a.keywords, vec!["芯片", "算力"]);
    // Unpublishing is a change too.
    let mut gone = draft(Some("a"), None, "一（更新）", 100);
    gone.status = ArticleStatus::Draft;
    gone.workflow = Some(Workflow::Unpublished);
    store.upsert(&[gone]).await.expect("unpublish");
    assert_eq!(store.max_seq().await.expect("seq"), 4);
    assert_eq!(store.changes_since(3, 10).await.expect("changes")[0].status, ArticleStatus::Draft);
    assert_eq!(store.count_published().await.expect("count"), 1);
    assert!(store.article(999_999).await.expect("get").is_none());
}

async fn copies_join_their_story_and_adoption_moves_the_feed(db: &TestDb) {
    let store = db.backend.as_ref();
    // A syndicated copy arrives first and heads the story; then another copy within 3 bits.
    let first = store.upsert(&[draft(None, Some("https://a.example/1"), "转载甲", 10_000)]).await.expect("a")[0].id();
    let mut near = draft(None, Some("https://b.example/1"), "转载乙", 10_100);
    near.simhash ^= 0b101;
    let second = store.upsert(&[near]).await.expect("b")[0].id();
    assert_eq!(store.article(second).await.expect("get").expect("b").copy_of, Some(first));
    assert_eq!(store.list(&ListFilter::All, None, 10).await.expect("list").len(), 1, "copies are not listed");
    let before = store.max_seq().await.expect("seq");
    // The original arrives: it takes the story over, and both earlier rows move the feed.
    let original = store.upsert(&[draft(Some("orig"), None, "原创", 10_200)]).await.expect("o")[0].id();
    let changes = store.changes_since(before, 10).await.expect("changes");
    let changed: HashSet<i64> = changes.iter().map(|a| a.id).collect();
    assert_eq!(changed, HashSet::from([first, second, original]), "adopted rows are changes");
    assert!(changes.iter().all(|a| a.id == original || a.copy_of == Some(original)));
    assert_eq!(store.max_seq().await.expect("seq"), before + 3);
    let listed: Vec<i64> = store.list(&ListFilter::All, None, 10).await.expect("list").iter().map(|a| a.id).collect();
    assert_eq!(listed, vec![original]);
    // Far in time: not the same story.
    let later = store.upsert(&[draft(Some("later"), None, "一月后", 10_000 + 40 * 86_400)]).await.expect("l")[0].id();
    assert_eq!(store.article(later).await.expect("get").expect("l").copy_of, None);
}

async fn lists_page_by_cursor_and_filter(db: &TestDb) {
    let store = db.backend.as_ref();
    let drafts: Vec<_> = (0..5)
        .map(|i| {
            let mut d = draft(Some(&format!("x{i}")), None, &format!("第{i}篇"), 1000 + i);
            d.simhash = (i as u64 + 1) * 0x1111_1111_1111_1111;
            if i == 0 {
                d.author = Some("记者乙".into());
                d.source_name = Some("某台".into());
            }
            d
        })
        .collect();
    store.upsert(&drafts).await.expect("upsert");
    let first = store.list(&ListFilter::All, None, 2).await.expect("list");
    assert_eq!(first.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), vec!["第4篇", "第3篇"]);
    let last = first.last().expect("item");
    let cursor = Cursor { published_at: last.published_at, id: last.id };
    assert_eq!(store.list(&ListFilter::All, Some(cursor), 10).await.expect("list").len(), 3);
    // 上一篇/下一篇: the nearest on either side, never the article itself.
    let title = |s: Option<ArticleSummary>| s.map(|s| s.title);
    let around = store.neighbours(&ListFilter::Category("科技".into()), cursor).await.expect("neighbours");
    assert_eq!((title(around.older), title(around.newer)), (Some("第2篇".into()), Some("第4篇".into())));
    let oldest = store.list(&ListFilter::All, None, 10).await.expect("list").pop().expect("item");
    let from_oldest = Cursor { published_at: oldest.published_at, id: oldest.id };
    let first = store.neighbours(&ListFilter::All, from_oldest).await.expect("neighbours");
    assert_eq!((title(first.older), title(first.newer)), (None, Some("第1篇".into())));
    let none = store.neighbours(&ListFilter::Category("体育".into()), from_oldest).await.expect("neighbours");
    assert_eq!(none, Neighbours::default());
    assert_eq!(Cursor::decode(&Cursor { published_at: 5, id: 7 }.encode()), Some(Cursor { published_at: 5, id: 7 }));
    assert_eq!(Cursor::decode("garbage"), None);
    assert_eq!(store.list(&ListFilter::Term("算力".into()), None, 10).await.expect("term").len(), 5);
    assert_eq!(store.list(&ListFilter::Category("体育".into()), None, 10).await.expect("cat").len(), 0);
    assert_eq!(store.list(&ListFilter::Category("科技".into()), None, 10).await.expect("cat").len(), 5);
    assert_eq!(store.list(&ListFilter::Author("记者乙".into()), None, 10).await.expect("author").len(), 1);
    assert_eq!(store.list(&ListFilter::Source("某台".into()), None, 10).await.expect("source").len(), 1);
    assert_eq!(store.categories().await.expect("cats"), vec![("科技".to_string(), 5)]);
    let months = store.published_months().await.expect("months");
    assert_eq!(months.iter().map(|(m, n, _)| (m.as_str(), *n)).collect::<Vec<_>>(), vec![("1970-01", 5)]);
    let between = store.published_between(1001, 1003, 10).await.expect("between");
    assert_eq!(between.len(), 2);
    let counts = store.term_counts(0, 2000).await.expect("terms");
    assert_eq!((counts["芯片"], counts["算力"]), (5, 5));
    assert!(store.term_counts(2000, 3000).await.expect("terms").is_empty());
}

async fn reads_in_the_order_asked(db: &TestDb) {
    let store = db.backend.as_ref();
    let mut a = draft(Some("r1"), None, "甲", 1);
    a.simhash = 1;
    let mut b = draft(Some("r2"), None, "乙", 2);
    b.simhash = u64::MAX / 3;
    let ids: Vec<i64> = store.upsert(&[a, b]).await.expect("upsert").iter().map(|o| o.id()).collect();
    let asked = [ids[1], 424_242, ids[0]];
    let got: Vec<i64> = store.summaries(&asked).await.expect("summaries").iter().map(|s| s.id).collect();
    assert_eq!(got, vec![ids[1], ids[0]]);
    let got: Vec<i64> = store.articles(&asked).await.expect("articles").iter().map(|s| s.id).collect();
    assert_eq!(got, vec![ids[1], ids[0]]);
    let bodies = store.body_texts(&ids).await.expect("bodies");
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[&ids[0]], "正文");
    assert!(store.summaries(&[]).await.expect("empty").is_empty());
    assert!(store.body_texts(&[]).await.expect("empty").is_empty());
    // Summaries with the texts of some of them, in one query.
    let (got, texts) = store.summaries_with_texts(&asked, &[ids[0], 424_242]).await.expect("with texts");
    assert_eq!(got.iter().map(|s| s.id).collect::<Vec<_>>(), vec![ids[1], ids[0]]);
    assert_eq!(texts, HashMap::from([(ids[0], "正文".to_string())]));
    let (got, texts) = store.summaries_with_texts(&asked, &[]).await.expect("no texts");
    assert_eq!((got.len(), texts.len()), (2, 0));
}

async fn views_add_up_in_totals_and_hours(db: &TestDb) {
    let store = db.backend.as_ref();
    let id = store.upsert(&[draft(Some("v"), None, "浏览", 1)]).await.expect("upsert")[0].id();
    let seq = store.max_seq().await.expect("seq");
    store.add_views(10, &HashMap::from([(id, 3), (999_999, 5)])).await.expect("views");
    store.add_views(10, &HashMap::from([(id, 2)])).await.expect("views");
    store.add_views(11, &HashMap::from([(id, 1)])).await.expect("views");
    assert_eq!(store.article(id).await.expect("get").expect("exists").views, 6);
    // Hours 10 and 11 counted once each: every view, and none of the unknown article's;
    // hour 10 alone (11 past the weights): its 5.
    assert_eq!(
        store.decayed_views(10, &[1.0, 1.0], 5).await.expect("views"),
        vec![(id, 6.0)],
        "views of unknown articles are dropped"
    );
    assert_eq!(store.decayed_views(10, &[1.0], 5).await.expect("views"), vec![(id, 5.0)]);
    assert_eq!(store.decayed_views(11, &[0.5], 5).await.expect("views"), vec![(id, 0.5)]);
    assert!(store.decayed_views(12, &[1.0], 5).await.expect("views").is_empty(), "no views in hour 12");
    assert_eq!(
        store.most_viewed(5).await.expect("most").iter().map(|s| (s.id, s.views)).collect::<Vec<_>>(),
        vec![(id, 6)]
    );
    assert_eq!(store.max_seq().await.expect("seq"), seq, "views are not changes");
    // Ranked by the weighted sum, ties the newer id first, cut to the limit.
    let other = store.upsert(&[draft(Some("v2"), None, "浏览二", 2)]).await.expect("upsert")[0].id();
    store.add_views(11, &HashMap::from([(other, 4)])).await.expect("views");
    let weighed = |w: Vec<f64>, limit| async move { store.decayed_views(10, &w, limit).await.expect("views") };
    assert_eq!(weighed(vec![1.0, 1.0], 5).await, vec![(id, 6.0), (other, 4.0)]);
    assert_eq!(weighed(vec![0.1, 1.0], 5).await, vec![(other, 4.0), (id, 1.5)]);
    assert_eq!(weighed(vec![0.0, 0.5], 5).await, vec![(other, 2.0), (id, 0.5)]);
    assert_eq!(weighed(vec![0.2, 0.0], 1).await, vec![(id, 1.0)]);
    assert_eq!(weighed(vec![0.0, 0.0], 5).await.iter().map(|v| v.0).collect::<Vec<_>>(), vec![other, id]);
}

async fn new_articles_count_towards_the_corpus_in_the_same_write(db: &TestDb) {
    let store = db.backend.as_ref();
    let mut a = draft(Some("c1"), None, "甲", 1);
    a.doc_terms = vec!["芯片".into()];
    let mut b = draft(Some("c2"), None, "乙", 2);
    b.simhash = 12345;
    b.doc_terms = vec!["芯片".into(), "算力".into()];
    store.upsert(&[a.clone(), b]).await.expect("upsert");
    // An update counts nothing again.
    a.title = "甲（改）".into();
    store.upsert(&[a]).await.expect("update");
    let corpus = store.corpus_stats().await.expect("corpus");
    assert_eq!((corpus.docs, corpus.df["芯片"], corpus.df["算力"]), (2, 2, 1));
}

async fn term_vectors_follow_the_feed_without_moving_it(db: &TestDb) {
    let store = db.backend.as_ref();
    let mut bare = draft(Some("t1"), None, "无向量", 1);
    bare.term_vector.clear();
    let with = draft(Some("t2"), Some("https://x.example/2"), "有向量", 2);
    let ids: Vec<i64> = store.upsert(&[bare, with]).await.expect("upsert").iter().map(|o| o.id()).collect();
    let rows = store.term_vectors_since(0, 10).await.expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].vector, None);
    assert_eq!(rows[1].vector.as_deref(), Some(&[("芯片".to_string(), 0.8), ("算力".to_string(), 0.6)][..]));
    assert_eq!(rows[1].source_name.as_deref(), Some("某报"));
    assert!(rows.iter().all(|r| r.published && r.tags == vec!["芯片"]));
    let seq = store.max_seq().await.expect("seq");
    store.set_term_vectors(&[(ids[0], vec![("向量".into(), 1.0)])]).await.expect("set");
    assert_eq!(store.max_seq().await.expect("seq"), seq, "a computed vector is not a change");
    assert_eq!(store.term_vectors_since(0, 1).await.expect("rows")[0].vector, Some(vec![("向量".to_string(), 1.0)]));
    assert!(store.term_vectors_since(seq, 10).await.expect("rows").is_empty());
}

async fn markdown_and_audit_commit_with_the_article(db: &TestDb) {
    let store = db.backend.as_ref();
    let user = store.add_user("编辑丙", Role::Editor, "hash").await.expect("user");
    let note = |action: &str| AuditNote {
        user_id: Some(user.id),
        user_name: user.name.clone(),
        action: action.into(),
        detail: "《稿》".into(),
    };
    let mut d = draft(Some("newsroom:1"), None, "稿", 1);
    d.owner_id = Some(user.id);
    d.workflow = Some(Workflow::Draft);
    d.status = ArticleStatus::Draft;
    d.body_markdown = Some("**正文**".into());
    d.audit = Some(note("create"));
    let id = store.upsert(&[d.clone()]).await.expect("create")[0].id();
    assert_eq!(store.markdown(id).await.expect("md").as_deref(), Some("**正文**"));
    // Saved again unchanged: nothing written, no audit entry either.
    d.audit = Some(note("edit"));
    store.upsert(&[d.clone()]).await.expect("same");
    // An import-style write without Markdown keeps the stored Markdown.
    d.title = "稿（改）".into();
    d.body_markdown = None;
    store.upsert(&[d]).await.expect("edit");
    assert_eq!(store.markdown(id).await.expect("md").as_deref(), Some("**正文**"));
    let log = store.audit_log(10).await.expect("log");
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["edit", "create"]);
    assert!(log.iter().all(|e| e.article_id == Some(id) && e.user_name == "编辑丙"));
    store
        .audit(&NewAudit {
            at: 5,
            user_id: None,
            user_name: "x".into(),
            action: "login_failed".into(),
            article_id: None,
            detail: "from 127.0.0.1".into(),
        })
        .await
        .expect("audit");
    assert_eq!(store.audit_log(1).await.expect("log").len(), 1);
    let rows = store.admin_articles(AdminFilter { owner_id: Some(user.id), workflow: None }, 10).await.expect("admin");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].title.as_str(), rows[0].owner_name.as_deref()), ("稿（改）", Some("编辑丙")));
    let drafts = store.admin_articles(AdminFilter { owner_id: None, workflow: Some(Workflow::Published) }, 10);
    assert!(drafts.await.expect("admin").is_empty());
}

async fn scheduled_articles_go_out_once_with_their_audit_entry(db: &TestDb) {
    let store = db.backend.as_ref();
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
    let by =
        AuditNote {
            user_id: None, user_name: "定时发布".into(), action: "publish".into(), detail: "scheduled".into()
        };
    assert_eq!(store.publish_due(4_999, &by).await.expect("due"), Vec::<i64>::new(), "a second early: nothing");
    assert_eq!(store.max_seq().await.expect("seq"), seq_before, "nothing due: no change");
    // Two schedulers at once (two nodes): one publishes, the other finds nothing.
    let other = db.second().await;
    let (a, b) = tokio::join!(store.publish_due(5_000, &by), other.publish_due(5_000, &by));
    let mut published = a.expect("due");
    published.extend(b.expect("due"));
    assert_eq!(published, vec![id], "published exactly once");
    let a = store.article(id).await.expect("get").expect("exists");
    assert_eq!((a.status, a.workflow, a.published_at), (ArticleStatus::Published, Workflow::Published, 5_000));
    assert!(a.seq > seq_before, "the index and caches hear of it through seq");
    assert_eq!(a.owner_id, Some(owner.id));
    assert_eq!(a.copy_of, None, "the original heads its story");
    let copy = store.article(syndicated).await.expect("get").expect("exists");
    assert_eq!(copy.copy_of, Some(id), "the syndicated copy now points at it");
    assert!(copy.seq > seq_before, "and its adoption is a change too");
    assert_eq!(store.publish_due(9_999, &by).await.expect("due"), Vec::<i64>::new(), "only once");
    let log = store.audit_log(10).await.expect("log");
    assert_eq!(log.iter().filter(|e| e.action == "publish" && e.article_id == Some(id)).count(), 1);
    other.close().await;
}

async fn accounts_sessions_and_tokens(db: &TestDb) {
    let store = db.backend.as_ref();
    let u = store.add_user("作者甲", Role::Author, "hash").await.expect("user");
    assert!(matches!(store.add_user("作者甲", Role::Editor, "hash").await, Err(StoreError::Conflict(_))));
    assert_eq!(store.user_by_name("作者甲").await.expect("get").map(|u| u.role), Some(Role::Author));
    assert!(store.user_by_name("无此人").await.expect("get").is_none());
    store.add_user("管理员", Role::Admin, "hash").await.expect("admin");
    assert_eq!(store.users().await.expect("users").len(), 2);
    store.create_session("s", u.id, "csrf", 1_000).await.expect("session");
    assert_eq!(
        store.session("s", 1_500, 600).await.expect("get").map(|(u, c)| (u.name, c)),
        Some(("作者甲".into(), "csrf".into()))
    );
    // Seen at 1,500 (more than a minute after 1,000): idle from then on.
    assert!(store.session("s", 2_000, 600).await.expect("get").is_some());
    assert!(store.session("s", 2_700, 600).await.expect("get").is_none(), "idle past the limit");
    assert!(store.session("s", 2_701, 600).await.expect("get").is_none(), "and deleted");
    let t = store.add_token(u.id, "th", Some("cms"), 1_000).await.expect("token");
    assert_eq!(store.token_user("th", 1_001).await.expect("get").map(|u| u.name), Some("作者甲".into()));
    assert_eq!(store.tokens().await.expect("tokens")[0].last_used_at, Some(1_001));
    assert!(store.revoke_token(t, 1_002).await.expect("revoke"));
    assert!(!store.revoke_token(t, 1_003).await.expect("revoke"), "already revoked");
    assert!(store.token_user("th", 1_004).await.expect("get").is_none());
    // A new password ends sessions; so does disabling.
    store.create_session("s2", u.id, "csrf", 3_000).await.expect("session");
    assert!(store.set_password("作者甲", "hash2").await.expect("password"));
    assert!(store.session("s2", 3_001, 600).await.expect("get").is_none());
    store.create_session("s3", u.id, "csrf", 3_000).await.expect("session");
    store.delete_session("s3").await.expect("logout");
    assert!(store.session("s3", 3_001, 600).await.expect("get").is_none());
    store.create_session("s4", u.id, "csrf", 3_000).await.expect("session");
    assert!(store.set_disabled("作者甲", true).await.expect("disable"));
    assert!(store.session("s4", 3_001, 600).await.expect("get").is_none());
    assert!(!store.set_disabled("无此人", true).await.expect("disable"));
}

async fn a_site_secret_is_one_value_for_every_node(db: &TestDb) {
    let other = db.second().await;
    // Two nodes start at once, each with its own random candidate: both get the same secret.
    let (a, b) =
        tokio::join!(db.backend.site_secret("login_csrf", &[1; 32]), other.site_secret("login_csrf", &[2; 32]));
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a, b);
    assert!(a == [1; 32] || a == [2; 32], "one of the candidates: {a:?}");
    assert_eq!(db.backend.site_secret("login_csrf", &[3; 32]).await.expect("again"), a, "kept");
    assert_eq!(db.backend.site_secret("other", &[4; 32]).await.expect("other"), vec![4; 32], "secrets by name");
    other.close().await;
}

async fn login_attempts_are_counted_before_the_check(db: &TestDb) {
    let store = db.backend.as_ref();
    let keys = ["user:甲".to_string(), "addr:10.0.0.1".to_string()];
    // Fifty guesses at once, from two connections: each is counted exactly once.
    let other = db.second().await;
    let mut counts = Vec::new();
    let (a, b) = tokio::join!(
        async {
            let mut v = Vec::new();
            for _ in 0..25 {
                v.push(store.login_attempt(&keys, 1_000, 900).await.expect("attempt"));
            }
            v
        },
        async {
            let mut v = Vec::new();
            for _ in 0..25 {
                v.push(other.login_attempt(&keys, 1_000, 900).await.expect("attempt"));
            }
            v
        }
    );
    counts.extend(a);
    counts.extend(b);
    counts.sort_unstable();
    assert_eq!(counts, (1..=50).collect::<Vec<u32>>(), "no two attempts see the same count");
    other.close().await;
    // A success clears the account and takes back one attempt of the address.
    store.login_succeeded("user:甲", "addr:10.0.0.1").await.expect("ok");
    assert_eq!(store.login_attempt(&["user:甲".to_string()], 1_001, 900).await.expect("attempt"), 1);
    assert_eq!(store.login_attempt(&["addr:10.0.0.1".to_string()], 1_001, 900).await.expect("attempt"), 50);
    // The window passes: counting starts again.
    assert_eq!(store.login_attempt(&keys, 1_001 + 901, 900).await.expect("attempt"), 1);
}

async fn each_story_is_queued_once_per_engine_and_sent_by_one_node(db: &TestDb) {
    let store = db.backend.as_ref();
    assert_eq!(store.push_cursor().await.expect("cursor"), None, "never read the feed");
    let items = vec![(1, "https://site.example/a/1".to_string()), (2, "https://site.example/a/2".to_string())];
    assert_eq!(store.queue_pushes(&["baidu", "indexnow"], &items, 7, 1_000).await.expect("queue"), 4);
    assert_eq!(store.push_cursor().await.expect("cursor"), Some(7));
    // Seen again (an edit, or a second node reading the same changes): nothing new, and the
    // cursor never goes back.
    assert_eq!(store.queue_pushes(&["baidu", "indexnow"], &items[..1], 5, 1_100).await.expect("queue"), 0);
    assert_eq!(store.push_cursor().await.expect("cursor"), Some(7));
    // Two nodes claim at once: each entry goes to one of them.
    let other = db.second().await;
    let (x, y) = tokio::join!(store.claim_pushes("baidu", 1_000, 60, 10), other.claim_pushes("baidu", 1_000, 60, 10));
    let (x, y) = (x.expect("claim"), y.expect("claim"));
    let mut urls: Vec<&str> = x.iter().chain(&y).map(|p| p.url.as_str()).collect();
    urls.sort_unstable();
    assert_eq!(urls, vec!["https://site.example/a/1", "https://site.example/a/2"]);
    assert!(store.claim_pushes("baidu", 1_030, 60, 10).await.expect("claim").is_empty(), "leased");
    // A failed attempt waits for its retry; a lease whose node died expires.
    let ids: Vec<i64> = x.iter().chain(&y).map(|p| p.id).collect();
    let retry =
        PushRecord { at: 1_010, state: PushState::Pending, next_at: 1_200, result: "HTTP 503".into(), remain: None };
    store.record_pushes(&ids, &retry).await.expect("record");
    assert!(store.claim_pushes("baidu", 1_100, 60, 10).await.expect("claim").is_empty(), "not due");
    let again = store.claim_pushes("baidu", 1_200, 60, 1).await.expect("claim");
    assert_eq!((again.len(), again[0].attempts, again[0].result.as_deref()), (1, 1, Some("HTTP 503")));
    let done =
        PushRecord { at: 1_210, state: PushState::Pushed, next_at: 1_210, result: "success 1".into(), remain: Some(9) };
    store.record_pushes(&[again[0].id], &done).await.expect("record");
    let log = store.push_log(10).await.expect("log");
    assert_eq!(log.len(), 4);
    assert!(log.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let pushed = log.iter().find(|p| p.id == again[0].id).expect("entry");
    assert_eq!(
        (pushed.state, pushed.attempts, pushed.remain, pushed.tried_at),
        (PushState::Pushed, 2, Some(9), Some(1_210))
    );
    // The other engine's entries are its own.
    assert_eq!(store.claim_pushes("indexnow", 1_000, 60, 10).await.expect("claim").len(), 2);
}

async fn sources_are_claimed_by_one_poller(db: &TestDb) {
    let store = db.backend.as_ref();
    let new = |name: &str, url: &str| NewSource {
        name: name.into(),
        url: url.into(),
        category: Some("财经".into()),
        interval_secs: 600,
        localize_images: name == "乙报",
    };
    let a = store.add_source(&new("甲报", "https://a.example/rss")).await.expect("add");
    let b = store.add_source(&new("乙报", "https://b.example/rss")).await.expect("add");
    assert!(matches!(store.add_source(&new("甲报", "https://c.example/rss")).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.sources().await.expect("list").len(), 2);
    assert_eq!(store.source("https://b.example/rss").await.expect("get").map(|s| s.id), Some(b.id));
    assert!(b.localize_images && !a.localize_images, "the image setting is kept");
    // Both due; two pollers claim at once: each source goes to exactly one of them.
    let other = db.second().await;
    let (x, y) = tokio::join!(store.claim_due(1_000, 300, 10), other.claim_due(1_000, 300, 10));
    let mut claimed: Vec<i64> = x.expect("claim").iter().chain(y.expect("claim").iter()).map(|s| s.id).collect();
    claimed.sort_unstable();
    assert_eq!(claimed, vec![a.id, b.id]);
    assert!(store.claim_due(1_100, 300, 10).await.expect("claim").is_empty(), "claimed: not due");
    // A claim whose poller died expires.
    assert_eq!(store.claim_due(1_300, 300, 1).await.expect("claim").len(), 1);
    store
        .record_fetch(
            a.id,
            &FetchRecord {
                at: 1_400,
                status: FetchStatus::Error { code: "http_status", message: "HTTP status 500".into() },
                etag: Some("\"e1\"".into()),
                last_modified: None,
                stored: 0,
                next_fetch_at: 2_000,
            },
        )
        .await
        .expect("record");
    let s = store.source("甲报").await.expect("get").expect("exists");
    assert_eq!((s.failures, s.errors, s.last_status.as_deref(), s.next_fetch_at), (1, 1, Some("error"), 2_000));
    assert_eq!((s.etag.as_deref(), s.last_error.as_deref()), (Some("\"e1\""), Some("HTTP status 500")));
    assert_eq!(s.last_error_code.as_deref(), Some("http_status"));
    store
        .record_fetch(
            a.id,
            &FetchRecord {
                at: 2_000,
                status: FetchStatus::Ok,
                etag: None,
                last_modified: None,
                stored: 3,
                next_fetch_at: 2_600,
            },
        )
        .await
        .expect("record");
    let s = store.source("甲报").await.expect("get").expect("exists");
    assert_eq!((s.failures, s.errors, s.items, s.etag.as_deref()), (0, 1, 3, Some("\"e1\"")));
    assert!(store.remove_source("甲报").await.expect("remove"));
    assert!(!store.remove_source("甲报").await.expect("remove"));
    other.close().await;
}

async fn uploads_are_kept_by_name(db: &TestDb) {
    let store = db.backend.as_ref();
    let name = "0123456789abcdef0123456789abcdef.png";
    assert!(store.upload(name).await.expect("get").is_none());
    store.put_upload(name, b"\x89PNG\r\n\x1a\nbytes").await.expect("put");
    store.put_upload(name, b"\x89PNG\r\n\x1a\nbytes").await.expect("put again");
    assert_eq!(store.upload(name).await.expect("get").as_deref(), Some(&b"\x89PNG\r\n\x1a\nbytes"[..]));
    assert_eq!(store.upload_names().await.expect("names"), vec![name.to_string()]);
}

/// Four writers in two pools (PostgreSQL: separate connections, as two processes would have)
/// and a follower that reads `seq > last` while they write: the follower must see every
/// article, never skipping one whose transaction committed late.
async fn concurrent_writers_never_make_a_follower_skip(db: &TestDb) {
    let other = db.second().await;
    let writers: Vec<&dyn Backend> = vec![db.backend.as_ref(), other.as_ref(), db.backend.as_ref(), other.as_ref()];
    let done = std::sync::atomic::AtomicBool::new(false);
    let write_all = async {
        let jobs = writers.iter().enumerate().map(|(w, store)| async move {
            for batch in 0..10 {
                let drafts: Vec<_> = (0..5)
                    .map(|i| {
                        let n = (w * 1000 + batch * 10 + i) as u64;
                        let mut d =
                            draft(Some(&format!("w{w}-{batch}-{i}")), None, &format!("稿{n}"), 1_000 + n as i64);
                        d.simhash = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                        d
                    })
                    .collect();
                store.upsert(&drafts).await.expect("upsert");
            }
        });
        futures_util::future::join_all(jobs).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let follow = async {
        let mut seen = HashSet::new();
        let mut last = 0;
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            let batch = db.backend.changes_since(last, 7).await.expect("changes");
            for a in &batch {
                assert!(a.seq > last, "the feed goes forward");
                last = a.seq;
                seen.insert(a.id);
            }
            if batch.is_empty() {
                if finished {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        seen
    };
    let ((), seen) = tokio::join!(write_all, follow);
    assert_eq!(seen.len(), 200, "the follower saw every article");
    assert_eq!(db.backend.max_seq().await.expect("seq"), 200);
    other.close().await;
}

/// Nodes started together on an empty database: one applies the migrations under the advisory
/// lock, the others wait; each migration is recorded once.
#[tokio::test]
#[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
async fn postgres_migrations_run_once_when_nodes_start_together() {
    let db = common::EmptyDatabase::on_test_server().await;
    let url = db.url();
    let options = zixun_store::OpenOptions::default();
    let dir = std::path::PathBuf::from(".");
    let (a, b, c) = tokio::join!(
        zixun_store::open(Some(&url), &dir, &options),
        zixun_store::open(Some(&url), &dir, &options),
        zixun_store::open(Some(&url), &dir, &options)
    );
    for node in [a, b, c] {
        let node = node.expect("every node starts");
        assert_eq!(node.max_seq().await.expect("seq"), 0);
        node.close().await;
    }
    let applied = db.scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").await;
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).expect("dir").count();
    assert_eq!(applied, files as i64, "each migration once");
    db.drop().await;
}

/// A commit wakes the other nodes' followers through NOTIFY, well before their poll would.
#[tokio::test]
#[ignore = "needs PostgreSQL: set ZIXUN_TEST_DATABASE_URL and run with --ignored"]
async fn postgres_a_commit_wakes_the_other_nodes() {
    let db = TestDb::postgres().await;
    let other = db.second().await;
    // The listener connects on the first wait.
    other.wait_for_change(std::time::Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let (_, ()) = tokio::join!(
        async {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            db.backend.upsert(&[draft(Some("n1"), None, "通知", 1)]).await.expect("upsert");
        },
        other.wait_for_change(std::time::Duration::from_secs(30))
    );
    let waited = started.elapsed();
    assert!(waited < std::time::Duration::from_secs(10), "woken by the commit, not the 30 s timeout: {waited:?}");
    other.close().await;
    db.drop().await;
}

async fn the_last_admin_stays_an_enabled_admin(db: &TestDb) {
    let store = db.backend.as_ref();
    store.add_user("总编", Role::Admin, "hash").await.expect("admin");
    store.add_user("副总编", Role::Admin, "hash").await.expect("admin");
    store.add_user("编辑", Role::Editor, "hash").await.expect("editor");
    assert!(store.set_role("副总编", Role::Editor).await.expect("demote one of two"));
    // Now the last: neither demoted nor disabled, and nothing changed.
    assert!(matches!(store.set_role("总编", Role::Author).await, Err(StoreError::LastAdmin)));
    assert!(matches!(store.set_disabled("总编", true).await, Err(StoreError::LastAdmin)));
    let chief = store.user_by_name("总编").await.expect("get").expect("exists");
    assert_eq!((chief.role, chief.disabled), (Role::Admin, false));
    assert!(store.set_role("编辑", Role::Admin).await.expect("promote"));
    assert!(store.set_disabled("总编", true).await.expect("another admin remains"));
    assert!(!store.set_role("无此人", Role::Editor).await.expect("no such user"));
    // Two admins demoting each other at once: one of them stays.
    store.set_disabled("总编", false).await.expect("enable");
    let other = db.second().await;
    let (a, b) = tokio::join!(store.set_role("总编", Role::Editor), other.set_role("编辑", Role::Editor));
    assert!(a.is_ok() != b.is_ok(), "exactly one demotion goes through: {a:?} {b:?}");
    let admins = store.users().await.expect("users").into_iter().filter(|u| u.role == Role::Admin).count();
    assert_eq!(admins, 1);
    other.close().await;
}

async fn a_paused_source_is_not_claimed_and_an_edit_keeps_its_history(db: &TestDb) {
    let store: &dyn SourceStore = db.backend.as_ref();
    let new = |name: &str, url: &str| NewSource {
        name: name.into(),
        url: url.into(),
        category: None,
        interval_secs: 600,
        localize_images: false,
    };
    let a = store.add_source(&new("甲报", "https://a.example/rss")).await.expect("add");
    let b = store.add_source(&new("乙报", "https://b.example/rss")).await.expect("add");
    let record =
        FetchRecord { at: 10, status: FetchStatus::Ok, etag: None, last_modified: None, stored: 4, next_fetch_at: 0 };
    store.record_fetch(a.id, &record).await.expect("record");
    assert!(store.set_paused(a.id, true, 50).await.expect("pause"));
    let claimed: Vec<i64> = store.claim_due(100, 60, 10).await.expect("claim").iter().map(|s| s.id).collect();
    assert_eq!(claimed, vec![b.id], "a paused source is not fetched");
    // Resumed: due at once.
    assert!(store.set_paused(a.id, false, 200).await.expect("resume"));
    let resumed = store.source_by_id(a.id).await.expect("get").expect("exists");
    assert_eq!((resumed.paused, resumed.next_fetch_at), (false, 200));
    // An edit changes what the operator set and keeps what the fetches counted.
    let edited =
        NewSource {
            category: Some("财经".into()), interval_secs: 1_800, ..new("甲日报", "https://a.example/feed")
        };
    let s = store.update_source(a.id, &edited).await.expect("update").expect("exists");
    assert_eq!(
        (s.name.as_str(), s.url.as_str(), s.category.as_deref(), s.interval_secs),
        ("甲日报", "https://a.example/feed", Some("财经"), 1_800)
    );
    assert_eq!(s.items, 4);
    assert!(matches!(
        store.update_source(a.id, &new("乙报", "https://x.example/")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.update_source(9_999, &edited).await.expect("update").is_none());
    assert!(!store.set_paused(9_999, true, 0).await.expect("pause"));
}

async fn slot_items_keep_their_order_in_their_own_slot(db: &TestDb) {
    let store = db.backend.as_ref();
    let ids: Vec<i64> = store
        .upsert(&[draft(Some("s1"), None, "头条文章", 1_000), draft(Some("s2"), None, "幻灯文章", 1_001)])
        .await
        .expect("upsert")
        .iter()
        .map(|o| o.id())
        .collect();
    let slots: &dyn SlotStore = store;
    let item = |target, category: &str| NewSlotItem {
        slot: Slot::Recommended,
        category: category.into(),
        target,
        starts_at: None,
        ends_at: Some(9_000),
        created_by: "王编辑".into(),
    };
    let first = slots.add_slot_item(&item(SlotTarget::Article { article_id: ids[0] }, ""), 100).await.expect("add");
    let link = SlotTarget::Link { url: "https://x.example/专题".into(), title: "专题".into() };
    let second = slots.add_slot_item(&item(link.clone(), ""), 101).await.expect("add");
    let third = slots.add_slot_item(&item(SlotTarget::Article { article_id: ids[1] }, ""), 102).await.expect("add");
    let other = slots.add_slot_item(&item(SlotTarget::Article { article_id: ids[1] }, "财经"), 103).await.expect("add");
    let order = |all: Vec<zixun_core::slot::SlotItem>| -> Vec<i64> {
        all.into_iter().filter(|i| i.category.is_empty()).map(|i| i.id).collect()
    };
    // Each new item goes to the top of its own slot.
    assert_eq!(order(slots.slot_items().await.expect("items")), vec![third.id, second.id, first.id]);
    let stored = slots.slot_items().await.expect("items").into_iter().find(|i| i.id == second.id).expect("kept");
    assert_eq!((stored.target, stored.ends_at, stored.created_by.as_str()), (link, Some(9_000), "王编辑"));
    assert!(slots.move_slot_item(first.id, true).await.expect("move"));
    assert_eq!(order(slots.slot_items().await.expect("items")), vec![third.id, first.id, second.id]);
    assert!(!slots.move_slot_item(third.id, true).await.expect("move"), "already at the top");
    assert!(slots.move_slot_item(third.id, false).await.expect("move"));
    assert_eq!(order(slots.slot_items().await.expect("items")), vec![first.id, third.id, second.id]);
    assert!(!slots.move_slot_item(9_999, true).await.expect("move"));
    assert_eq!(slots.remove_slot_item(second.id).await.expect("remove").map(|i| i.id), Some(second.id));
    assert!(slots.remove_slot_item(second.id).await.expect("remove").is_none());
    // The category's slot is its own list, untouched by the moves.
    assert!(slots.slot_items().await.expect("items").iter().any(|i| i.id == other.id && i.category == "财经"));
}

async fn the_dashboard_sums_views_and_output(db: &TestDb) {
    let store = db.backend.as_ref();
    let user = store.add_user("记者丁", Role::Author, "hash").await.expect("user");
    let mut mine = draft(Some("d1"), None, "本站稿", 7_200);
    mine.owner_id = Some(user.id);
    let mut early = draft(Some("d0"), None, "更早的本站稿", 100);
    early.owner_id = Some(user.id);
    let fed = draft(Some("d2"), Some("https://example.com/2"), "订阅稿", 7_300);
    let mut held = draft(Some("d3"), None, "草稿", 7_400);
    held.status = ArticleStatus::Draft;
    let ids: Vec<i64> = store.upsert(&[mine, early, fed, held]).await.expect("upsert").iter().map(|o| o.id()).collect();
    store.add_views(1, &HashMap::from([(ids[0], 4), (ids[2], 1)])).await.expect("views");
    store.add_views(2, &HashMap::from([(ids[0], 1), (ids[2], 9)])).await.expect("views");
    store.add_views(3, &HashMap::from([(ids[1], 2)])).await.expect("views");

    assert_eq!(store.views_per_hour(0).await.expect("hours"), vec![(1, 5), (2, 10), (3, 2)]);
    assert_eq!(store.views_per_hour(2).await.expect("hours"), vec![(2, 10), (3, 2)]);
    assert_eq!(store.most_viewed_since(0, 2).await.expect("top"), vec![(ids[2], 10), (ids[0], 5)]);
    assert_eq!(store.most_viewed_since(3, 10).await.expect("top"), vec![(ids[1], 2)]);
    // Published from 7 200 on: the account's one, and one from no account; drafts do not count.
    let mut per_owner = store.published_per_owner(7_200).await.expect("owners");
    per_owner.sort();
    assert_eq!(per_owner, vec![(None, 1), (Some("记者丁".to_string()), 1)]);
    assert_eq!(store.published_per_owner(0).await.expect("owners")[0], (Some("记者丁".to_string()), 2));
}

async fn each_save_by_a_person_keeps_a_revision(db: &TestDb) {
    let store = db.backend.as_ref();
    let by = |action: &str| zixun_core::AuditNote {
        user_id: None,
        user_name: "王编辑".into(),
        action: action.into(),
        detail: String::new(),
    };
    let mut d = draft(Some("rev"), None, "初稿", 100);
    d.body_markdown = Some("第一版。".into());
    d.audit = Some(by("create"));
    let id = store.upsert(std::slice::from_ref(&d)).await.expect("create")[0].id();
    // The same text again is no save; a feed's update (no person) keeps no revision.
    assert!(matches!(store.upsert(std::slice::from_ref(&d)).await.expect("again")[0], UpsertOutcome::Unchanged(_)));
    d.title = "二稿".into();
    d.body_markdown = Some("第二版。".into());
    d.audit = Some(by("edit"));
    store.upsert(std::slice::from_ref(&d)).await.expect("edit");
    d.title = "订阅更新".into();
    d.audit = None;
    store.upsert(std::slice::from_ref(&d)).await.expect("fed");
    let revisions = store.revisions(id).await.expect("revisions");
    let seen: Vec<(&str, &str, &str)> =
        revisions.iter().map(|r| (r.action.as_str(), r.content.title.as_str(), r.content.body.as_str())).collect();
    assert_eq!(seen, [("edit", "二稿", "第二版。"), ("create", "初稿", "第一版。")], "newest first");
    assert!(revisions.iter().all(|r| r.user_name == "王编辑" && r.content.markdown && r.article_id == id));
    assert_eq!(store.revision(revisions[1].id).await.expect("one"), Some(revisions[1].clone()));
    assert_eq!(store.revision(999_999).await.expect("none"), None);
    // Only the last 20 are kept.
    for n in 0..25 {
        d.title = format!("第 {n} 稿");
        d.audit = Some(by("edit"));
        store.upsert(std::slice::from_ref(&d)).await.expect("edit");
    }
    let revisions = store.revisions(id).await.expect("revisions");
    assert_eq!(revisions.len(), zixun_core::revision::DEFAULT_REVISIONS_KEPT as usize);
    assert_eq!(revisions[0].content.title, "第 24 稿");
    assert_eq!(revisions[19].content.title, "第 5 稿");
}

async fn a_word_note_is_audited_without_a_revision_and_the_workflow_is_found_by_key(db: &TestDb) {
    let store = db.backend.as_ref();
    let note = AuditNote {
        user_id: None,
        user_name: "江城快讯".into(),
        action: "hold".into(),
        detail: "《稿》：审核「某词」（正文），待编辑审核".into(),
    };
    let mut held = draft(Some("guid-1"), Some("https://outlet.example/1.html"), "稿", 1);
    held.status = ArticleStatus::Draft;
    held.workflow = Some(Workflow::Submitted);
    held.word_note = Some(note.clone());
    let id = store.upsert(&[held.clone()]).await.expect("held")[0].id();
    let log = store.audit_log(10).await.expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].action.as_str(), log[0].article_id), ("hold", Some(id)));
    assert!(store.revisions(id).await.expect("revisions").is_empty(), "a feed's hold is not a person's save");
    // Polled again unchanged: no write, no second line.
    store.upsert(&[held]).await.expect("again");
    assert_eq!(store.audit_log(10).await.expect("log").len(), 1);
    assert_eq!(store.stored_workflow(Some("guid-1"), None).await.expect("by id"), Some(Workflow::Submitted));
    assert_eq!(
        store.stored_workflow(None, Some("https://outlet.example/1.html")).await.expect("by url"),
        Some(Workflow::Submitted)
    );
    let imported = draft(Some("guid-2"), None, "导入稿", 2);
    store.upsert(&[imported]).await.expect("import");
    assert_eq!(store.stored_workflow(Some("guid-2"), None).await.expect("follows status"), None);
    assert_eq!(store.stored_workflow(Some("nothing"), None).await.expect("none"), None);
    assert_eq!(store.stored_workflow(None, None).await.expect("no key"), None);
    // A refusal repeated at every poll is logged once in the look-back window.
    let refusal = NewAudit {
        at: 1_000_000,
        user_id: None,
        user_name: "江城快讯".into(),
        action: "block".into(),
        article_id: None,
        detail: "《稿》：禁止「某词」（正文），未发布".into(),
    };
    assert!(store.audit_once(&refusal, 0).await.expect("first"));
    assert!(!store.audit_once(&NewAudit { at: 1_000_600, ..refusal.clone() }, 0).await.expect("again"));
    assert!(
        store.audit_once(&NewAudit { at: 1_000_600, ..refusal.clone() }, 1_000_001).await.expect("out of the window")
    );
    let other = NewAudit { detail: "《另一稿》：禁止「某词」（正文），未发布".into(), ..refusal };
    assert!(store.audit_once(&other, 0).await.expect("another"));
    assert_eq!(store.audit_log(10).await.expect("log").len(), 4);
}
