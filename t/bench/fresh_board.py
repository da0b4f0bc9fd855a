#!/usr/bin/python3
"""The boards of the freshness bench (t/bench/fresh.pl): a few hundred job
boards on one loopback port, told apart by the Host header (libcurl
resolves *.localhost to 127.0.0.1), each publishing postings at random
times while jobscoutd polls them.

    fresh_board.py <state dir> [--seed N] [--api-boards N] [--sites N]

Hosts:
  boards-api.localhost   one public-API host holding --api-boards boards
                         in Greenhouse's Job Board API format:
                         /v1/boards/fresh<N>/jobs
  site<NNN>.localhost    --sites small career sites, one board each, in
                         turn a JSON-LD careers page (/careers/), an RSS
                         feed (/jobs.rss) or Lever's postings API
                         (/v0/postings/site<NNN>)
Each host has a robots.txt: most allow everything, some ask for a
Crawl-delay, some have none (404), site001 disallows /internal/ (where
the plan puts one extra source, to show that it is never fetched).

Each board publishes postings as a Poisson process: a share (--busy) of
them every few minutes on average, the rest every few hours; now and
then a board also takes down a posting, one older than half an hour (the
initial ones), so that a posting counted by the bench never vanishes
before it could be seen.  Every answer has an ETag and Last-Modified;
If-None-Match or If-Modified-Since that still hold get a 304.

Writes to the state dir:
  plan.json      the boards: id, kind, host, path, url (a source's),
                 priority, busy,
                 robots (the text served, or null for a 404)
  port           the port, once listening
  postings.log   "<unix time>\t<add|init|remove>\t<board>\t<external id>"
                 per change, the time it became visible (or went)
  requests.log   "<unix time>\t<host>\t<path>\t<status>" per request, the
                 time it arrived (for a connection's first, when the
                 connection was accepted)
"""

import argparse
import email.utils
import hashlib
import heapq
import html
import json
import os
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_HOST = "boards-api.localhost"
SITE_KINDS = ("jsonld", "rss", "lever")
ROLES = ("Backend Engineer", "Data Analyst", "Product Designer",
         "Site Reliability Engineer", "Accountant", "Sales Manager",
         "Mobile Developer", "Support Specialist")
BUSY_MEAN = 240.0          # seconds between postings of a busy board
QUIET_MEAN = 4 * 3600.0    # ... of a quiet one
REMOVE_SHARE = 0.3         # removals per posting
REMOVABLE_AGE = 1800.0     # a posting this old may be taken down
INITIAL = 3                # postings on each board at start


class Board:
    def __init__(self, ident, kind, host, path, priority, busy, robots):
        self.id = ident
        self.kind = kind
        self.host = host
        self.path = path
        self.priority = priority
        self.busy = busy
        self.robots = robots
        self.postings = []          # (external id, title, visible since)
        self.serial = 0
        self.body = b""
        self.etag = ""
        self.changed = 0.0

    def url(self, port):
        base = "http://%s:%d" % (self.host, port)
        if self.kind == "greenhouse":
            return "fresh%d" % self.id          # a board token
        if self.kind == "lever":
            return base + self.path + "?mode=json"
        return base + self.path

    def external_id(self):
        self.serial += 1
        if self.kind == "greenhouse":
            return str(self.id * 100000 + self.serial)
        return "fb-%d-%d" % (self.id, self.serial)

    def render(self, now):
        """The board's page as the provider would serve it."""
        jobs = []
        for ext, title, since in self.postings:
            link = "http://%s/jobs/%s" % (self.host, ext)
            text = ("%s for board %d, opening %s: build and run services"
                    " for our customers." % (title, self.id, ext))
            jobs.append((ext, title, since, link, text))
        if self.kind == "greenhouse":
            doc = {"jobs": [{"id": int(ext), "title": title,
                             "updated_at": iso(since),
                             "first_published": iso(since),
                             "location": {"name": "Nairobi, Kenya"},
                             "absolute_url": link,
                             "content": html.escape("<p>%s</p>" % text)}
                            for ext, title, since, link, text in jobs],
                   "meta": {"total": len(jobs)}}
            body = json.dumps(doc)
        elif self.kind == "lever":
            body = json.dumps([{"id": ext, "text": title,
                                "createdAt": int(since * 1000),
                                "categories": {"location": "Nairobi, Kenya",
                                               "commitment": "Full-time"},
                                "description": "<div>%s</div>" % text,
                                "hostedUrl": link,
                                "applyUrl": link + "/apply"}
                               for ext, title, since, link, text in jobs])
        elif self.kind == "rss":
            items = "".join(
                "<item><title>%s</title><link>%s</link>"
                "<guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate>"
                "<description>%s</description></item>\n"
                % (html.escape(title), link, ext,
                   email.utils.formatdate(since, usegmt=True),
                   html.escape(text))
                for ext, title, since, link, text in jobs)
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<rss version=\"2.0\"><channel><title>Jobs at site %d"
                    "</title><link>http://%s/</link>\n%s</channel></rss>\n"
                    % (self.id, self.host, items))
        else:
            postings = [{"@context": "https://schema.org",
                         "@type": "JobPosting", "title": title,
                         "description": "<p>%s</p>" % text,
                         "identifier": ext, "datePosted": iso(since),
                         "jobLocation": {"@type": "Place",
                                         "address": "Nairobi, Kenya"},
                         "url": link}
                        for ext, title, since, link, text in jobs]
            body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                    "<title>Careers</title><script type=\"application/ld+json"
                    "\">%s</script></head><body><h1>Open roles</h1></body>"
                    "</html>\n" % json.dumps(postings).replace("</", "<\\/"))
        self.body = body.encode()
        self.etag = '"%s"' % hashlib.md5(self.body).hexdigest()
        self.changed = now


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def make_boards(rng, api_boards, sites, busy_share):
    boards = []
    for i in range(1, api_boards + sites + 1):
        if i <= api_boards:
            kind, host = "greenhouse", API_HOST
            path = "/v1/boards/fresh%d/jobs" % i
            robots = "User-agent: *\nAllow: /\n"
        else:
            n = i - api_boards
            kind = SITE_KINDS[n % len(SITE_KINDS)]
            host = "site%03d.localhost" % n
            path = {"jsonld": "/careers/", "rss": "/jobs.rss",
                    "lever": "/v0/postings/site%03d" % n}[kind]
            r = rng.random()
            if n == 1:
                robots = "User-agent: *\nDisallow: /internal/\n"
            elif r < 0.1:
                robots = "User-agent: *\nCrawl-delay: 10\nDisallow:\n"
            elif r < 0.15:
                robots = None                       # 404: allow all
            else:
                robots = "User-agent: *\nDisallow: /admin/\n"
        boards.append(Board(i, kind, host, path,
                            "high" if rng.random() < 1 / 3 else "normal",
                            rng.random() < busy_share, robots))
    return boards


class Fixture:
    def __init__(self, state, boards, rng):
        self.state = state
        self.boards = boards
        self.rng = rng
        self.lock = threading.Lock()
        self.routes = {}            # (host, path) -> board
        self.robots = {}            # host -> text or None
        for b in boards:
            self.routes[(b.host, b.path)] = b
            self.robots[b.host] = b.robots
        self.plog = open(os.path.join(state, "postings.log"), "a")
        self.rlog = open(os.path.join(state, "requests.log"), "a")

    def post(self, board, now, event):
        ext = board.external_id()
        title = "%s %s" % (self.rng.choice(ROLES), ext)
        since = now if event == "add" else now - 86400
        board.postings.append((ext, title, since))
        self.plog.write("%.3f\t%s\t%d\t%s\n" % (now, event, board.id, ext))

    def remove(self, board, now):
        old = [p for p in board.postings if now - p[2] > REMOVABLE_AGE]
        if old:
            p = self.rng.choice(old)
            board.postings.remove(p)
            self.plog.write("%.3f\tremove\t%d\t%s\n" % (now, board.id, p[0]))
            return True
        return False

    def publish(self):
        """The boards' postings and removals, at their random times."""
        now = time.time()
        events = []
        with self.lock:
            for b in self.boards:
                for _ in range(INITIAL):
                    self.post(b, now, "init")
                b.render(now)
                mean = BUSY_MEAN if b.busy else QUIET_MEAN
                heapq.heappush(events, (now + self.rng.expovariate(1 / mean),
                                        b.id, "add"))
                heapq.heappush(events, (now + self.rng.expovariate(
                    REMOVE_SHARE / mean), b.id, "remove"))
            self.plog.flush()
        while True:
            at, ident, what = heapq.heappop(events)
            time.sleep(max(0.0, at - time.time()))
            b = self.boards[ident - 1]
            mean = BUSY_MEAN if b.busy else QUIET_MEAN
            with self.lock:
                now = time.time()
                if what == "add":
                    self.post(b, now, "add")
                    b.render(now)
                elif self.remove(b, now):
                    b.render(now)
                self.plog.flush()
            rate = 1 / mean if what == "add" else REMOVE_SHARE / mean
            heapq.heappush(events, (at + self.rng.expovariate(rate), ident,
                                    what))

    def record(self, t, host, path, status):
        with self.lock:
            self.rlog.write("%.3f\t%s\t%s\t%d\n" % (t, host, path, status))
            self.rlog.flush()


class Server(ThreadingHTTPServer):
    """Notes when each connection was accepted: the time a connection's
    first request arrived, however long its thread takes to start."""

    daemon_threads = True

    def get_request(self):
        conn, addr = super().get_request()
        return conn, (addr[0], addr[1], time.time())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fixture = None

    def setup(self):
        super().setup()
        self.accepted = self.client_address[2]

    def log_message(self, fmt, *args):
        pass

    def answer(self, host, status, body=b"", headers=None):
        # the first request of a connection arrived when it was accepted
        t, self.accepted = self.accepted or time.time(), None
        self.fixture.record(t, host, self.path, status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        fx = self.fixture
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = self.path.split("?", 1)[0]
        if path == "/robots.txt" and fx.robots.get(host) is not None:
            return self.answer(host, 200, fx.robots[host].encode(),
                               {"Content-Type": "text/plain"})
        board = fx.routes.get((host, path))
        if board is None:
            return self.answer(host, 404, b"not found\n",
                               {"Content-Type": "text/plain"})
        with fx.lock:
            body, etag, changed = board.body, board.etag, board.changed
        lm = email.utils.formatdate(int(changed), usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            fresh = etag in [t.strip() for t in inm.split(",")]
        elif ims is not None:
            try:
                fresh = email.utils.parsedate_to_datetime(ims).timestamp() \
                    >= int(changed)
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            return self.answer(host, 304, b"", {"ETag": etag,
                                                "Last-Modified": lm})
        kind = {"greenhouse": "application/json", "lever": "application/json",
                "rss": "application/rss+xml",
                "jsonld": "text/html; charset=utf-8"}[board.kind]
        return self.answer(host, 200, body, {"Content-Type": kind,
                                             "ETag": etag,
                                             "Last-Modified": lm})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("state")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--api-boards", type=int, default=150)
    ap.add_argument("--sites", type=int, default=150)
    ap.add_argument("--busy", type=float, default=0.1)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    boards = make_boards(rng, a.api_boards, a.sites, a.busy)
    fx = Fixture(a.state, boards, rng)
    Handler.fixture = fx
    srv = Server(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]

    plan = [{"id": b.id, "kind": b.kind, "host": b.host, "path": b.path,
             "url": b.url(port),
             "priority": b.priority, "busy": b.busy, "robots": b.robots}
            for b in boards]
    with open(os.path.join(a.state, "plan.json"), "w") as f:
        json.dump({"port": port, "api_host": API_HOST,
                   "disallowed": ["http://site001.localhost:%d/internal/"
                                  "jobs.rss" % port],
                   "boards": plan}, f)

    threading.Thread(target=fx.publish, daemon=True).start()
    tmp = os.path.join(a.state, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, os.path.join(a.state, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
