-- A story's tags keep the order they were given in: the first is its
-- primary tag (Ghost's primary_tag), as the first author leads the byline.
ALTER TABLE article_tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
