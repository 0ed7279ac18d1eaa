#!/usr/bin/env python3
"""Recompute a Kawaraban giveaway's winners from its public page.

Anyone can run this to check a draw without trusting the site: it reads the
giveaway's ``draw.json`` and ticket list, redoes every step of the published
method (``kawaraban-draw-v1``, see docs/giveaways-verify.md) and compares the
result with the order the page announces.

    python3 scripts/verify_draw.py http://news.localhost:8080/giveaways/premium-2026
    python3 scripts/verify_draw.py URL --drand https://api.drand.sh
    python3 scripts/verify_draw.py --draw draw.json --tickets tickets.txt

Standard library only (Python 3.8 or newer). What it cannot do is check the
beacon's BLS signature; `kawaraban giveaway verify URL` does that.

Exit status: 0 the draw holds, 1 a check failed (the message, on stderr,
names the step), 2 usage, network or unreadable-document error, 3 the
giveaway has not been drawn yet.
"""

import argparse
import calendar
import datetime
import hashlib
import heapq
import http.client
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

METHOD = "kawaraban-draw-v1"
TIMEOUT = 30  # seconds, for every HTTP request
CLI_HINT = "kawaraban giveaway verify URL"

HEX32 = re.compile(r"[0-9a-f]{64}")
HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
# A canonical ticket list as a whole: zero or more "id\n" lines.
CANONICAL_LIST = re.compile(rb"(?:[A-Za-z0-9-]+\n)*")
TICKET_ID = re.compile(rb"[A-Za-z0-9-]+")
RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)

SCHEMES = ("pedersen-bls-chained", "bls-unchained-g1-rfc9380")
# The League of Entropy's two main drand chains, pinned so that a page cannot
# move the expected round by misstating a known chain's genesis or period.
KNOWN_CHAINS = {
    "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce": {
        "name": "League of Entropy mainnet",
        "scheme": "pedersen-bls-chained",
        "public_key": "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b"
        "5d7a569937c529eeda66c7293784a9402801af31",
        "genesis_time": 1595431050,
        "period": 30,
    },
    "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971": {
        "name": "League of Entropy quicknet",
        "scheme": "bls-unchained-g1-rfc9380",
        "public_key": "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3"
        "e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bc"
        "b5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
        "genesis_time": 1692803367,
        "period": 3,
    },
}


class Failed(Exception):
    """A check did not hold: exit 1. ``step`` names the step of the method."""

    def __init__(self, step, message):
        super().__init__(message)
        self.step = step


class Trouble(Exception):
    """A usage, network or unreadable-input problem: exit 2."""


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def ok(message):
    print("ok   " + message, flush=True)


def note(message):
    print("note " + message, flush=True)


# ---------------------------------------------------------------- input


def fetch(url):
    """The body of ``url`` (http or https only) as bytes."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Trouble("refusing to fetch %r: only http and https URLs" % url)
    request = urllib.request.Request(
        url, headers={"User-Agent": "kawaraban-verify-draw/1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        raise Trouble("%s: HTTP %s %s" % (url, e.code, e.reason))
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Trouble("%s: %s" % (url, getattr(e, "reason", e)))
    except http.client.HTTPException as e:  # a bad status line, a cut-off body
        raise Trouble("%s: %s" % (url, e))


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise Trouble("%s: %s" % (path, e.strerror or e))


def parse_json(raw, where):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Trouble("%s is not JSON: %s" % (where, e))


def draw_url_for(page_url):
    """The giveaway page URL with ``/draw.json`` appended (unless present)."""
    path = urllib.parse.urlsplit(page_url).path
    if path.endswith("/draw.json"):
        return page_url
    return page_url.rstrip("/") + "/draw.json"


def field(doc, name, kinds, nullable=False):
    """``doc[name]``, checked to be one of ``kinds`` (or None if nullable)."""
    if name not in doc:
        raise Failed("format", "draw.json has no %r field" % name)
    value = doc[name]
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise Failed("format", "draw.json field %r has the wrong type" % name)
    return value


def unix_time(text):
    """Seconds since the epoch (rounded down) of an RFC 3339 timestamp."""
    m = RFC3339.fullmatch(text)
    if not m:
        raise Failed("beacon", "closes_at %r is not an RFC 3339 time" % text)
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    offset = 0
    if m.group(8):
        offset = int(m.group(9)) * 3600 + int(m.group(10)) * 60
        if m.group(8) == "-":
            offset = -offset
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) - offset


def utc(seconds):
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- the method


def check_commitment(doc, seed):
    """Step 1: the revealed seed is the one committed to at opening."""
    commitment = field(doc, "commitment", str)
    if not HEX32.fullmatch(seed):
        raise Failed("commitment", "the seed is not 64 lower-case hex characters")
    found = hashlib.sha256(seed.encode("ascii")).hexdigest()
    if found != commitment:
        raise Failed(
            "commitment",
            "SHA-256 of the revealed seed is %s, but the commitment published "
            "at opening is %s" % (found, commitment),
        )
    ok("commitment matches the revealed seed")


def line_of(data, offset):
    return data.count(b"\n", 0, offset) + 1


def check_ticket_list(doc, data):
    """Step 2: the list is canonical and hashes to list_hash.

    Returns the ticket ids as bytes, in list order.
    """
    list_hash = field(doc, "list_hash", str, nullable=True)
    if list_hash is None:
        raise Failed("ticket list", "the seed is revealed but list_hash is null")
    found = hashlib.sha256(data).hexdigest()
    if found != list_hash:
        raise Failed(
            "ticket list",
            "SHA-256 of the ticket list is %s, but the page publishes "
            "list_hash %s" % (found, list_hash),
        )
    # Whole-text check first (fast); only on failure look for the bad line.
    if not CANONICAL_LIST.fullmatch(data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise Failed(
                "ticket list", "line %d is not UTF-8" % line_of(data, e.start)
            )
        lines = data.split(b"\n")
        if lines[-1]:
            raise Failed(
                "ticket list", "line %d: the list must end with a newline" % len(lines)
            )
        for number, ticket in enumerate(lines[:-1], 1):
            if not ticket:
                raise Failed("ticket list", "line %d: an empty ticket id" % number)
            if not TICKET_ID.fullmatch(ticket):
                raise Failed(
                    "ticket list",
                    "line %d: %r is not a ticket id (letters, digits and '-' only)"
                    % (number, ticket.decode("utf-8")),
                )
    tickets = data.split(b"\n")
    tickets.pop()  # the empty piece after the final "\n" (or of an empty list)
    # Ids are ASCII here, so byte order is Python's str order.
    for number, (previous, ticket) in enumerate(zip(tickets, tickets[1:]), 2):
        if previous >= ticket:
            raise Failed(
                "ticket list",
                "line %d: %r is out of order or repeated (the list is sorted, "
                "each id once)" % (number, ticket.decode("ascii")),
            )
    ok(
        "ticket list is canonical (%s, sorted, each once) and matches "
        "list_hash" % plural(len(tickets), "ticket")
    )
    return tickets


def check_beacon(doc, beacon, drand_base):
    """Step 3: the beacon round is the right one and its randomness is
    derived from its signature. Returns the randomness (hex), or ""."""
    if beacon is None:
        note("no randomness beacon: the draw rests on the seed and the list alone")
        if drand_base:
            note("--drand ignored: the page names no beacon")
        return ""
    if not isinstance(beacon, dict):
        raise Failed("format", "draw.json field 'beacon' has the wrong type")
    chain = field(beacon, "chain", str)
    scheme = field(beacon, "scheme", str)
    public_key = field(beacon, "public_key", str)
    genesis = field(beacon, "genesis_time", int)
    period = field(beacon, "period", int)
    round_ = field(beacon, "round", int)
    randomness = field(beacon, "randomness", str)
    signature = field(beacon, "signature", str)
    previous = field(beacon, "previous_signature", str, nullable=True)
    if scheme not in SCHEMES:
        raise Failed("beacon", "unknown drand scheme %r" % scheme)
    if period <= 0:
        raise Failed("beacon", "the period must be positive, not %d" % period)
    if not HEX.fullmatch(signature):
        raise Failed("beacon", "the signature is not hex")
    if previous is not None and not HEX.fullmatch(previous):
        raise Failed("beacon", "the previous signature is not hex")
    if scheme == "pedersen-bls-chained" and previous is None:
        raise Failed("beacon", "a chained round needs its previous signature")

    pinned = KNOWN_CHAINS.get(chain.lower())
    if pinned:
        published = {
            "scheme": scheme,
            "public_key": public_key.lower(),
            "genesis_time": genesis,
            "period": period,
        }
        for key, value in published.items():
            if value != pinned[key]:
                raise Failed(
                    "beacon",
                    "the page's %s for the %s chain is %r, not %r"
                    % (key, pinned["name"], value, pinned[key]),
                )
        ok("chain parameters are those of the %s" % pinned["name"])
    else:
        note(
            "chain %s is not one this script knows: its genesis time, period and "
            "public key are taken from the page" % chain
        )

    derived = hashlib.sha256(bytes.fromhex(signature)).hexdigest()
    if randomness != derived:
        raise Failed(
            "beacon",
            "round %d: the randomness %s is not the SHA-256 of the signature (%s)"
            % (round_, randomness, derived),
        )
    ok("beacon randomness is the SHA-256 of the round's signature")

    close = unix_time(field(doc, "closes_at", str))
    wanted = (close - genesis) // period + 2 if close >= genesis else 1
    if round_ != wanted:
        raise Failed(
            "beacon",
            "the page uses round %d, but the first round published after the "
            "close (%s) is %d" % (round_, utc(close), wanted),
        )
    ok(
        "round %d is the first published after the close (close %s, round at %s)"
        % (round_, utc(close), utc(genesis + (round_ - 1) * period))
    )

    if drand_base:
        url = "%s/%s/public/%d" % (drand_base.rstrip("/"), chain, round_)
        answer = parse_json(fetch(url), url)
        if not isinstance(answer, dict):
            raise Trouble("%s: not a drand round" % url)
        for key, mine in (
            ("round", round_),
            ("randomness", randomness),
            ("signature", signature),
            ("previous_signature", previous),
        ):
            theirs = answer.get(key)
            if isinstance(mine, str) or mine is None:
                mine, theirs = (mine or "").lower(), str(theirs or "").lower()
            if mine != theirs:
                raise Failed(
                    "beacon",
                    "drand at %s disagrees with the page on %s (drand %r, page %r)"
                    % (drand_base, key, theirs, mine),
                )
        ok("drand at %s serves the same round %d" % (drand_base, round_))

    note(
        "the BLS signature is not checked (the standard library cannot); "
        "run `%s` for that" % CLI_HINT
    )
    return randomness


def recompute_order(material, tickets, count):
    """Steps 4-5: the ``count`` tickets with the lowest scores, in order.

    score = SHA-256(material || ticket id); ties (practically impossible)
    go by ticket id. The material's hash state is computed once and copied.
    """
    base = hashlib.sha256(material)
    copy = base.copy

    def scored():
        for ticket in tickets:
            h = copy()
            h.update(ticket)
            yield h.digest(), ticket

    return [ticket.decode("ascii") for _, ticket in heapq.nsmallest(count, scored())]


def check_order(doc, seed, randomness, tickets):
    winners = field(doc, "winners", int)
    order = field(doc, "order", list)
    if winners < 0:
        raise Failed("format", "draw.json field 'winners' is negative")
    material = ("%s:%s:%s:%s" % (METHOD, seed, doc["list_hash"], randomness)).encode(
        "ascii"
    )
    count = min(len(tickets), winners + max(winners * 3, 5))
    mine = recompute_order(material, tickets, count)
    for position in range(max(len(mine), len(order))):
        published = order[position] if position < len(order) else None
        recomputed = mine[position] if position < len(mine) else None
        if published != recomputed:
            raise Failed(
                "order",
                "position %d: the page names %s, the recomputed draw %s "
                "(the page lists %d names, the draw gives %d)"
                % (
                    position + 1,
                    "nobody" if published is None else repr(published),
                    "nobody" if recomputed is None else repr(recomputed),
                    len(order),
                    len(mine),
                ),
            )
    ok(
        "order matches the recomputed draw (%s, %s)"
        % (
            plural(min(winners, len(mine)), "winner"),
            plural(max(len(mine) - winners, 0), "alternate"),
        )
    )
    return mine[:winners], mine[winners:]


# ---------------------------------------------------------------- main


def verify(args):
    if not args.url and not args.draw:
        raise Trouble("give the giveaway's URL, or --draw FILE")
    draw_url = draw_url_for(args.url) if args.url else None
    if args.draw:
        doc = parse_json(read_file(args.draw), args.draw)
    else:
        doc = parse_json(fetch(draw_url), draw_url)
    if not isinstance(doc, dict):
        raise Failed("format", "draw.json is not a JSON object")

    method = field(doc, "method", str)
    if method != METHOD:
        raise Failed("method", "the page uses %r; this script knows %r" % (method, METHOD))
    print(
        "%s: %s (closes %s, %s prize%s)"
        % (
            doc.get("giveaway"),
            doc.get("title"),
            doc.get("closes_at"),
            doc.get("winners"),
            "" if doc.get("winners") == 1 else "s",
        )
    )
    seed = field(doc, "seed", str, nullable=True)
    if seed is None:
        print("commitment %s" % field(doc, "commitment", str))
        print("not drawn yet: the seed is revealed at the draw; run this again then")
        return 3

    check_commitment(doc, seed)

    if args.tickets:
        data = read_file(args.tickets)
    else:
        tickets_url = field(doc, "tickets_url", str)
        if draw_url is None and not urllib.parse.urlsplit(tickets_url).scheme:
            raise Trouble(
                "tickets_url %r is relative: give the URL or --tickets FILE" % tickets_url
            )
        data = fetch(urllib.parse.urljoin(draw_url or "", tickets_url))
    tickets = check_ticket_list(doc, data)

    randomness = check_beacon(doc, doc.get("beacon"), args.drand)
    winners, alternates = check_order(doc, seed, randomness, tickets)

    print("\nThe draw holds.")
    print("Winners:" if winners else "Winners: none (no tickets)")
    for i, ticket in enumerate(winners, 1):
        print("  %d. %s" % (i, ticket))
    if alternates:
        print("Alternates, in the order they step in:")
        for i, ticket in enumerate(alternates, 1):
            print("  %d. %s" % (i, ticket))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Recompute a Kawaraban giveaway draw from its public page.",
        epilog="Exit status: 0 the draw holds, 1 a check failed, 2 usage or "
        "network error, 3 not drawn yet.",
    )
    parser.add_argument(
        "url",
        nargs="?",
        help="the giveaway page, e.g. https://example.com/giveaways/premium-2026 "
        "(/draw.json is appended unless already there)",
    )
    parser.add_argument("--draw", metavar="FILE", help="read draw.json from FILE")
    parser.add_argument(
        "--tickets", metavar="FILE", help="read the ticket list from FILE"
    )
    parser.add_argument(
        "--drand",
        metavar="BASE_URL",
        help="also check the beacon round against this drand HTTP API "
        "(e.g. https://api.drand.sh)",
    )
    args = parser.parse_args(argv)
    try:
        return verify(args)
    except Failed as e:
        print("FAIL %s: %s" % (e.step, e), file=sys.stderr)
        return 1
    except Trouble as e:
        print("error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` or the like
        sys.stdout = None
        sys.exit(2)
