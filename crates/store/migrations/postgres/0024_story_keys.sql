-- The API key a story was made with, if it was: an author's key edits
-- and takes down the stories it added, as an author does on the desk.
ALTER TABLE articles ADD COLUMN created_by_key BIGINT REFERENCES api_keys(id) ON DELETE SET NULL;
