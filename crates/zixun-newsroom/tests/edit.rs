//! The newsroom's one edit path without a web server: a real SQLite store in a temporary
//! folder, the same writer (preparation, 敏感词) as every other write.

use std::sync::Arc;

use zixun_core::{
    SiteClock, TextAnalyzer,
    newsroom::{Actor, Forbidden, Role, Workflow},
};
use zixun_ingest::{
    ArticlePreparer, ArticleWriter, ImageLocalizer, ImportRecord, SensitiveWords,
    feed::{FeedFetcher, FeedPoller, FetchPolicy},
};
use zixun_newsroom::{EditError, EditRequest, Newsroom, NewsroomConfig, apply_edit, hash_password, visible_article};
use zixun_store::{Backend, OpenOptions};

async fn newsroom(dir: &std::path::Path) -> Newsroom {
    let store: Arc<dyn Backend> = zixun_store::open(None, dir, &OpenOptions::default()).await.expect("store");
    let words_file = dir.join("words.txt");
    std::fs::write(&words_file, "禁发词 block\n").expect("words");
    let preparer = ArticlePreparer {
        analyzer: Arc::new(TextAnalyzer::new(None).expect("analyzer")),
        clock: SiteClock::shanghai(),
        max_body_bytes: 1 << 20,
        words: Arc::new(SensitiveWords::open(words_file).expect("word list")),
    };
    let fetcher = || FeedFetcher::new(FetchPolicy::default()).expect("fetcher");
    let images = Arc::new(ImageLocalizer::new(fetcher(), store.clone(), 1 << 20, None));
    let poller = Arc::new(FeedPoller::new(store.clone(), fetcher(), preparer.clone(), images));
    let writer = ArticleWriter::new(store.clone(), preparer);
    Newsroom::new(store, writer, None, poller, NewsroomConfig::default())
}

async fn actor(nr: &Newsroom, name: &str, role: Role) -> Actor {
    let hash = hash_password("a long enough password").expect("hash");
    let user = nr.store.add_user(name, role, &hash).await.expect("user");
    Actor { user_id: user.id, name: user.name, role }
}

fn request(id: Option<i64>, title: &str, body: &str, wanted: Workflow) -> EditRequest {
    EditRequest {
        id,
        record: ImportRecord { title: title.into(), body: Some(body.into()), ..ImportRecord::default() },
        wanted,
        publish_at: None,
        markdown: Some(body.into()),
        restores: None,
    }
}

#[tokio::test]
async fn an_authors_story_goes_out_through_an_editor_with_its_revisions_and_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let nr = newsroom(dir.path()).await;
    let author = actor(&nr, "李记者", Role::Author).await;
    let editor = actor(&nr, "王编辑", Role::Editor).await;

    // An author's "publish" is a submission; the article is theirs and not out.
    let (id, state) =
        apply_edit(&nr, &author, request(None, "社区食堂开业", "首批可容纳八十人。", Workflow::Published))
            .await
            .expect("submit");
    assert_eq!(state, Workflow::Submitted);
    let a = visible_article(&nr, &author, id).await.expect("their own");
    assert_eq!((a.workflow, a.owner_id), (Workflow::Submitted, Some(author.user_id)));

    // The editor publishes it: the 责任编辑 is the editor, and it stays the author's.
    let (_, state) =
        apply_edit(&nr, &editor, request(Some(id), "社区食堂开业", "首批可容纳一百人。", Workflow::Published))
            .await
            .expect("publish");
    assert_eq!(state, Workflow::Published);
    let a = nr.store.article(id).await.expect("read").expect("stored");
    assert_eq!((a.credits.editor.as_deref(), a.owner_id), (Some("王编辑"), Some(author.user_id)));

    // Out, it is the editors' now.
    let late = apply_edit(&nr, &author, request(Some(id), "改", "改。", Workflow::Draft)).await;
    assert!(matches!(late, Err(EditError::Forbidden(Forbidden::PublishedByAuthor))), "{late:?}");

    // A block word: refused with the field, nothing changed, the refusal audited.
    let blocked =
        apply_edit(&nr, &editor, request(Some(id), "社区食堂开业", "正文有禁发词。", Workflow::Published)).await;
    assert!(matches!(blocked, Err(EditError::Blocked { field: "body", .. })), "{blocked:?}");
    let a = nr.store.article(id).await.expect("read").expect("stored");
    assert!(a.body_text.contains("一百人"), "the live text is untouched");

    let revisions = nr.store.revisions(id).await.expect("revisions");
    assert_eq!(revisions.len(), 2, "the submission and the publication");
    let log: Vec<String> = nr
        .store
        .audit_log(10)
        .await
        .expect("log")
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.user_name))
        .collect();
    assert_eq!(log, vec!["block 王编辑", "publish 王编辑", "submit 李记者"]);
}
