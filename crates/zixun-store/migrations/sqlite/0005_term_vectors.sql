-- 相关内容: each article's term vector, JSON [[term, weight], ...] of unit length.
-- NULL for articles written before it existed, until a web node computes it from their text.
ALTER TABLE articles ADD COLUMN term_vector TEXT;
