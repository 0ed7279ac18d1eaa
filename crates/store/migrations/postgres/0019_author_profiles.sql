-- Authors' profiles, edited in the desk and shown on their pages: a short
-- biography, a photo from the media library (its hash) and links, one a
-- line.
ALTER TABLE authors ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN photo TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN links TEXT NOT NULL DEFAULT '';
