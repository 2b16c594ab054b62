-- Outlets whose feeds zixun polls (feeds in).
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    url           TEXT NOT NULL UNIQUE,
    category      TEXT,
    interval_secs INTEGER NOT NULL CHECK (interval_secs > 0),
    created_at    INTEGER NOT NULL,
    -- Validators for conditional GET.
    etag          TEXT,
    last_modified TEXT,
    -- The last attempt and its outcome ('ok', 'not modified', or 'error').
    last_fetch_at INTEGER,
    last_status   TEXT,
    last_error    TEXT,
    -- Entries stored (new or updated) over the source's life; failed fetches over its life.
    items         INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0,
    -- Failures in a row, for backoff; when the next attempt is due.
    failures      INTEGER NOT NULL DEFAULT 0,
    next_fetch_at INTEGER NOT NULL DEFAULT 0
);
