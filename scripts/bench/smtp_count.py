#!/usr/bin/env python3
"""A minimal, fast SMTP sink for scripts/bench.sh (the `newsletters` group).

  smtp_count.py PORT COUNTS_FILE [ARRIVALS_FILE]

Accepts every message and keeps nothing but a count per recipient, written
to COUNTS_FILE as "address count" lines when the process gets SIGTERM (and
every few seconds), so that a benchmark can check that every recipient got
exactly one message; COUNTS_FILE.times holds "messages first last" (Unix
times of the first and last message), the rate the sink saw. Speaks just enough SMTP for lettre: EHLO/HELO, MAIL,
RCPT, DATA, RSET, NOOP, QUIT. Loopback only. With ARRIVALS_FILE, each
message's arrival is appended to it at once as "unix-time subject" (the
`alerts` group measures publish-to-inbox latency from it).
"""
import asyncio
import collections
import signal
import sys
import time

counts = collections.Counter()
messages = 0
arrivals = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else None
# Wall-clock times of the first and the last message accepted.
first = last = None


async def session(reader, writer):
    global messages
    writer.write(b"220 bench-sink ESMTP\r\n")
    rcpts = []
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                writer.write(b"250-bench-sink\r\n250 8BITMIME\r\n")
            elif cmd == b"MAIL":
                rcpts = []
                writer.write(b"250 OK\r\n")
            elif cmd == b"RCPT":
                addr = line.split(b":", 1)[1].strip().strip(b"<>").split(b">")[0]
                rcpts.append(addr.decode("utf-8", "replace").lower())
                writer.write(b"250 OK\r\n")
            elif cmd == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                subject = ""
                while True:
                    data = await reader.readline()
                    if not data:
                        # Gone before the end: nothing was delivered.
                        return
                    if data in (b".\r\n", b".\n"):
                        break
                    if arrivals and not subject and data[:8].lower() == b"subject:":
                        subject = data[8:].decode("utf-8", "replace").strip()
                if arrivals:
                    arrivals.write(f"{time.time():.6f} {subject}\n")
                for r in rcpts:
                    counts[r] += 1
                messages += 1
                global first, last
                last = time.time()
                if first is None:
                    first = last
                writer.write(b"250 OK queued\r\n")
            elif cmd == b"RSET" or cmd == b"NOOP":
                writer.write(b"250 OK\r\n")
            elif cmd == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"502 not implemented\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def dump(path):
    with open(path + ".tmp", "w") as f:
        for addr, n in counts.items():
            f.write(f"{addr} {n}\n")
    import os
    os.replace(path + ".tmp", path)
    with open(path + ".times", "w") as f:
        f.write(f"{messages} {first or 0} {last or 0}\n")


async def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    server = await asyncio.start_server(session, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 2)
        except asyncio.TimeoutError:
            dump(path)
    server.close()
    dump(path)


asyncio.run(main())
