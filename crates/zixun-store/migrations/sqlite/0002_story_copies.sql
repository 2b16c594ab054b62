-- One story, one entry: near-duplicates (SimHash within a few bits) point at the story's head.
ALTER TABLE articles ADD COLUMN copy_of INTEGER REFERENCES articles (id) ON DELETE SET NULL;
-- The SimHash cut into four 16-bit bands: two hashes within 3 bits share at least one band.
ALTER TABLE articles ADD COLUMN band0 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN band1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN band2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN band3 INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET band0 = simhash & 65535, band1 = (simhash >> 16) & 65535,
                    band2 = (simhash >> 32) & 65535, band3 = (simhash >> 48) & 65535;
CREATE INDEX articles_band0 ON articles (band0);
CREATE INDEX articles_band1 ON articles (band1);
CREATE INDEX articles_band2 ON articles (band2);
CREATE INDEX articles_band3 ON articles (band3);
CREATE INDEX articles_copy_of ON articles (copy_of) WHERE copy_of IS NOT NULL;
