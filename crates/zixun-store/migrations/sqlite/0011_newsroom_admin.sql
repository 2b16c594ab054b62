-- A source an editor paused is not fetched until it is resumed.
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
-- What kind of failure the last error was: a stable code the newsroom puts in words.
ALTER TABLE sources ADD COLUMN last_error_code TEXT;

-- Editor-placed slots (推荐位): 头条, 幻灯 and 推荐, site-wide (category '') or per category.
-- Each item is an article or an outside link (跳转), shown between its start and end times.
CREATE TABLE slot_items (
    id          INTEGER PRIMARY KEY,
    slot        TEXT NOT NULL CHECK (slot IN ('headline', 'carousel', 'recommended')),
    category    TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    article_id  INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    link_url    TEXT,
    link_title  TEXT,
    starts_at   INTEGER,
    ends_at     INTEGER,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    CHECK ((article_id IS NULL) <> (link_url IS NULL))
);
CREATE INDEX slot_items_place ON slot_items (slot, category, position);
