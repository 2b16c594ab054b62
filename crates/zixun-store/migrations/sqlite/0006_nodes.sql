-- Login attempts per account and per address, counted before the password is checked.
CREATE TABLE login_attempts (
    key     TEXT PRIMARY KEY,
    count   INTEGER NOT NULL,
    last_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sources_due ON sources (next_fetch_at);
