#!/usr/bin/python3
"""Verifies a message's DKIM signature with dkimpy (Debian's python3-dkim).

Usage: dkim_verify.py MESSAGE_FILE PUBLIC_KEY_BASE64 SELECTOR DOMAIN

The public key stands in for the DNS record SELECTOR._domainkey.DOMAIN; any
other name is unknown. Prints "pass" and exits 0 when the signature holds,
prints "fail" and exits 1 otherwise.
"""
import sys

import dkim


def main():
    path, key, selector, domain = sys.argv[1:5]
    record = f"{selector}._domainkey.{domain}."

    def dns(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        if name.rstrip(".") == record.rstrip("."):
            return f"v=DKIM1; k=rsa; p={key}".encode()
        return None

    with open(path, "rb") as f:
        message = f.read()
    ok = dkim.verify(message, dnsfunc=dns)
    print("pass" if ok else "fail")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
