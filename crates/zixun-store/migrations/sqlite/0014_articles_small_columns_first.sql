-- no-transaction
-- The articles table rebuilt with its columns in the order they are read: the small ones that a
-- summary reads first, then the plain text (the copy check reads it), then the HTML, the
-- Markdown and the term vector. A row larger than a page keeps its head in the page and the rest
-- in a chain of overflow pages, which SQLite walks page by page up to the last column asked for:
-- with the bodies in the middle, every summary (a list, a related list, the hot list) read the
-- whole chain. SQLite's way to reorder columns is to copy the table (sqlite.org/lang_altertable,
-- "other kinds of table schema changes"): foreign keys off, so that dropping the old table
-- deletes nothing that points at it, and one transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE articles_reordered (
    id              INTEGER PRIMARY KEY,
    ext_id          TEXT UNIQUE,
    title           TEXT NOT NULL,
    author          TEXT,
    source_name     TEXT,
    source_url      TEXT,
    original        INTEGER NOT NULL DEFAULT 0,
    category        TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    published_at    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('published', 'draft')),
    views           INTEGER NOT NULL DEFAULT 0,
    seq             INTEGER NOT NULL UNIQUE,
    simhash         INTEGER NOT NULL,
    copy_of         INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    band0           INTEGER NOT NULL DEFAULT 0,
    band1           INTEGER NOT NULL DEFAULT 0,
    band2           INTEGER NOT NULL DEFAULT 0,
    band3           INTEGER NOT NULL DEFAULT 0,
    owner_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    workflow        TEXT,
    publish_at      INTEGER,
    cover           TEXT,
    original_title  TEXT,
    original_author TEXT,
    editor          TEXT,
    summary         TEXT NOT NULL,
    keywords        TEXT NOT NULL DEFAULT '[]',
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    body_markdown   TEXT,
    term_vector     TEXT
);
INSERT INTO articles_reordered (
    id, ext_id, title, author, source_name, source_url, original, category, tags, published_at, updated_at,
    status, views, seq, simhash, copy_of, band0, band1, band2, band3, owner_id, workflow, publish_at, cover,
    original_title, original_author, editor, summary, keywords, body_text, body_html, body_markdown, term_vector
)
SELECT
    id, ext_id, title, author, source_name, source_url, original, category, tags, published_at, updated_at,
    status, views, seq, simhash, copy_of, band0, band1, band2, band3, owner_id, workflow, publish_at, cover,
    original_title, original_author, editor, summary, keywords, body_text, body_html, body_markdown, term_vector
FROM articles ORDER BY id;
DROP TABLE articles;
ALTER TABLE articles_reordered RENAME TO articles;
CREATE INDEX articles_source_url ON articles (source_url) WHERE source_url IS NOT NULL;
CREATE INDEX articles_newest ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_category ON articles (category, status, published_at DESC, id DESC);
CREATE INDEX articles_source ON articles (source_name, status, published_at DESC, id DESC);
CREATE INDEX articles_author ON articles (author, status, published_at DESC, id DESC);
CREATE INDEX articles_views ON articles (status, views DESC);
CREATE INDEX articles_band0 ON articles (band0);
CREATE INDEX articles_band1 ON articles (band1);
CREATE INDEX articles_band2 ON articles (band2);
CREATE INDEX articles_band3 ON articles (band3);
CREATE INDEX articles_copy_of ON articles (copy_of) WHERE copy_of IS NOT NULL;
CREATE INDEX articles_scheduled ON articles (publish_at) WHERE workflow = 'scheduled';
CREATE INDEX articles_workflow ON articles (workflow, updated_at DESC) WHERE workflow IS NOT NULL;
CREATE INDEX articles_owner ON articles (owner_id, updated_at DESC) WHERE owner_id IS NOT NULL;
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_state ON articles (
    COALESCE(workflow, CASE status WHEN 'published' THEN 'published' ELSE 'draft' END), updated_at DESC, id DESC
);
COMMIT;
PRAGMA foreign_keys = ON;
