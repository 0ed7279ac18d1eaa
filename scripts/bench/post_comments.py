#!/usr/bin/env python3
"""Posts comments at a fixed rate for scripts/bench.sh (the `comments` group).

  post_comments.py BASE HOST ARTICLE_PATH SESSIONS_FILE RATE SECONDS RUN_ID

Every line of SESSIONS_FILE is a signed-in member's session cookie (from
`kawaraban generate --sessions`). Each member first opens the article once
to read the form's CSRF token and the article id, as a browser would; then
comments are sent round-robin over the members, the k-th at start + k/RATE
seconds (an open loop: a slow answer does not delay the next comment), as
the plain form post (no JavaScript; the answer is a 303 to the article).
Each comment's text and submit key carry RUN_ID and k, so the database can
be checked afterwards for lost and duplicated comments. Prints JSON.
"""
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ARTICLE = re.compile(r'name="article" value="(\d+)"')
local = threading.local()


def conn(base):
    c = getattr(local, "conn", None)
    if c is None:
        u = urllib.parse.urlsplit(base)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        local.conn = c
    return c


def request(base, host, method, path, cookie, body=None):
    headers = {"Host": host, "Cookie": f"kw_session={cookie}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    for attempt in (1, 2):
        c = conn(base)
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            return r.status, data
        except (http.client.HTTPException, OSError):
            c.close()
            local.conn = None
            if attempt == 2:
                raise


def main():
    base, host, path, sessions_file, rate, seconds, run_id = sys.argv[1:8]
    rate, seconds = float(rate), float(seconds)
    cookies = [l.strip() for l in open(sessions_file) if l.strip()]

    def form_of(cookie):
        status, page = request(base, host, "GET", path, cookie)
        text = page.decode("utf-8", "replace")
        m, a = CSRF.search(text), ARTICLE.search(text)
        if status != 200 or not m or not a:
            raise SystemExit(f"no comment form for a member (status {status})")
        return cookie, m.group(1), a.group(1)

    with ThreadPoolExecutor(8) as pool:
        members = list(pool.map(form_of, cookies))

    total = int(rate * seconds)
    latencies, statuses, late = [], {}, [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def send(k):
        cookie, csrf, article = members[k % len(members)]
        due = start + k / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        body = urllib.parse.urlencode({
            "csrf": csrf, "article": article, "key": f"{run_id}-{k}",
            "body": f"Load test {run_id} comment {k}: the ferry was late again, and the council should say why.",
        })
        t0 = time.monotonic()
        try:
            status, _ = request(base, host, "POST", "/comments", cookie, body)
        except Exception:
            status = 0
        dt = (time.monotonic() - t0) * 1000
        with lock:
            latencies.append(dt)
            statuses[status] = statuses.get(status, 0) + 1
            if t0 - due > 0.05:
                late[0] += 1

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(send, range(total)))
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2) if latencies else None

    print(json.dumps({
        "sent": total, "seconds": round(elapsed, 2), "rate": round(total / elapsed, 1),
        "statuses": statuses, "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0),
        "sent_late": late[0],
    }))


if __name__ == "__main__":
    main()
