-- The newsroom's article list, newest change first: read in this order and stopped at the
-- page's end, instead of every article sorted (a second at 100k articles). All articles by
-- update time; and by their state in the workflow (imported and fed articles have none: their
-- status says published or draft), so that a filter with few matches (草稿 among 100k fed
-- articles) does not read the whole list.
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_state ON articles (
    COALESCE(workflow, CASE status WHEN 'published' THEN 'published' ELSE 'draft' END), updated_at DESC, id DESC
);
