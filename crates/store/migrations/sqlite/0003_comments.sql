-- Comments, votes, flags, member standing, moderation audit log and the
-- comment settings of articles and sites.
ALTER TABLE articles ADD COLUMN comment_mode TEXT NOT NULL DEFAULT 'open';
ALTER TABLE articles ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sites ADD COLUMN comments_close_after_days INTEGER;
ALTER TABLE sites ADD COLUMN comments_premoderate_first INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN comments_of_deleted_members TEXT NOT NULL DEFAULT 'anonymise';

CREATE TABLE comments (
    id                 INTEGER PRIMARY KEY,
    article_id         INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    member_id          INTEGER REFERENCES members(id) ON DELETE SET NULL,
    parent_id          INTEGER REFERENCES comments(id),
    body_markdown      TEXT NOT NULL,
    body_html          TEXT NOT NULL,
    status             TEXT NOT NULL,
    likes              INTEGER NOT NULL DEFAULT 0,
    dislikes           INTEGER NOT NULL DEFAULT 0,
    flags              INTEGER NOT NULL DEFAULT 0,
    spam_score         INTEGER NOT NULL DEFAULT 0,
    moderation_reason  TEXT NOT NULL DEFAULT '',
    submit_key         TEXT,
    created_at         TEXT NOT NULL,
    edited_at          TEXT,
    UNIQUE (member_id, submit_key)
);
CREATE INDEX comments_article ON comments (article_id, status, id);
CREATE INDEX comments_parent ON comments (parent_id, id);
CREATE INDEX comments_member ON comments (member_id, id);
CREATE INDEX comments_queue ON comments (status, id);

CREATE TABLE comment_votes (
    comment_id  INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    value       INTEGER NOT NULL,
    PRIMARY KEY (comment_id, member_id)
);

CREATE TABLE comment_flags (
    comment_id  INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (comment_id, member_id)
);

CREATE TABLE member_standing (
    member_id    INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT 'active',
    until        TEXT,
    premoderate  BOOLEAN NOT NULL DEFAULT FALSE,
    reason       TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (created_at);
