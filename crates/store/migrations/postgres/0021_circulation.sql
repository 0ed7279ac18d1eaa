-- Network circulation: a story shown on a sister site too is a copy there
-- (its own section and address, its canonical link the original's), kept
-- in step with the original on every save. `circulated_from` names the
-- original; the desk refuses edits to a copy itself.
ALTER TABLE articles ADD COLUMN circulated_from BIGINT REFERENCES articles(id) ON DELETE CASCADE;
CREATE INDEX articles_circulated_from ON articles (circulated_from) WHERE circulated_from IS NOT NULL;
