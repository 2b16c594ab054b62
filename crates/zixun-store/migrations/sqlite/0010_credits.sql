-- 转载 credits: the original's title and author, and the 责任编辑 who published it.
ALTER TABLE articles ADD COLUMN original_title TEXT;
ALTER TABLE articles ADD COLUMN original_author TEXT;
ALTER TABLE articles ADD COLUMN editor TEXT;
