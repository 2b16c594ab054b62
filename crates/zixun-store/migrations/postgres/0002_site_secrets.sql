-- Keys that sign what the server issues (the login form's CSRF token), one value for every node.
CREATE TABLE site_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
