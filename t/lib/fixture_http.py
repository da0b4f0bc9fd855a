#!/usr/bin/python3
"""A job board for the scraper's tests: serves files in each provider's
real response format, and answers as scripted.

    fixture_http.py <state dir>

Listens on 127.0.0.1, port 0, and writes the port to <state dir>/port.
Every request reads <state dir>/routes.json, {"<path>": spec}, the path
with its query string if such a route exists ("/careers/?page=2"), else
without it; spec is

    {"file": "<path>", "type": "application/json",
     "status": 500,          answer this status with a short body
     "delay": 1.5,           seconds before the body
     "gzip": true}           Content-Encoding: gzip when accepted

A POST (a JSON search endpoint) is routed the same way; its spec may
pick the file by a field of the JSON body it carries:

    {"body_key": "offset", "files": {"0": "<path>", "20": "<path>"}}

(a value not listed is a 404).

A file gets an ETag (its MD5) and Last-Modified (its mtime), and If-None-
Match gets 304.  A path without a route is a 404
(robots.txt included: "allow all").  Every request is logged as a JSON
line in <state dir>/requests.log: time, method, path, status,
User-Agent, If-None-Match, If-Modified-Since, Accept-Encoding, and a
POST's Content-Type and body.
"""

import email.utils
import gzip
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
LOG_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        line = json.dumps({
            "t": time.time(),
            "method": self.command,
            "path": self.path,
            "status": status,
            "ua": self.headers.get("User-Agent"),
            "inm": self.headers.get("If-None-Match"),
            "ims": self.headers.get("If-Modified-Since"),
            "ae": self.headers.get("Accept-Encoding"),
            "ctype": self.headers.get("Content-Type"),
            "body": getattr(self, "posted", None),
        })
        with LOG_LOCK:
            with open(os.path.join(STATE, "requests.log"), "a") as f:
                f.write(line + "\n")

    def answer(self, status, body=b"", headers=None, delay=0):
        self.record(status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if delay:
            self.wfile.flush()
            time.sleep(delay)
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def route(self):
        path = self.path.split("?", 1)[0]
        try:
            with open(os.path.join(STATE, "routes.json")) as f:
                routes = json.load(f)
        except (OSError, ValueError):
            routes = {}
        return routes.get(self.path, routes.get(path))

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.posted = self.rfile.read(n).decode("utf-8", "replace")
        spec = self.route()
        if spec is not None and "body_key" in spec:
            try:
                value = json.loads(self.posted).get(spec["body_key"])
            except (ValueError, AttributeError):
                value = None
            file = spec["files"].get(str(value))
            spec = dict(spec, file=file) if file else None
        return self.serve(spec)

    def do_GET(self):
        self.posted = None          # a kept-alive handler's last POST
        return self.serve(self.route())

    def serve(self, spec):
        if spec is None:
            return self.answer(404, b"not found\n",
                               {"Content-Type": "text/plain"})

        if "status" in spec:
            return self.answer(spec["status"], b"scripted\n",
                               {"Content-Type": "text/plain"},
                               spec.get("delay", 0))

        with open(spec["file"], "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.md5(body).hexdigest()
        mtime = os.stat(spec["file"]).st_mtime
        lm = email.utils.formatdate(mtime, usegmt=True)
        headers = {"Content-Type": spec.get("type", "application/json"),
                   "ETag": etag, "Last-Modified": lm}

        if self.headers.get("If-None-Match") == etag:
            return self.answer(304, b"", {"ETag": etag})

        if spec.get("gzip") and "gzip" in (
                self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"

        return self.answer(200, body, headers, spec.get("delay", 0))


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = os.path.join(STATE, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(STATE, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
