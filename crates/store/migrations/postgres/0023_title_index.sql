-- Headline words for the desk's list: a trigram index over lower-cased
-- titles, which the list's LIKE '%word%' filters use instead of reading
-- every story of the site (BENCHMARKS.md, issue 13). pg_trgm ships with
-- PostgreSQL and is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX articles_title_trgm ON articles USING gin (LOWER(title) gin_trgm_ops);
