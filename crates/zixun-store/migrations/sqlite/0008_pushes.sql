-- Each story's URL as announced to a search engine, once per engine (see src/push.rs).
CREATE TABLE pushes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    target     TEXT NOT NULL,
    article_id INTEGER NOT NULL,
    url        TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'pushed', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    queued_at  INTEGER NOT NULL,
    next_at    INTEGER NOT NULL,
    tried_at   INTEGER,
    result     TEXT,
    remain     INTEGER,
    UNIQUE (target, article_id)
);
CREATE INDEX pushes_due ON pushes (target, state, next_at);

-- How far the push log has read the change feed: one row.
CREATE TABLE push_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
