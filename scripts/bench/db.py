#!/usr/bin/env python3
"""Read-only look-ups in a Kawaraban SQLite file for scripts/bench.sh.

  db.py count DB SITE        published articles of SITE made by `generate`
  db.py paths DB SITE N      N random article paths (/<section>/<slug>) of SITE
  db.py posted DB RUN_ID     comments of a post_comments.py run: rows, distinct texts
  db.py count_of DB PATH     an article's stored comment count and its visible comments
"""
import random
import sqlite3
import sys


def connect(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def main():
    cmd, path, site = sys.argv[1], sys.argv[2], sys.argv[3]
    db = connect(path)
    if cmd == "posted":
        (rows, distinct) = db.execute(
            "SELECT count(*), count(DISTINCT body_markdown) FROM comments WHERE body_markdown LIKE ?",
            (f"Load test {site} comment %",),
        ).fetchone()
        print(rows, distinct)
        return
    if cmd == "count_of":
        section, slug = site.strip("/").split("/")
        stored, visible = db.execute(
            "SELECT a.comment_count, (SELECT count(*) FROM comments c WHERE c.article_id = a.id "
            "AND c.status = 'visible') FROM articles a JOIN sections s ON s.id = a.section_id "
            "WHERE s.slug = ? AND a.slug = ?",
            (section, slug),
        ).fetchone()
        print(stored, visible)
        return
    (site_id,) = db.execute("SELECT id FROM sites WHERE key = ?", (site,)).fetchone() or (None,)
    if site_id is None:
        if cmd == "count":
            print(0)
        return
    if cmd == "count":
        (n,) = db.execute(
            "SELECT count(*) FROM articles WHERE site_id = ? AND origin = 'generate'", (site_id,)
        ).fetchone()
        print(n)
    elif cmd == "paths":
        want = int(sys.argv[4])
        lo, hi = db.execute(
            "SELECT min(id), max(id) FROM articles WHERE site_id = ? AND status = 'published'", (site_id,)
        ).fetchone()
        rng = random.Random(2026)
        found = {}
        for _ in range(20):
            if len(found) >= want or lo is None:
                break
            ids = [rng.randint(lo, hi) for _ in range(want * 2)]
            marks = ",".join("?" * len(ids))
            rows = db.execute(
                f"SELECT a.id, s.slug, a.slug FROM articles a JOIN sections s ON s.id = a.section_id "
                f"WHERE a.site_id = ? AND a.status = 'published' AND a.id IN ({marks})",
                [site_id, *ids],
            ).fetchall()
            for aid, section, slug in rows:
                found.setdefault(aid, f"/{section}/{slug}")
        for p in list(found.values())[:want]:
            print(p)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
