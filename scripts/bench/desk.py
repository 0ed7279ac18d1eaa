#!/usr/bin/env python3
"""The newsroom desk's client for scripts/bench.sh (the `desk` group).

  desk.py pick DB SITE N OUTDIR
      Reads the data (read-only) for the list's filters and writes
      OUTDIR/filters.json (a section, the commonest author, a common and a
      rare tag, a common headline word and two or three rare ones, a week of
      publish times, with how many stories each matches) and
      OUTDIR/editor-paths.txt (N random stories' editor paths).
  desk.py drafts BASE HOST COOKIE N RUN_ID SECTION
      Creates N drafts (POST /desk/stories, intent=save). Prints JSON.
  desk.py once BASE HOST COOKIE PATHS_FILE
      Each path once, one after another on one connection. Prints JSON: the
      statuses and the latency summary over all of them.
  desk.py seq BASE HOST COOKIE N PATHS_FILE
      Each path N times (or as many as 10 s allow, at least 3), one request
      after another on one connection (the service time without queueing).
      Prints JSON: per path median, p99, max, status, rows on the page, the
      "Older stories" link.
  desk.py drafts_count DB SITE
      How many drafts (not submitted) the site has.
  desk.py publish_drafts BASE HOST COOKIE DB SITE
      Publishes the drafts earlier runs of `drafts` left (slugs
      desk-bench-draft-*), through the editor, so that every run measures
      the draft filter over the same number of drafts. Prints JSON.
  desk.py saves BASE HOST COOKIE IDS PER_STORY RUN_ID
      For each story id (comma-separated): opens the editor once, then saves
      it PER_STORY times one after another, each from the version the last
      save's redirect named (?saved=N), the body changed each time.
      Timed from sending the POST to its 303. Prints JSON.
  desk.py publish BASE HOST COOKIE N RUN_ID SECTION
      N times: a reader asks for the new story's address first (a 404), then
      a new story is created and published in one POST (intent=publish), and
      its public page is asked for without the cookie until it answers 200.
      Timed from sending the POST to the first 200. Prints JSON.

BASE is http://127.0.0.1:PORT; HOST the site's Host header
(news.localhost:PORT); COOKIE an editor's kw_session value.
"""
import datetime
import html
import html.parser
import http.client
import json
import math
import random
import re
import sqlite3
import sys
import time
import urllib.parse

ROW = re.compile(r'<tr data-story="\d+"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
SAVED = re.compile(r"[?&]saved=(\d+)")
STORY_ID = re.compile(r"^/desk/stories/(\d+)")


def pct(xs, p):
    """Nearest-rank percentile (p99 of 50 samples is the 50th, the max)."""
    if not xs:
        return None
    s = sorted(xs)
    return round(s[max(0, math.ceil(p / 100 * len(s)) - 1)], 2)


def summary(xs):
    return {"n": len(xs), "p50_ms": pct(xs, 50), "p99_ms": pct(xs, 99),
            "max_ms": round(max(xs), 2) if xs else None,
            "mean_ms": round(sum(xs) / len(xs), 2) if xs else None}


class Client:
    """One keep-alive connection, the site's Host header, a cookie or none."""

    def __init__(self, base, host, cookie=None):
        u = urllib.parse.urlsplit(base)
        self.addr = (u.hostname, u.port)
        self.host = host
        self.cookie = cookie
        self.c = None

    def request(self, method, path, body=None):
        headers = {"Host": self.host}
        if self.cookie:
            headers["Cookie"] = f"kw_session={self.cookie}"
        if body is not None:
            body = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.c is None:
                self.c = http.client.HTTPConnection(*self.addr, timeout=30)
                self.c.connect()
            try:
                t0 = time.perf_counter()
                self.c.request(method, path, body=body, headers=headers)
                r = self.c.getresponse()
                data = r.read()
                t1 = time.perf_counter()
                return r.status, r.getheader("Location", ""), data.decode("utf-8", "replace"), (t1 - t0) * 1000, t0, t1
            except (http.client.HTTPException, OSError):
                self.c.close()
                self.c = None
                if attempt == 2:
                    raise


class Form(html.parser.HTMLParser):
    """The editor form's fields as a browser would submit them (no intent)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self.in_form = False
        self.textarea = None
        self.select = None
        self.first_option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "story-form":
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields[name] = "on"
            elif kind == "radio":
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            else:
                self.fields[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self.select = name
            self.first_option = None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.fields[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            self.fields.setdefault(self.select, self.first_option or "")
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_of(page):
    p = Form()
    p.feed(page)
    f = p.fields
    # A textarea's first newline is not part of its value.
    for k in ("body", "summary", "seo_description"):
        if f.get(k, "").startswith("\n"):
            f[k] = f[k][1:]
    return f


def story_fields(title, slug, section, body, extra=None):
    f = {"title": title, "slug": slug, "summary": "A story written by the desk benchmark.",
         "section": section, "authors": "Bench Desk", "tags": "Desk bench", "dateline": "TOKYO",
         "source": "", "copyright": "", "body": body, "image": "", "image_caption": "",
         "image_credit": "", "image_alt": "", "seo_title": "", "seo_description": "",
         "canonical_url": "", "comment_mode": "open", "publish_at": "", "embargo_until": ""}
    f.update(extra or {})
    return f


def csrf_of(cl):
    s, _, page, _, _, _ = cl.request("GET", "/desk/stories/new")
    if s != 200:
        sys.exit(f"/desk/stories/new answered {s}")
    f = form_of(page)
    if not f.get("csrf"):
        sys.exit("no csrf on /desk/stories/new")
    return f["csrf"]


BODY = ("The desk benchmark wrote this paragraph to give the story a body of "
        "ordinary length, with a [link](https://example.com/) and **some** markup.\n\n") * 6


def cmd_pick(db_path, site, n, outdir):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    (site_id,) = db.execute("SELECT id FROM sites WHERE key = ?", (site,)).fetchone()
    rng = random.Random(2026)
    out = {}
    sec_id, section = db.execute("SELECT id, slug FROM sections WHERE site_id = ? ORDER BY id LIMIT 1",
                                 (site_id,)).fetchone()
    (cnt,) = db.execute("SELECT count(*) FROM articles WHERE section_id = ?", (sec_id,)).fetchone()
    out["section"] = [section, cnt]
    name, cnt = db.execute(
        "SELECT p.name, count(*) FROM article_authors x JOIN authors p ON p.id = x.author_id "
        "GROUP BY x.author_id ORDER BY 2 DESC LIMIT 1").fetchone()
    out["author"] = [name, cnt]
    tags = db.execute(
        "SELECT t.name, count(*) FROM article_tags x JOIN tags t ON t.id = x.tag_id "
        "WHERE t.site_id = ? GROUP BY x.tag_id ORDER BY 2 DESC", (site_id,)).fetchall()
    out["tag_common"] = list(tags[0])
    few = [t for t in tags if 2 <= t[1] <= 5] or [t for t in tags if t[1] <= 20] or [tags[-1]]
    out["tag_rare"] = list(rng.choice(few))
    # Headline words: the commonest vocabulary word, and a pair of rare ones
    # (counted with the search index: whole words, as the generated
    # headlines only have whole vocabulary words, the same as LIKE's count).
    def count(words):
        q = " AND ".join(f"title:{w}" for w in words)
        return db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (q,)).fetchone()[0]
    out["words_common"] = ["government", count(["government"])]
    # The rarest words of the generator's vocabulary (synthetic.rs): the
    # first pair, or else three, in 1 to 20 headlines.
    tail = "resumed cancelled delayed completed launched recovered slowed grew rose fell".split()
    tries = [[a, b] for i, a in enumerate(tail) for b in tail[i + 1:]]
    tries += [[a, b, c] for i, a in enumerate(tail) for j, b in enumerate(tail[i + 1:], i + 1) for c in tail[j + 1:]]
    rare = None
    for words in tries:
        c = count(words)
        if 1 <= c <= 20:
            rare = [" ".join(words), c]
            break
    out["words_rare"] = rare or ["resumed cancelled delayed", count(["resumed", "cancelled", "delayed"])]
    lo, hi = db.execute("SELECT min(published_at), max(published_at) FROM articles WHERE site_id = ?",
                        (site_id,)).fetchone()
    # A week in the middle of the archive, by publish time.
    lo_id, hi_id = db.execute("SELECT min(id), max(id) FROM articles WHERE site_id = ?", (site_id,)).fetchone()
    mid = db.execute("SELECT published_at FROM articles WHERE site_id = ? AND id >= ? ORDER BY id LIMIT 1",
                     (site_id, (lo_id + hi_id) // 2)).fetchone()[0]
    start = datetime.date.fromisoformat(mid[:10])
    end = start + datetime.timedelta(days=6)
    (cnt,) = db.execute("SELECT count(*) FROM articles WHERE site_id = ? AND status = 'published' "
                        "AND published_at >= ? AND published_at < ?",
                        (site_id, start.isoformat(), (end + datetime.timedelta(days=1)).isoformat())).fetchone()
    out["week"] = [start.isoformat(), end.isoformat(), cnt]
    out["published_range"] = [lo, hi]
    ids = set()
    while len(ids) < n:
        batch = [rng.randint(lo_id, hi_id) for _ in range(n * 2)]
        marks = ",".join("?" * len(batch))
        for (i,) in db.execute(f"SELECT id FROM articles WHERE site_id = ? AND id IN ({marks})", [site_id, *batch]):
            ids.add(i)
    ids = sorted(ids)[:n]
    rng.shuffle(ids)
    with open(f"{outdir}/editor-paths.txt", "w") as fh:
        for i in ids:
            fh.write(f"/desk/stories/{i}\n")
    out["editor_ids"] = len(ids)
    out["save_ids"] = ids[:50]
    with open(f"{outdir}/filters.json", "w") as fh:
        json.dump(out, fh)
    print(json.dumps(out))


def cmd_drafts_count(db_path, site):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    (site_id,) = db.execute("SELECT id FROM sites WHERE key = ?", (site,)).fetchone()
    print(db.execute("SELECT count(*) FROM articles WHERE site_id = ? AND status = 'draft' AND workflow = ''",
                     (site_id,)).fetchone()[0])


def cmd_publish_drafts(base, host, cookie, db_path, site):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    (site_id,) = db.execute("SELECT id FROM sites WHERE key = ?", (site,)).fetchone()
    ids = [i for (i,) in db.execute(
        "SELECT id FROM articles WHERE site_id = ? AND status = 'draft' AND slug LIKE 'desk-bench-draft-%'",
        (site_id,))]
    db.close()
    cl = Client(base, host, cookie)
    statuses = {}
    for sid in ids:
        s, _, page, _, _, _ = cl.request("GET", f"/desk/stories/{sid}")
        f = form_of(page)
        f["intent"] = "publish"
        s, loc, page, _, _, _ = cl.request("POST", f"/desk/stories/{sid}", f)
        statuses[str(s)] = statuses.get(str(s), 0) + 1
        if s != 303:
            print(f"publish draft {sid}: {s} {loc} {page[:300]}", file=sys.stderr)
    print(json.dumps({"drafts": len(ids), "statuses": statuses}))


def cmd_drafts(base, host, cookie, n, run_id, section):
    cl = Client(base, host, cookie)
    csrf = csrf_of(cl)
    ms, ids, statuses = [], [], {}
    for i in range(int(n)):
        f = story_fields(f"Desk bench draft {run_id} number {i}", f"desk-bench-draft-{run_id}-{i}", section, BODY)
        f.update(csrf=csrf, intent="save")
        s, loc, page, t, _, _ = cl.request("POST", "/desk/stories", f)
        statuses[str(s)] = statuses.get(str(s), 0) + 1
        m = STORY_ID.match(urllib.parse.urlsplit(loc).path) if s == 303 else None
        if m:
            ids.append(int(m.group(1)))
            ms.append(t)
        else:
            print(f"draft {i}: {s} {loc} {page[:300]}", file=sys.stderr)
    print(json.dumps({**summary(ms), "ids": ids, "statuses": statuses}))


def cmd_seq(base, host, cookie, n, paths_file):
    cl = Client(base, host, cookie)
    out = []
    for path in [l.strip() for l in open(paths_file) if l.strip()]:
        ts, status, rows, nxt = [], None, None, None
        started = time.perf_counter()
        for k in range(int(n)):
            if k >= 3 and time.perf_counter() - started > 10:
                break
            s, _, page, t, _, _ = cl.request("GET", path)
            ts.append(t)
            status = s
            rows = len(ROW.findall(page))
            m = NEXT.search(page)
            nxt = html.unescape(m.group(1)) if m else None
        out.append({"path": path, "status": status, "rows": rows, "next": nxt, **summary(ts)})
    print(json.dumps(out))


def cmd_once(base, host, cookie, paths_file):
    cl = Client(base, host, cookie)
    ts, statuses = [], {}
    for path in [l.strip() for l in open(paths_file) if l.strip()]:
        s, _, _, t, _, _ = cl.request("GET", path)
        statuses[str(s)] = statuses.get(str(s), 0) + 1
        ts.append(t)
    print(json.dumps({**summary(ts), "statuses": statuses}))


def cmd_saves(base, host, cookie, ids, per_story, run_id):
    cl = Client(base, host, cookie)
    ms, first, later, statuses, versions = [], [], [], {}, []
    for sid in [int(x) for x in ids.split(",") if x]:
        s, _, page, _, _, _ = cl.request("GET", f"/desk/stories/{sid}")
        if s != 200:
            sys.exit(f"/desk/stories/{sid} answered {s}")
        f = form_of(page)
        if "version" not in f or "csrf" not in f:
            sys.exit(f"/desk/stories/{sid}: no version or csrf in the form")
        start_version = int(f["version"])
        body = f.get("body", "")
        for k in range(int(per_story)):
            f["body"] = body + f"\n\nDesk bench {run_id}: edit {k + 1}."
            f["intent"] = "save"
            s, loc, page, t, _, _ = cl.request("POST", f"/desk/stories/{sid}", f)
            statuses[str(s)] = statuses.get(str(s), 0) + 1
            m = SAVED.search(loc) if s == 303 else None
            if not m:
                print(f"save {sid}/{k}: {s} {loc} {page[:300]}", file=sys.stderr)
                s2, _, page, _, _, _ = cl.request("GET", f"/desk/stories/{sid}")
                g = form_of(page)
                f["version"] = g.get("version", f["version"])
                continue
            ms.append(t)
            (first if k == 0 else later).append(t)
            f["version"] = m.group(1)
        versions.append([sid, start_version, int(f["version"])])
    moved = all(b - a == int(per_story) for _, a, b in versions)
    print(json.dumps({**summary(ms), "first_save_of_a_story": summary(first), "later_saves": summary(later),
                      "statuses": statuses, "stories": len(versions),
                      "versions_moved_by_one_each": moved}))


def cmd_publish(base, host, cookie, n, run_id, section):
    desk = Client(base, host, cookie)
    reader = Client(base, host)
    csrf = csrf_of(desk)
    total, post, polls, before, statuses = [], [], [], {}, {}
    for i in range(int(n)):
        slug = f"desk-bench-publish-{run_id}-{i}"
        path = f"/{section}/{slug}"
        s0, _, _, _, _, _ = reader.request("GET", path)
        before[str(s0)] = before.get(str(s0), 0) + 1
        f = story_fields(f"Desk bench story {run_id} number {i} goes out", slug, section, BODY)
        f.update(csrf=csrf, intent="publish")
        s, loc, page, t, t0, t1 = desk.request("POST", "/desk/stories", f)
        statuses[str(s)] = statuses.get(str(s), 0) + 1
        if s != 303:
            print(f"publish {i}: {s} {loc} {page[:300]}", file=sys.stderr)
            continue
        post.append(t)
        k = 0
        deadline = t0 + 30
        while True:
            k += 1
            s, _, _, _, _, t2 = reader.request("GET", path)
            if s == 200:
                total.append((t2 - t0) * 1000)
                polls.append(k)
                break
            if time.perf_counter() > deadline:
                print(f"publish {i}: {path} not visible within 30 s (last {s})", file=sys.stderr)
                total.append(30000.0)
                polls.append(k)
                break
            time.sleep(0.002)
    print(json.dumps({**summary(total), "publish_post": summary(post), "statuses": statuses,
                      "each_ms": [round(t, 1) for t in total],
                      "before_publish": before, "polls_max": max(polls) if polls else None,
                      "polls_total": sum(polls)}))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "pick":
        cmd_pick(args[0], args[1], int(args[2]), args[3])
    elif cmd == "drafts_count":
        cmd_drafts_count(*args)
    elif cmd == "publish_drafts":
        cmd_publish_drafts(*args)
    elif cmd == "drafts":
        cmd_drafts(*args)
    elif cmd == "once":
        cmd_once(*args)
    elif cmd == "seq":
        cmd_seq(*args)
    elif cmd == "saves":
        cmd_saves(*args)
    elif cmd == "publish":
        cmd_publish(*args)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
