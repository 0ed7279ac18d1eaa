-- Corrections and update notes on a story (core::model::ArticleNote), as a
-- JSON list read with the article itself: shown at its foot, carried in
-- its NewsArticle JSON-LD, its feeds, the API and webhooks. Empty: none.
ALTER TABLE articles ADD COLUMN notes TEXT NOT NULL DEFAULT '';
