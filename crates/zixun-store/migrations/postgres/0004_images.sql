-- The cover image of an article (the one given, else the first image of its body).
ALTER TABLE articles ADD COLUMN cover TEXT;

-- Download a source's entry images and serve them as the site's own uploads.
ALTER TABLE sources ADD COLUMN localize_images BOOLEAN NOT NULL DEFAULT FALSE;
