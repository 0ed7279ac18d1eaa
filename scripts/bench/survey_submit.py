#!/usr/bin/env python3
"""Many readers answering a survey at once, for scripts/bench.sh (the
`engagement` group).

  survey_submit.py BASE HOST SLUG READERS RUN_ID

Each of READERS readers is a new browser from its own address (the server
runs with `--trusted-proxy 127.0.0.1`, and each reader sends its own
X-Forwarded-For): it opens the survey page, as a browser would, for the
form's CSRF token and cookie. Then all of them send their answers at the
same moment (a barrier), and each POST is timed from sending to the full
answer. The free-text answer carries RUN_ID and the reader's number, so the
database can be checked afterwards for lost and duplicated responses.
Prints JSON: the latencies' p50, p99 and max in ms, and how many answers
were thanked.
"""
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def main():
    base, host, slug, readers, run_id = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    u = urllib.parse.urlsplit(base)
    path = f"/surveys/{slug}"
    barrier = threading.Barrier(readers)
    times = [None] * readers
    thanked = [False] * readers
    errors = []

    def reader(i):
        try:
            address = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            headers = {"Host": host, "X-Forwarded-For": address, "User-Agent": f"bench-reader-{i}"}
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            page = r.read().decode()
            cookies = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
            token = CSRF.search(page).group(1)
            form = urllib.parse.urlencode([
                ("csrf", token), ("q1", str(i % 4)), ("q2", "0"), ("q2", str(1 + i % 5)),
                ("q3", str(1 + i % 5)), ("q4", str(i % 11)), ("q5_0", "2"), ("q5_1", "1"), ("q5_2", "0"),
                ("q6", f"bench {run_id} reader {i}"),
            ])
            post = dict(headers, Cookie=cookies, **{"Content-Type": "application/x-www-form-urlencoded"})
            barrier.wait(timeout=120)
            t0 = time.perf_counter()
            c.request("POST", path, body=form, headers=post)
            r = c.getresponse()
            body = r.read().decode()
            times[i] = (time.perf_counter() - t0) * 1000
            thanked[i] = r.status == 200 and "Thank you for taking part" in body
            if not thanked[i]:
                errors.append(f"reader {i}: {r.status} {body[:200]!r}")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"reader {i}: {e}")
            try:
                barrier.abort()
            except Exception:
                pass

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ts = sorted(t for t in times if t is not None)

    def pct(p):
        return round(ts[min(len(ts) - 1, int(len(ts) * p))], 2) if ts else None

    print(json.dumps({
        "readers": readers, "timed": len(ts), "thanked": sum(thanked),
        "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": round(ts[-1], 2) if ts else None,
        "errors": errors[:5],
    }))


if __name__ == "__main__":
    main()
