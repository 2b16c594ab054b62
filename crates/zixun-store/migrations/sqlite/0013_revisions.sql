-- Revisions: what an article said after each save by a person (the editor, the API), the last
-- `revisions_kept` of each article. `content` is the editor form's fields as JSON.
CREATE TABLE article_revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    user_name  TEXT NOT NULL,
    action     TEXT NOT NULL,
    content    TEXT NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id DESC);
