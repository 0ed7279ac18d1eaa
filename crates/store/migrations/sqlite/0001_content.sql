-- Sites, sections, articles, authors, tags, images, search and cache events.
CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    publisher   TEXT NOT NULL,
    tagline     TEXT NOT NULL DEFAULT '',
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TEXT NOT NULL
);

CREATE TABLE sections (
    id        INTEGER PRIMARY KEY,
    site_id   INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    slug      TEXT NOT NULL,
    name      TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (site_id, slug)
);

CREATE TABLE images (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    widths      TEXT NOT NULL,
    ext         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE authors (
    id    INTEGER PRIMARY KEY,
    slug  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL
);

CREATE TABLE tags (
    id       INTEGER PRIMARY KEY,
    site_id  INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    slug     TEXT NOT NULL,
    name     TEXT NOT NULL,
    UNIQUE (site_id, slug)
);

CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    section_id     INTEGER NOT NULL REFERENCES sections(id),
    slug           TEXT NOT NULL,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    dateline       TEXT NOT NULL DEFAULT '',
    body_markdown  TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    body_text      TEXT NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    copyright      TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at   TEXT NOT NULL,
    updated_at     TEXT,
    featured       BOOLEAN NOT NULL DEFAULT FALSE,
    breaking       BOOLEAN NOT NULL DEFAULT FALSE,
    image_id       INTEGER REFERENCES images(id),
    image_caption  TEXT NOT NULL DEFAULT '',
    image_credit   TEXT NOT NULL DEFAULT '',
    image_alt      TEXT NOT NULL DEFAULT '',
    origin         TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    modified_at    TEXT NOT NULL,
    UNIQUE (site_id, slug)
);
CREATE INDEX articles_site_published ON articles (site_id, status, published_at);
CREATE INDEX articles_section_published ON articles (section_id, status, published_at);
CREATE INDEX articles_featured_published ON articles (site_id, featured, status, published_at);
CREATE INDEX articles_site_created ON articles (site_id, status, id);

CREATE TABLE article_authors (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES authors(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

CREATE TABLE article_tags (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

-- Full-text search: an external-content FTS5 index kept in step by triggers.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, body_text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, summary, body_text) VALUES (new.id, new.title, new.summary, new.body_text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary, body_text) VALUES ('delete', old.id, old.title, old.summary, old.body_text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, summary, body_text) VALUES ('delete', old.id, old.title, old.summary, old.body_text);
    INSERT INTO articles_fts (rowid, title, summary, body_text) VALUES (new.id, new.title, new.summary, new.body_text);
END;

-- Page-cache invalidations, read by every app server.
CREATE TABLE cache_invalidations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tag         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
