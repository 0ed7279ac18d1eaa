-- The rest of a site's comment rules, the reply-notification choice, and
-- indexes that page top-level comments in order without sorting.
ALTER TABLE sites ADD COLUMN comments_min_interval_secs BIGINT NOT NULL DEFAULT 30;
ALTER TABLE sites ADD COLUMN comments_per_hour BIGINT NOT NULL DEFAULT 20;
ALTER TABLE sites ADD COLUMN comments_max_links BIGINT NOT NULL DEFAULT 2;
ALTER TABLE sites ADD COLUMN comments_banned_words TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN comments_suspect_words TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN comments_spam_threshold BIGINT NOT NULL DEFAULT 5;

ALTER TABLE comments ADD COLUMN notify_replies BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX comments_top ON comments (article_id, parent_id, id);
CREATE INDEX comments_top_liked ON comments (article_id, parent_id, likes, id);
