#!/usr/bin/env python3
"""Strict checks of an e-mail as a server receives it (used by smtp_sink.py and the tests).

problems(raw, announced_8bit) lists what a strict server or reader would object to:
- not CRLF only (a bare CR or LF), a line over 998 octets (RFC 5322 §2.1.1);
- a header line with 8-bit bytes or over 78 columns (RFC 5322 §2.1.1, RFC 2047 §2);
- 8-bit bytes in the body without BODY=8BITMIME (RFC 6152) — encode them instead;
- a part announced as 7bit (or with no encoding) that holds 8-bit bytes;
- no Date, Message-ID, From, To or Subject, or a From that is not Name <address>;
- any defect Python's email.policy.strict finds (it raises on the first one) while parsing the
  message, its headers and every part's content.
As a program: mail_check.py FILE… prints a JSON object {file: [problems]} and exits 1 if any.
"""
import email
import json
import sys
from email import policy


def problems(raw, announced_8bit=False):
    out = []
    if raw.replace(b"\r\n", b"").find(b"\r") >= 0 or raw.replace(b"\r\n", b"").find(b"\n") >= 0:
        out.append("a bare CR or LF (CRLF only)")
    for n, line in enumerate(raw.split(b"\r\n"), 1):
        if len(line) > 998:
            out.append("line %d is %d octets (at most 998)" % (n, len(line)))
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        out.append("no empty line after the headers")
    for line in head.split(b"\r\n"):
        if any(b >= 0x80 for b in line):
            out.append("8-bit header line: %r" % line[:40])
        if len(line) > 78:
            out.append("header line of %d columns (at most 78): %r" % (len(line), line[:40]))
    if any(b >= 0x80 for b in body) and not announced_8bit:
        out.append("8-bit body without BODY=8BITMIME")
    try:
        m = email.message_from_bytes(raw, policy=policy.strict)
        for name in ("Date", "Message-ID", "From", "To", "Subject"):
            if m[name] is None:
                out.append("no %s:" % name)
        sender = m["From"]
        if sender is not None and (len(sender.addresses) != 1 or not sender.addresses[0].display_name
                                   or "@" not in sender.addresses[0].addr_spec):
            out.append("From: is not Name <address>: %r" % str(sender))
        for part in m.walk():
            if part.is_multipart():
                continue
            cte = part.get("Content-Transfer-Encoding", "7bit").lower()
            payload = part.get_payload(decode=False)
            if cte in ("7bit",) and any(ord(c) >= 0x80 for c in payload):
                out.append("8-bit content in a part announced as 7bit")
            part.get_content()
        str(m["Subject"])
    except Exception as e:  # the strict policy raises on the first defect
        out.append("strict parse: %s: %s" % (type(e).__name__, e))
    return out


if __name__ == "__main__":
    found = {f: problems(open(f, "rb").read(), announced_8bit=False) for f in sys.argv[1:]}
    print(json.dumps(found))
    sys.exit(1 if any(found.values()) else 0)
