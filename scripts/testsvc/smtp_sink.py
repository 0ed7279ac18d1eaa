#!/usr/bin/python3
"""A loopback SMTP sink for the members tests (Debian's python3-aiosmtpd).

Usage: /usr/bin/python3 smtp_sink.py --host 127.0.0.1 --port PORT --dir DIR

Each accepted message is written once per envelope recipient, atomically, as
DIR/<counter>-<recipient>.eml: the raw bytes, preceded by one header
"X-Sink-Rcpt-To: a@x, b@y" listing all the envelope recipients.

Failures can be simulated with DIR/.fail-rules, re-read on every RCPT TO,
one rule a line: "ADDRESS CODE MESSAGE [once]", e.g.
    bounce@example.test 550 no such user
    flaky@example.test 451 try later once
"once" makes only the first RCPT TO for that address fail.

Like a real MTA (and unlike aiosmtpd out of the box), a message whose end
arrived is kept even when the client hangs up before reading the answer
(RFC 5321 section 4.1.1.4); one whose end never arrived is thrown away.
"""

import argparse
import asyncio
import itertools
import os
import re
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class FinishingSMTP(SMTP):
    """aiosmtpd cancels the session the moment the client's end of the
    connection closes, losing a message whose last line came with the close.
    This one lets DATA read what has arrived first."""

    in_data = False
    hung_up = False

    def eof_received(self):
        if not self.in_data:
            return super().eof_received()
        self.hung_up = True
        # Hand the end of input to the reader; keep the session running.
        asyncio.StreamReaderProtocol.eof_received(self)
        return True

    async def smtp_DATA(self, arg):
        self.in_data = True
        try:
            await super().smtp_DATA(arg)
        except asyncio.IncompleteReadError:
            # The client left before the end of the message: nothing kept.
            print(f"left before the end of a message to {', '.join(self.envelope.rcpt_tos)}",
                  file=sys.stderr, flush=True)
            raise asyncio.CancelledError()
        finally:
            self.in_data = False
        if self.hung_up:
            raise asyncio.CancelledError()


class SinkController(Controller):
    def factory(self):
        return FinishingSMTP(self.handler, **self.SMTP_kwargs)


class Sink:
    def __init__(self, directory):
        self.dir = directory
        self.counter = itertools.count(1)
        self.failed_once = set()

    def rule_for(self, address):
        try:
            with open(os.path.join(self.dir, ".fail-rules"), encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return None
        for line in lines:
            parts = line.split()
            if len(parts) < 2 or parts[0].startswith("#") or parts[0].lower() != address.lower():
                continue
            once = parts[-1] == "once"
            message = " ".join(parts[2:-1] if once else parts[2:]) or "rejected"
            return int(parts[1]), message, once
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rule = self.rule_for(address)
        if rule:
            code, message, once = rule
            key = address.lower()
            if not once or key not in self.failed_once:
                self.failed_once.add(key)
                return f"{code} {message}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        header = f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        data = header + envelope.original_content
        for rcpt in envelope.rcpt_tos:
            safe = re.sub(r"[^A-Za-z0-9@._+-]", "_", rcpt)
            name = f"{next(self.counter):06d}-{safe}.eml"
            tmp = os.path.join(self.dir, f".{name}.tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.dir, name))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    controller = SinkController(Sink(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print("ready", flush=True)

    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    loop.run_until_complete(stop)
    controller.stop()


if __name__ == "__main__":
    main()
