-- The desk's list over a million stories (BENCHMARKS.md, issue 13): a
-- status filter walks only that status in order of last change, and the
-- list by publish time walks publish times, instead of reading and
-- sorting every story of the site.
CREATE INDEX articles_desk_status ON articles (site_id, status, modified_at, id);
CREATE INDEX articles_desk_published ON articles (site_id, published_at, id);
