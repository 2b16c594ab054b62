-- Articles, the change sequence, views and corpus statistics.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('seq', 0), ('corpus_docs', 0);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    ext_id       TEXT UNIQUE,
    title        TEXT NOT NULL,
    author       TEXT,
    source_name  TEXT,
    source_url   TEXT,
    original     INTEGER NOT NULL DEFAULT 0,
    category     TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    published_at INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    body_html    TEXT NOT NULL,
    body_text    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    keywords     TEXT NOT NULL DEFAULT '[]',
    simhash      INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('published', 'draft')),
    views        INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL UNIQUE
);
CREATE INDEX articles_source_url ON articles (source_url) WHERE source_url IS NOT NULL;
CREATE INDEX articles_newest ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_category ON articles (category, status, published_at DESC, id DESC);
CREATE INDEX articles_source ON articles (source_name, status, published_at DESC, id DESC);
CREATE INDEX articles_author ON articles (author, status, published_at DESC, id DESC);
CREATE INDEX articles_views ON articles (status, views DESC);

-- Keywords and tags of each article, for /tag/{word}.
CREATE TABLE article_terms (
    term       TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (term, article_id)
) WITHOUT ROWID;
CREATE INDEX article_terms_article ON article_terms (article_id);

-- Views per article and hour (Unix hour), for time-decayed popularity.
CREATE TABLE article_views_hourly (
    article_id INTEGER NOT NULL,
    hour       INTEGER NOT NULL,
    views      INTEGER NOT NULL,
    PRIMARY KEY (hour, article_id)
) WITHOUT ROWID;

-- Document frequencies of keyword candidates over the site's corpus (IDF for keywords).
CREATE TABLE term_df (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
) WITHOUT ROWID;
