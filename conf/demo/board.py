#!/usr/bin/python3
"""make run's demo job board: East African software jobs on four boards,
each in a real provider's format, served on loopback, and a publisher
that adds a new posting every few minutes (and on demand).

    /usr/bin/python3 conf/demo/board.py --port PORT --state DIR \
        [--interval SECONDS]

Boards (sql/seed/demo.sql points a source of the matching adapter at
each):

    GET /v1/boards/savanna-pay/jobs     greenhouse: the Job Board API's
                                        {"jobs": [...], "meta": {...}}
    GET /v0/postings/kilima-health      lever: the postings API's array
    GET /careers/mawingu-cloud          jsonld: a careers page with one
                                        schema.org JobPosting per job
    GET /feeds/tech-jobs-east-africa.xml
                                        rss: a job board's RSS 2.0 feed,
                                        each item naming its employer
    GET /jobs/<id>                      a posting's own page (apply_url)
    GET /robots.txt                     allows everything

Every board answer carries an ETag (a hash of the body) and
Last-Modified (the board's last change); If-None-Match, or else
If-Modified-Since, that still holds is a 304, as the scraper expects.

Control:

    POST /_demo/post[?board=NAME]       publishes a posting now, on that
                                        board or a random one; answers it
                                        as JSON, with the external_id the
                                        board's adapter will store
    GET  /_demo/postings                every posting of every board

The publisher posts every --interval seconds (0: only on demand).
Postings are kept in DIR/postings.json, rewritten (tmp, then rename) on
every change, so a restart keeps the boards; a fresh DIR starts with a
few postings per board, published over the last days.  A board keeps
its MAX_PER_BOARD newest postings: older ones come off it, and the
scraper expires them as it would a filled position.
"""

import argparse
import email.utils
import hashlib
import html
import json
import os
import random
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

MAX_PER_BOARD = 20
INITIAL_PER_BOARD = 3

# name: (company, path, locations).  The RSS board is a job board: its
# postings name other employers.
BOARDS = {
    "greenhouse": ("Savanna Pay", "/v1/boards/savanna-pay/jobs",
                   ["Nairobi, Kenya", "Remote (East Africa)"]),
    "lever": ("Kilima Health", "/v0/postings/kilima-health",
              ["Kampala, Uganda", "Nairobi, Kenya", "Remote (East Africa)"]),
    "jsonld": ("Mawingu Cloud", "/careers/mawingu-cloud",
               ["Kigali, Rwanda", "Nairobi, Kenya", "Remote (East Africa)"]),
    "rss": ("Tech Jobs East Africa", "/feeds/tech-jobs-east-africa.xml",
            ["Nairobi, Kenya", "Kampala, Uganda", "Kigali, Rwanda",
             "Remote (East Africa)"]),
}

ABOUT = {
    "Savanna Pay": "Savanna Pay moves money between mobile wallets, banks "
                   "and merchants in Kenya, Uganda and Rwanda.",
    "Kilima Health": "Kilima Health runs telemedicine and pharmacy "
                     "delivery for clinics in Uganda and Kenya.",
    "Mawingu Cloud": "Mawingu Cloud runs a cloud platform from Kigali for "
                     "businesses across East Africa.",
    "Nyota Labs": "Nyota Labs builds credit scoring for SACCOs and "
                  "microfinance lenders.",
    "Ziwa Analytics": "Ziwa Analytics builds data tools for fisheries and "
                      "farmers around Lake Victoria.",
    "Jua Energy": "Jua Energy sells pay-as-you-go solar kits to homes off "
                  "the grid.",
    "Tembo Logistics": "Tembo Logistics runs a freight marketplace between "
                       "Mombasa, Kampala and Kigali.",
}
RSS_EMPLOYERS = ["Nyota Labs", "Ziwa Analytics", "Jua Energy",
                 "Tembo Logistics"]

COUNTRY = {"Kenya": "KE", "Uganda": "UG", "Rwanda": "RW"}

# title, skills, what the job does
ROLES = [
    ("Backend Engineer (Go)", ["go", "postgresql", "redis", "docker"],
     "build the payment and ledger APIs the mobile apps call"),
    ("Backend Engineer (Python/Django)", ["python", "django", "postgresql",
                                          "celery"],
     "build the services behind the web and USSD channels"),
    ("Full Stack Developer (React/Node.js)", ["react", "node.js",
                                              "typescript", "postgresql"],
     "ship features end to end, from the API to the dashboard"),
    ("Android Developer (Kotlin)", ["kotlin", "android", "jetpack compose"],
     "build an app that works on low-end phones and patchy networks"),
    ("Mobile Developer (Flutter)", ["flutter", "dart", "firebase"],
     "build the customer app for Android and iOS"),
    ("DevOps Engineer", ["kubernetes", "terraform", "docker", "aws"],
     "run the Kubernetes clusters, CI/CD and observability"),
    ("Site Reliability Engineer", ["kubernetes", "prometheus", "go",
                                   "postgresql"],
     "keep the platform up through month-end payment peaks"),
    ("Data Engineer", ["python", "sql", "airflow", "kafka"],
     "build the pipelines that feed reporting and the credit models"),
    ("Machine Learning Engineer", ["python", "scikit-learn", "sql",
                                   "docker"],
     "put credit and fraud models into production"),
    ("Software Engineer, Mobile Money Integrations", ["java", "spring boot",
                                                      "kafka", "rest"],
     "integrate mobile money and bank APIs across the region"),
    ("QA Automation Engineer", ["cypress", "python", "ci/cd"],
     "automate the tests of the apps and APIs"),
    ("Frontend Developer (React)", ["react", "typescript", "css"],
     "build the merchant dashboard"),
]
LEVELS = ["", "", "Senior ", "Junior ", "Lead "]
TYPES = ["Full-time", "Full-time", "Full-time", "Contract", "Part-time",
         "Internship"]


class Board:
    def __init__(self, state_dir):
        self.path = os.path.join(state_dir, "postings.json")
        self.lock = threading.Lock()
        self.rng = random.Random()
        try:
            with open(self.path) as f:
                self.state = json.load(f)
        except FileNotFoundError:
            self.state = {"next_id": 1, "changed": {}, "postings": []}
            for name in BOARDS:
                for _ in range(INITIAL_PER_BOARD):
                    self.add(name, time.time()
                             - self.rng.uniform(3600, 5 * 86400))
            self.save()

    def save(self):
        with open(self.path + ".tmp", "w") as f:
            json.dump(self.state, f, indent=1)
        os.rename(self.path + ".tmp", self.path)

    def on(self, name):
        """A board's postings, newest first."""
        return sorted((p for p in self.state["postings"]
                       if p["board"] == name),
                      key=lambda p: -p["posted_at"])

    def add(self, name, posted_at):
        company, _, locations = BOARDS[name]
        if name == "rss":
            company = self.rng.choice(RSS_EMPLOYERS)
        taken = {(p["title"], p["company"], p["location"])
                 for p in self.on(name)}
        for _ in range(100):
            role, skills, duty = self.rng.choice(ROLES)
            title = self.rng.choice(LEVELS) + role
            location = self.rng.choice(locations)
            if (title, company, location) not in taken:
                break
        remote = location.startswith("Remote")
        p = {"id": self.state["next_id"], "board": name, "title": title,
             "company": company, "location": location,
             "workplace": "remote" if remote
                          else self.rng.choice(["hybrid", "on-site"]),
             "employment_type": self.rng.choice(TYPES),
             "salary": self.salary(location), "skills": skills,
             "duty": duty, "posted_at": round(posted_at, 3)}
        self.state["next_id"] += 1
        self.state["postings"].append(p)
        board = self.on(name)
        for old in board[MAX_PER_BOARD:]:
            self.state["postings"].remove(old)
        self.state["changed"][name] = max(posted_at, time.time())
        return p

    def salary(self, location):
        """Sometimes: KES a month in Kenya, else USD a year."""
        if self.rng.random() < 0.4:
            return None
        if location.endswith("Kenya"):
            low = self.rng.randrange(120, 400, 10) * 1000
            return {"currency": "KES", "period": "month", "min": low,
                    "max": low + self.rng.randrange(50, 200, 10) * 1000}
        low = self.rng.randrange(18, 60, 2) * 1000
        return {"currency": "USD", "period": "year", "min": low,
                "max": low + self.rng.randrange(6, 30, 2) * 1000}

    def post(self, name=None):
        with self.lock:
            p = self.add(name or self.rng.choice(sorted(BOARDS)), time.time())
            self.save()
            return p


# --- what each provider answers

def external_id(p):
    """The id the board's adapter stores (jobs.external_id)."""
    return {"greenhouse": str(4000000 + p["id"]),
            "lever": str(uuid.uuid5(uuid.NAMESPACE_URL,
                                    "kilima-health/%d" % p["id"])),
            "jsonld": "MC-%04d" % p["id"],
            "rss": "teja-%d" % p["id"]}[p["board"]]


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def pay_text(s):
    return "%s %s - %s per %s" % (s["currency"], format(s["min"], ",d"),
                                  format(s["max"], ",d"), s["period"])


def description_html(p):
    parts = ["<p>%s</p>" % html.escape(ABOUT[p["company"]]),
             "<p>As our %s you will %s.</p>" % (html.escape(p["title"]),
                                                 html.escape(p["duty"])),
             "<h3>Requirements</h3><ul>%s</ul>" % "".join(
                 "<li>Experience with %s</li>" % html.escape(s)
                 for s in p["skills"])]
    if p["workplace"] == "hybrid":
        parts.append("<p>Hybrid: three days a week in the office.</p>")
    return "".join(parts)


def greenhouse(base, posts):
    jobs = []
    for p in posts:
        meta = [{"id": 1, "name": "Employment Type",
                 "value": p["employment_type"],
                 "value_type": "single_select"},
                {"id": 2, "name": "Workplace Type",
                 "value": p["workplace"].title(),
                 "value_type": "single_select"}]
        if p["salary"]:
            s = p["salary"]
            meta.append({"id": 3, "name": "%sly Salary" % s["period"].title(),
                         "value": {"min_value": str(s["min"]),
                                   "max_value": str(s["max"]),
                                   "unit": s["currency"]},
                         "value_type": "currency_range"})
        jobs.append({
            "id": int(external_id(p)), "internal_job_id": 2000000 + p["id"],
            "title": p["title"], "updated_at": iso(p["posted_at"]),
            "first_published": iso(p["posted_at"]),
            "requisition_id": "SP-%d" % p["id"],
            "location": {"name": p["location"]},
            "absolute_url": "%s/jobs/%d" % (base, p["id"]),
            "content": html.escape(description_html(p)),
            "metadata": meta,
            "departments": [{"id": 10, "name": "Engineering"}],
            "offices": [{"id": 20, "name": p["location"]}]})
    return "application/json", json.dumps(
        {"jobs": jobs, "meta": {"total": len(jobs)}}, indent=1)


def lever(base, posts):
    out = []
    for p in posts:
        country = p["location"].rsplit(", ", 1)[-1]
        o = {"id": external_id(p), "text": p["title"],
             "createdAt": int(p["posted_at"] * 1000),
             "categories": {"location": p["location"],
                            "commitment": p["employment_type"],
                            "team": "Engineering",
                            "department": "Technology",
                            "allLocations": [p["location"]]},
             "country": COUNTRY.get(country),
             "workplaceType": p["workplace"],
             "description": "<div>%s</div><div>As our %s you will %s.</div>"
                            % (html.escape(ABOUT[p["company"]]),
                               html.escape(p["title"]),
                               html.escape(p["duty"])),
             "descriptionPlain": "%s As our %s you will %s." % (
                 ABOUT[p["company"]], p["title"], p["duty"]),
             "lists": [{"text": "Requirements", "content": "".join(
                 "<li>Experience with %s</li>" % html.escape(s)
                 for s in p["skills"])}],
             "additional": "<div>Medical cover for you and your family."
                           "</div>",
             "hostedUrl": "%s/jobs/%d" % (base, p["id"]),
             "applyUrl": "%s/jobs/%d/apply" % (base, p["id"])}
        if p["salary"]:
            s = p["salary"]
            o["salaryRange"] = {"currency": s["currency"],
                                "interval": "per-%s-salary" % s["period"],
                                "min": s["min"], "max": s["max"]}
        out.append(o)
    return "application/json", json.dumps(out, indent=1)


def job_posting(base, p):
    o = {"@type": "JobPosting", "title": p["title"],
         "description": description_html(p),
         "datePosted": iso(p["posted_at"]),
         "employmentType": {"Full-time": "FULL_TIME",
                            "Contract": "CONTRACTOR",
                            "Part-time": "PART_TIME",
                            "Internship": "INTERN"}[p["employment_type"]],
         "identifier": {"@type": "PropertyValue", "name": p["company"],
                        "value": external_id(p)},
         "hiringOrganization": {"@type": "Organization",
                                "name": p["company"]},
         "url": "%s/jobs/%d" % (base, p["id"]),
         "skills": ", ".join(p["skills"])}
    if p["workplace"] == "remote":
        o["jobLocationType"] = "TELECOMMUTE"
        o["applicantLocationRequirements"] = [
            {"@type": "Country", "name": c} for c in sorted(COUNTRY)]
    else:
        city, country = p["location"].split(", ")
        o["jobLocation"] = {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": city,
            "addressCountry": {"@type": "Country", "name": country}}}
    if p["salary"]:
        s = p["salary"]
        o["baseSalary"] = {"@type": "MonetaryAmount",
                           "currency": s["currency"],
                           "value": {"@type": "QuantitativeValue",
                                     "minValue": s["min"],
                                     "maxValue": s["max"],
                                     "unitText": s["period"].upper()}}
    return o


def page(title, body, postings):
    ld = json.dumps({"@context": "https://schema.org", "@graph": postings},
                    indent=1).replace("</", "<\\/")
    return "text/html; charset=utf-8", (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>%s</title>\n<script type=\"application/ld+json\">\n%s\n"
        "</script></head>\n<body><h1>%s</h1>\n%s\n</body></html>\n"
        % (html.escape(title), ld, html.escape(title), body))


def careers(base, posts):
    items = "".join("<li><a href=\"/jobs/%d\">%s</a> - %s</li>\n"
                    % (p["id"], html.escape(p["title"]),
                       html.escape(p["location"])) for p in posts)
    return page("Careers at Mawingu Cloud", "<ul>\n%s</ul>" % items,
                [job_posting(base, p) for p in posts])


def rss(base, posts):
    items = []
    for p in posts:
        extra = ("<salary>%s</salary>" % pay_text(p["salary"])
                 if p["salary"] else "")
        items.append(
            "<item><title>%s</title><link>%s/jobs/%d</link>"
            "<guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate>"
            "<company>%s</company><location>%s</location>%s"
            "<job_type>%s</job_type><description>%s</description></item>"
            % (xml_escape(p["title"]), base, p["id"], external_id(p),
               email.utils.formatdate(p["posted_at"], usegmt=True),
               xml_escape(p["company"]), xml_escape(p["location"]), extra,
               p["employment_type"], xml_escape(description_html(p))))
    return "application/rss+xml; charset=utf-8", (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">"
        "<channel><title>Tech Jobs East Africa</title><link>%s/</link>"
        "<description>Software jobs in Kenya, Uganda and Rwanda"
        "</description>\n%s\n</channel></rss>\n" % (base, "\n".join(items)))


RENDER = {"greenhouse": greenhouse, "lever": lever, "jsonld": careers,
          "rss": rss}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    board = None                    # the Board, set by main()

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, ctype, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status, doc):
        self.answer(status, "application/json", json.dumps(doc, indent=2)
                    + "\n")

    def do_GET(self):
        path = urlsplit(self.path).path
        base = "http://" + self.headers.get("Host", "127.0.0.1")
        if path == "/robots.txt":
            return self.answer(200, "text/plain", "User-agent: *\nAllow: /\n")
        if path == "/_demo/postings":
            with self.board.lock:
                return self.send_json(200, self.board.state["postings"])
        if path.startswith("/jobs/"):
            return self.job_page(base, path[6:].split("/")[0])
        for name, (_, board_path, _) in BOARDS.items():
            if path == board_path:
                return self.board_page(base, name)
        self.send_json(404, {"error": "not found"})

    def job_page(self, base, id_text):
        with self.board.lock:
            p = next((p for p in self.board.state["postings"]
                      if str(p["id"]) == id_text), None)
        if p is None:
            return self.answer(404, "text/html", "<p>This job is gone.</p>")
        self.answer(200, *page("%s at %s" % (p["title"], p["company"]),
                               description_html(p),
                               [job_posting(base, p)]))

    def board_page(self, base, name):
        with self.board.lock:
            ctype, body = RENDER[name](base, self.board.on(name))
            changed = int(self.board.state["changed"].get(name, 0))
        data = body.encode()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()
        headers = [("ETag", etag), ("Last-Modified",
                                    email.utils.formatdate(changed,
                                                           usegmt=True))]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            fresh = etag in [t.strip().removeprefix("W/")
                             for t in inm.split(",")] or inm.strip() == "*"
        else:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                since = None
            fresh = since is not None and changed <= since
        if fresh:
            self.send_response(304)
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            return
        self.answer(200, ctype, data, headers)

    def do_POST(self):
        url = urlsplit(self.path)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path != "/_demo/post":
            return self.send_json(404, {"error": "not found"})
        name = parse_qs(url.query).get("board", [None])[0]
        if name is not None and name not in BOARDS:
            return self.send_json(400, {"error": "board is one of "
                                   + ", ".join(sorted(BOARDS))})
        p = self.board.post(name)
        base = "http://" + self.headers.get("Host", "127.0.0.1")
        self.send_json(201, {"board": p["board"], "source_url": base
                        + BOARDS[p["board"]][1],
                        "external_id": external_id(p), "title": p["title"],
                        "company": p["company"], "location": p["location"],
                        "employment_type": p["employment_type"],
                        "salary": pay_text(p["salary"]) if p["salary"]
                        else None,
                        "url": "%s/jobs/%d" % (base, p["id"]),
                        "posted_at": iso(p["posted_at"])})


def publisher(board, interval, stop):
    while not stop.wait(interval):
        board.post()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--interval", type=float, default=180)
    args = ap.parse_args()
    os.makedirs(args.state, exist_ok=True)

    Handler.board = Board(args.state)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    stop = threading.Event()
    if args.interval > 0:
        threading.Thread(target=publisher, daemon=True,
                         args=(Handler.board, args.interval, stop)).start()

    def shutdown(signum, frame):
        stop.set()
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    server.serve_forever()


if __name__ == "__main__":
    main()
