-- The newsroom: accounts, sessions, API tokens, the audit log, and articles' owners and workflow.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('author', 'editor', 'admin')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Only hashes of session and API tokens are kept: a copy of the database opens no account.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    user_id    INTEGER,
    user_name  TEXT NOT NULL,
    action     TEXT NOT NULL,
    article_id INTEGER,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

-- Who wrote an article in the newsroom (NULL for imports and feeds), where it stands in the
-- workflow (NULL: it simply follows status), and when a scheduled one goes out.
ALTER TABLE articles ADD COLUMN owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE articles ADD COLUMN workflow TEXT;
ALTER TABLE articles ADD COLUMN publish_at INTEGER;
-- The Markdown an editor wrote (body_html is what it renders to), for the next edit.
ALTER TABLE articles ADD COLUMN body_markdown TEXT;
CREATE INDEX articles_scheduled ON articles (publish_at) WHERE workflow = 'scheduled';
CREATE INDEX articles_workflow ON articles (workflow, updated_at DESC) WHERE workflow IS NOT NULL;
CREATE INDEX articles_owner ON articles (owner_id, updated_at DESC) WHERE owner_id IS NOT NULL;
