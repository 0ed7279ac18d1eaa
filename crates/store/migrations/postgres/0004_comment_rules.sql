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
-- The moderation queue is per site: comments carry their article's site,
-- and the queue's tabs read small partial indexes by site. The (status, id)
-- index of 0003 is dropped: it looked selective to SQLite's planner, which
-- then scanned every visible comment to find a page's replies.
ALTER TABLE comments ADD COLUMN site_id BIGINT NOT NULL DEFAULT 0;
UPDATE comments SET site_id = (SELECT a.site_id FROM articles a WHERE a.id = comments.article_id);
DROP INDEX comments_queue;
CREATE INDEX comments_pending ON comments (site_id, id) WHERE status = 'pending';
CREATE INDEX comments_rejected ON comments (site_id, id) WHERE status = 'rejected';
CREATE INDEX comments_flagged ON comments (site_id, id) WHERE flags > 0;
CREATE INDEX comments_site ON comments (site_id, id);
