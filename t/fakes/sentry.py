#!/usr/bin/env python3
"""A local stand-in for Sentry's envelope endpoint, for the tests.

POST /api/<project>/envelope/ is checked the way Sentry's ingestion does:
the X-Sentry-Auth header (the "Sentry" scheme, sentry_version=7, the
project's public key, a sentry_client), the envelope header line (a JSON
object; event_id of 32 hex digits; dsn, when given, naming this project's
key), each item's header (a JSON object with a type; a length, when given,
exactly the payload's bytes, followed by a newline or the end), and an
event payload (a JSON object with the envelope's event_id, a timestamp, a
known level and platform).  A malformed envelope is answered 400 and not
kept; an accepted event is kept and answered 200 {"id": ...}.

Control (JSON): GET /_fake/events (accepted events), GET /_fake/stats
(requests, rejects, last reject reason), POST /_fake/config
{"status": 429, "retry_after": 5, "count": 1} answers the next count
envelopes with that status (and Retry-After) instead, {"delay": 30,
"count": 5} answers them 503 after that many seconds (a hung Sentry),
POST /_fake/reset.  Each kept event has "_received", the fake's clock.

    sentry.py --port-file F --key KEY --project 42 [--port P]
"""

import argparse
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEX32 = re.compile(r'\A[0-9a-f]{32}\Z')
LEVELS = {'fatal', 'error', 'warning', 'info', 'debug'}
PLATFORMS = {'as3', 'c', 'cfml', 'cocoa', 'csharp', 'elixir', 'haskell',
             'go', 'groovy', 'java', 'javascript', 'native', 'node',
             'objc', 'other', 'perl', 'php', 'python', 'ruby'}
RFC3339 = re.compile(r'\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?'
                     r'(Z|[+-]\d\d:\d\d)\Z')


class Invalid(Exception):
    pass


class State:
    def __init__(self, key, project):
        self.key = key
        self.project = project
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.events = []
        self.requests = 0
        self.rejects = 0
        self.last_reject = ''
        self.forced = None


def parse_auth(header, state):
    if not header or not header.startswith('Sentry '):
        raise Invalid('X-Sentry-Auth: missing or not the Sentry scheme')
    fields = {}
    for part in header[len('Sentry '):].split(','):
        name, sep, value = part.strip().partition('=')
        if not sep:
            raise Invalid('X-Sentry-Auth: malformed %r' % part)
        fields[name] = value
    if fields.get('sentry_version') != '7':
        raise Invalid('X-Sentry-Auth: sentry_version is not 7')
    if fields.get('sentry_key') != state.key:
        raise Invalid('X-Sentry-Auth: unknown sentry_key')
    if not fields.get('sentry_client'):
        raise Invalid('X-Sentry-Auth: no sentry_client')


def json_line(body, pos, what):
    end = body.find(b'\n', pos)
    if end == -1:
        end = len(body)
    try:
        value = json.loads(body[pos:end].decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        raise Invalid('%s: not JSON (%s)' % (what, e))
    if not isinstance(value, dict):
        raise Invalid('%s: not an object' % what)
    return value, end + 1


def parse_envelope(body, state):
    header, pos = json_line(body, 0, 'envelope header')
    event_id = header.get('event_id')
    if event_id is not None and not (isinstance(event_id, str)
                                     and HEX32.match(event_id)):
        raise Invalid('envelope header: event_id is not 32 hex digits')
    dsn = header.get('dsn')
    if dsn is not None and ('//%s@' % state.key not in dsn
                            or not dsn.endswith('/' + state.project)):
        raise Invalid('envelope header: dsn of another project')
    sent_at = header.get('sent_at')
    if sent_at is not None and not (isinstance(sent_at, str)
                                    and RFC3339.match(sent_at)):
        raise Invalid('envelope header: sent_at is not RFC 3339')

    events = []
    while pos < len(body):
        item, pos = json_line(body, pos, 'item header')
        if not isinstance(item.get('type'), str):
            raise Invalid('item header: no type')
        length = item.get('length')
        if length is not None:
            if not isinstance(length, int) or length < 0:
                raise Invalid('item header: invalid length')
            payload = body[pos:pos + length]
            if len(payload) != length:
                raise Invalid('item: shorter than its length')
            pos += length
            if pos < len(body):
                if body[pos:pos + 1] != b'\n':
                    raise Invalid('item: no newline after its length')
                pos += 1
        else:
            end = body.find(b'\n', pos)
            end = len(body) if end == -1 else end
            payload = body[pos:end]
            pos = end + 1
        if item['type'] == 'event':
            events.append(check_event(payload, event_id))
    if not events:
        raise Invalid('no event item')
    return events


def check_event(payload, event_id):
    try:
        event = json.loads(payload.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        raise Invalid('event: not JSON (%s)' % e)
    if not isinstance(event, dict):
        raise Invalid('event: not an object')
    eid = event.get('event_id')
    if not (isinstance(eid, str) and HEX32.match(eid)):
        raise Invalid('event: event_id is not 32 hex digits')
    if event_id is not None and eid != event_id:
        raise Invalid('event: event_id differs from the envelope\'s')
    ts = event.get('timestamp')
    if not ((isinstance(ts, str) and RFC3339.match(ts))
            or isinstance(ts, (int, float))):
        raise Invalid('event: no valid timestamp')
    if event.get('level', 'error') not in LEVELS:
        raise Invalid('event: unknown level')
    if event.get('platform', 'other') not in PLATFORMS:
        raise Invalid('event: unknown platform')
    for name in ('tags', 'user', 'request', 'extra'):
        if name in event and not isinstance(event[name], dict):
            raise Invalid('event: %s is not an object' % name)
    for k, v in event.get('tags', {}).items():
        if not isinstance(v, str) or len(k) > 32 or len(v) > 200:
            raise Invalid('event: tag %r invalid' % k)
    return event


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def do_GET(self):
        st = self.server.state
        with st.lock:
            if self.path == '/_fake/events':
                return self.reply(200, st.events)
            if self.path == '/_fake/stats':
                return self.reply(200, {'requests': st.requests,
                                        'rejects': st.rejects,
                                        'last_reject': st.last_reject})
        self.reply(404, {'detail': 'not found'})

    def do_POST(self):
        st = self.server.state
        body = self.body()
        if self.path == '/_fake/config':
            with st.lock:
                st.forced = json.loads(body or b'{}')
            return self.reply(200, {})
        if self.path == '/_fake/reset':
            with st.lock:
                st.reset()
            return self.reply(200, {})
        if self.path != '/api/%s/envelope/' % st.project:
            return self.reply(404, {'detail': 'not found'})

        with st.lock:
            st.requests += 1
            forced = None
            if st.forced and st.forced.get('count', 1) > 0:
                st.forced['count'] = st.forced.get('count', 1) - 1
                forced = dict(st.forced)
        if forced and forced.get('delay'):
            # a hung Sentry: the answer comes late, and is a refusal
            time.sleep(forced['delay'])
            return self.reply(503, {'detail': 'delayed'})
        if forced and forced.get('status'):
            headers = []
            if 'retry_after' in forced:
                headers.append(('Retry-After', str(forced['retry_after'])))
            return self.reply(forced['status'], {'detail': 'forced'},
                              headers)

        with st.lock:
            try:
                parse_auth(self.headers.get('X-Sentry-Auth'), st)
                events = parse_envelope(body, st)
            except Invalid as e:
                st.rejects += 1
                st.last_reject = str(e)
                return self.reply(400, {'detail': str(e)})
            for event in events:
                event['_received'] = time.time()
            st.events.extend(events)
        self.reply(200, {'id': events[0]['event_id']})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--key', required=True)
    ap.add_argument('--project', default='42')
    a = ap.parse_args()

    server = ThreadingHTTPServer(('127.0.0.1', a.port), Handler)
    server.daemon_threads = True
    server.state = State(a.key, a.project)
    with open(a.port_file + '.tmp', 'w') as f:
        f.write('%d\n' % server.server_address[1])
    os.rename(a.port_file + '.tmp', a.port_file)
    server.serve_forever()


if __name__ == '__main__':
    main()
