#!/usr/bin/env python3
"""SMTP server for MESDeliveryTests (aiosmtpd), on 127.0.0.1 and an ephemeral port.

Writes the port it listens on to DIR/port once it accepts connections, then for each message
DIR/NNNNNN.eml (the bytes received after DATA) and DIR/NNNNNN.json (envelope sender and
recipients, AUTH login, TLS, client port, MAIL FROM parameters, and what mail_check.py finds
wrong with the message: "problems") before answering 250 "queued as MESNNNNNN".
An idle connection is closed after --idle-timeout seconds.
Recipients whose local part starts with "reject" get 550, with "busy" 451.
Exits when its parent goes away or after --lifetime seconds.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import threading
import time

from aiosmtpd.smtp import SMTP, AuthResult

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mail_check  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--auth", help="USER:PASSWORD that AUTH must give (then AUTH is required)")
ap.add_argument("--cert", help="PEM certificate (with --key): offer STARTTLS, or TLS from the start with --implicit-tls")
ap.add_argument("--key")
ap.add_argument("--implicit-tls", action="store_true")
ap.add_argument("--idle-timeout", type=float, default=300, help="seconds before an idle connection is closed")
ap.add_argument("--lifetime", type=float, default=600)
args = ap.parse_args()


class Handler:
    def __init__(self):
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(args.dir, "%06d" % self.count)
        with open(name + ".eml", "wb") as f:
            f.write(envelope.original_content)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth": session.auth_data,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "client_port": session.peer[1],
            "mail_options": envelope.mail_options,
            "problems": mail_check.problems(envelope.original_content,
                                            announced_8bit="BODY=8BITMIME" in [o.upper() for o in envelope.mail_options]),
        }
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name + ".json")
        return "250 2.0.0 Ok: queued as MES%06d" % self.count


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = auth_data.login == user.encode() and auth_data.password == password.encode()
    return AuthResult(success=ok, handled=False, auth_data={"login": auth_data.login.decode(), "mechanism": mechanism})


tls = None
if args.cert:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)

handler = Handler()
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)


def factory():
    kw = dict(hostname="sink.test", decode_data=False, auth_require_tls=False, timeout=args.idle_timeout)
    if args.auth:
        kw.update(authenticator=authenticator, auth_required=True)
    if tls and not args.implicit_tls:
        kw.update(tls_context=tls)
    return SMTP(handler, **kw)


server = loop.run_until_complete(
    loop.create_server(factory, host="127.0.0.1", port=0, ssl=tls if args.implicit_tls else None))
port = server.sockets[0].getsockname()[1]
with open(os.path.join(args.dir, "port.tmp"), "w") as f:
    f.write(str(port))
os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))

parent, started = os.getppid(), time.monotonic()


def watchdog():
    while os.getppid() == parent and time.monotonic() - started < args.lifetime:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=watchdog, daemon=True).start()
loop.run_forever()
