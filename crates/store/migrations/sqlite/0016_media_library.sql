-- The desk's media library: what an image is called and the caption,
-- credit and alt text it brings to a story by default; who uploaded it.
ALTER TABLE images ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN credit TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN alt TEXT NOT NULL DEFAULT '';
ALTER TABLE images ADD COLUMN uploaded_by INTEGER REFERENCES members(id) ON DELETE SET NULL;
CREATE INDEX images_created ON images (created_at, id);
