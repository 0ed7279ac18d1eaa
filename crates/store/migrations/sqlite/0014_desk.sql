-- The desk (core::desk): every save of a story is a numbered version with
-- its revision (the whole set of fields, as JSON), so that two editors'
-- saves are merged against the version both started from and no save
-- silently overwrites another.
--
-- A story's desk status is read from status and workflow: a draft may be
-- 'submitted' for review, a story taken down is 'unpublished' (answered
-- with 410 Gone); a published story with a publish time ahead is scheduled.
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN workflow TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN embargo_until TEXT;
ALTER TABLE articles ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN canonical_url TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES members(id) ON DELETE SET NULL;
CREATE INDEX articles_desk_modified ON articles (site_id, modified_at, id);

CREATE TABLE article_revisions (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    member_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    note        TEXT NOT NULL DEFAULT '',
    fields      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (article_id, version)
);

-- Who has a story open in the editor, refreshed while they do.
CREATE TABLE desk_presence (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (article_id, member_id)
);
