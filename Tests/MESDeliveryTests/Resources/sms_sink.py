#!/usr/bin/env python3
"""HTTP SMS gateway for MESDeliveryTests, on 127.0.0.1 and an ephemeral port.

Writes the port to DIR/port once listening. Records each POST as DIR/NNNNNN.json (path,
Authorization and Content-Type headers, body as text, client port) before answering:
POST /status/NNN answers NNN, anything else 201 {"id": "sms-N"}. HTTP/1.1 keep-alive.
Exits when its parent goes away or after --lifetime seconds.
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--lifetime", type=float, default=600)
args = ap.parse_args()

lock = threading.Lock()
count = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            count += 1
            n = count
        name = os.path.join(args.dir, "%06d" % n)
        record = {
            "path": self.path,
            "authorization": self.headers.get("Authorization"),
            "content_type": self.headers.get("Content-Type"),
            "body": body.decode("utf-8"),
            "client_port": self.client_address[1],
        }
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name + ".json")
        status = int(self.path.rsplit("/", 1)[1]) if self.path.startswith("/status/") else 201
        answer = json.dumps({"id": "sms-%d" % n} if status < 300 else {"error": "status %d" % status}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(args.dir, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))

parent, started = os.getppid(), time.monotonic()


def watchdog():
    while os.getppid() == parent and time.monotonic() - started < args.lifetime:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=watchdog, daemon=True).start()
server.serve_forever()
