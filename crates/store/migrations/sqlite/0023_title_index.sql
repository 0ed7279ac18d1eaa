-- Headline words for the desk's list: an FTS5 index over titles alone.
-- The search index (articles_fts) holds bodies too, so a word common in
-- bodies but rare in headlines made its whole list be read; over titles
-- alone the lists are short (BENCHMARKS.md, issue 13).
CREATE VIRTUAL TABLE titles_fts USING fts5(
    title,
    content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO titles_fts (titles_fts) VALUES ('rebuild');
CREATE TRIGGER titles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO titles_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO titles_fts (titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON articles BEGIN
    INSERT INTO titles_fts (titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO titles_fts (rowid, title) VALUES (new.id, new.title);
END;
