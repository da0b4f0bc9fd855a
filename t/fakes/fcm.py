#!/usr/bin/python3
"""A local fake of Google's OAuth2 token endpoint and FCM HTTP v1.

    /usr/bin/python3 t/fakes/fcm.py --port-file FILE --private-key PEM \
        --account FILE --client-email EMAIL --project PROJECT \
        [--port PORT] [--token-ttl SECONDS] [--spool DIR]

Listens on 127.0.0.1, on --port or one of the kernel's choosing, written
to --port-file once it accepts connections.  HTTP/1.1 with keep-alive, on
asyncio, so that hundreds of connections in parallel cost little.

--private-key is the service account's RSA key (PEM); the fake checks
assertions with its public half, and writes the service-account file
jobscoutd reads to --account, as the Firebase console gives it, with
token_uri pointing at this fake.  With --spool, every accepted message
is also written, as one JSON file ({"name", "token", "at", "message"}),
to DIR/tmp and then renamed into DIR/new, Maildir-like: a reader of new/
never sees half a file (make run's push sink).

POST /token
    The JWT-bearer grant (RFC 7523) as Google's token endpoint takes it:
    form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and
    assertion=<JWT>.  The assertion's RS256 signature is verified with
    the service account's public key, and its claims: iss = the client
    e-mail, scope has firebase.messaging, aud = this endpoint's URL, iat
    within a minute of now, exp after now and at most an hour after iat.
    Answers {"access_token", "expires_in", "token_type": "Bearer"}, or
    400 {"error": "invalid_grant", ...} (RFC 6749 §5.2).

POST /v1/projects/<project>/messages:send
    Needs "Authorization: Bearer <a token it issued>" (else 401
    UNAUTHENTICATED, without an FcmError detail, as Google answers an
    expired token) and a message of the shape Job Scout sends: exactly a
    token, notification title/body strings, data of strings (job_id,
    type, click_action), android priority HIGH, ttl 3600s and
    notification tag = job_id, apns headers (collapse id = job_id) and
    aps alert/sound/badge, 4096 bytes at most.  A message of another
    shape is a 400 INVALID_ARGUMENT, and remembered as a reject.
    An accepted message answers {"name": "projects/<p>/messages/<n>"}.

Control, for tests (JSON):
    POST /_fake/script    {"<device token>": [answer, ...]}: the next
                          messages to that device get these answers, in
                          order, then are accepted again.  An answer:
                          {"status": 404, "code": "UNREGISTERED"},
                          {"status": 429, "code": "QUOTA_EXCEEDED",
                           "retry_after": "1"}, {"status": 503},
                          {"status": 400, "code": "INVALID_ARGUMENT",
                           "field": "message.token"},
                          {"status": 400, "code": "INVALID_ARGUMENT",
                           "message": "The registration token is not a
                           valid FCM registration token"}
    POST /_fake/revoke    every access token issued so far stops working
    POST /_fake/config    {"delay_ms": N}: each message waits N ms before
                          its answer; {"hold": true}: messages wait until
                          {"hold": false}.  A message whose client is gone
                          when its answer is due is dropped, not accepted:
                          the client can never learn it was delivered.
                          {"token_delay_ms": N}: the token endpoint
                          answers after N ms; {"token_status": S}: it
                          answers S (500: a server error) until 200.
    GET  /_fake/messages  the accepted messages, in order
    GET  /_fake/stats     token requests, issued tokens, rejects,
                          unauthorized, dropped, waiting (delayed or held
                          now), every attempt per device
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import secrets
import signal
import socket
import sys
import time
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class Fake:
    def __init__(self, args):
        with open(args.private_key, "rb") as f:
            self.pem = f.read()
        self.key = serialization.load_pem_private_key(
            self.pem, None).public_key()
        self.spool = args.spool
        self.client_email = args.client_email
        self.project = args.project
        self.token_ttl = args.token_ttl
        self.port = 0
        self.tokens = {}            # access token -> expiry (epoch s)
        self.token_requests = 0
        self.messages = []
        self.rejects = []
        self.unauthorized = 0
        self.dropped = 0
        self.attempts = {}          # device token -> [[epoch s, status]]
        self.scripts = {}
        self.delay = 0.0
        self.hold = None            # an asyncio.Event while holding
        self.waiting = 0            # messages delayed or held right now
        self.token_delay = 0.0
        self.token_status = 200

    # --- OAuth2 token endpoint

    async def token(self, body):
        self.token_requests += 1
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if self.token_status != 200:
            return self.token_status, {"error": "internal_failure"}
        form = urllib.parse.parse_qs(body.decode(), strict_parsing=True)
        if form.get("grant_type") != [GRANT]:
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("assertion", [""])[0]
        why = self.check_assertion(assertion)
        if why:
            return 400, {"error": "invalid_grant", "error_description": why}
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + self.token_ttl
        return 200, {"access_token": token, "expires_in": self.token_ttl,
                     "token_type": "Bearer"}

    def check_assertion(self, jwt):
        parts = jwt.split(".")
        if len(parts) != 3:
            return "not a JWT"
        try:
            head = json.loads(b64url(parts[0]))
            claims = json.loads(b64url(parts[1]))
            sig = b64url(parts[2])
        except ValueError:
            return "undecodable JWT"
        if head.get("alg") != "RS256" or head.get("typ") != "JWT":
            return "header is not RS256 JWT: %r" % head
        try:
            self.key.verify(sig, (parts[0] + "." + parts[1]).encode(),
                            padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "bad signature"
        now = time.time()
        aud = "http://127.0.0.1:%d/token" % self.port
        if claims.get("iss") != self.client_email:
            return "iss is not the client e-mail"
        if SCOPE not in str(claims.get("scope", "")).split(" "):
            return "scope lacks firebase.messaging"
        if claims.get("aud") != aud:
            return "aud is not %s" % aud
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            return "iat/exp are not integers"
        if abs(iat - now) > 60:
            return "iat is not now"
        if exp <= now or exp - iat > 3600:
            return "exp is past or more than an hour after iat"
        return None

    # --- FCM

    def authorized(self, headers):
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return False
        expiry = self.tokens.get(auth[7:])
        return expiry is not None and expiry > time.time()

    def check_message(self, body, path):
        if path != "/v1/projects/%s/messages:send" % self.project:
            return "wrong project in %s" % path
        if len(body) > 4096:
            return "payload over 4096 bytes"
        try:
            doc = json.loads(body)
        except ValueError:
            return "not JSON"
        if set(doc) - {"message", "validate_only"}:
            return "unknown top-level field"
        m = doc.get("message")
        if not isinstance(m, dict):
            return "no message"
        targets = [k for k in ("token", "topic", "condition") if k in m]
        if targets != ["token"] or not isinstance(m["token"], str):
            return "not exactly one token target"
        n = m.get("notification")
        if (not isinstance(n, dict) or not isinstance(n.get("title"), str)
                or not n["title"].startswith("New ") or " at " not in n["title"]
                or not isinstance(n.get("body", ""), str)):
            return "notification is not {title: 'New ... at ...', body}"
        data = m.get("data")
        if (not isinstance(data, dict)
                or not all(isinstance(v, str) for v in data.values())):
            return "data is not a map of strings"
        if (data.get("type") != "new_job"
                or data.get("click_action") != "OPEN_JOB_DETAIL"
                or len(data.get("job_id", "")) != 36):
            return "data lacks job_id/type/click_action"
        a = m.get("android")
        job = data["job_id"]
        if a != {"priority": "HIGH", "ttl": "3600s",
                 "notification": {"tag": job}}:
            return ("android is not {priority: HIGH, ttl: 3600s, "
                    "notification: {tag: job_id}}: %r" % a)
        aps = m.get("apns", {}).get("payload", {}).get("aps", {})
        if (m.get("apns", {}).get("headers")
                != {"apns-priority": "10", "apns-collapse-id": job}
                or not isinstance(aps.get("alert"), dict)
                or aps.get("sound") != "default" or aps.get("badge") != 1):
            return "apns is not headers + aps alert/sound/badge"
        return m

    async def send(self, headers, body, path, writer):
        if not self.authorized(headers):
            self.unauthorized += 1
            return 401, {"error": {
                "code": 401, "status": "UNAUTHENTICATED",
                "message": "Request had invalid authentication "
                           "credentials."}}, {}
        m = self.check_message(body, path)
        if isinstance(m, str):
            self.rejects.append(m)
            return 400, fcm_error(400, "INVALID_ARGUMENT", m), {}
        token = m["token"]
        self.waiting += 1
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.hold is not None:
                await self.hold.wait()
        finally:
            self.waiting -= 1
        script = self.scripts.get(token)
        if script:
            answer = script.pop(0)
            status = answer["status"]
            self.attempts.setdefault(token, []).append([time.time(), status])
            extra = {}
            if "retry_after" in answer:
                extra["Retry-After"] = answer["retry_after"]
            if status == 401:
                self.tokens.clear()
                return 401, {"error": {"code": 401,
                                       "status": "UNAUTHENTICATED",
                                       "message": "expired"}}, extra
            err = fcm_error(status, answer.get("code"),
                            answer.get("message", "scripted"))
            if answer.get("field"):
                err["error"]["details"].append({
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": answer["field"],
                                         "description": "invalid"}]})
            return status, err, extra
        if peer_gone(writer):
            self.dropped += 1
            return None, None, None
        self.attempts.setdefault(token, []).append([time.time(), 200])
        name = "projects/%s/messages/%d" % (self.project,
                                            len(self.messages) + 1)
        accepted = {"name": name, "token": token, "at": time.time(),
                    "message": m}
        self.messages.append(accepted)
        if self.spool:
            self.spool_write(accepted)
        return 200, {"name": name}, {}

    def spool_write(self, accepted):
        name = "%.6f.%d_%d.json" % (accepted["at"], os.getpid(),
                                    len(self.messages))
        write_atomically(os.path.join(self.spool, "tmp", name),
                         json.dumps(accepted, indent=2) + "\n",
                         os.path.join(self.spool, "new", name))

    # --- the service-account file

    def write_account(self, path):
        write_atomically(path + ".tmp", json.dumps({
            "type": "service_account", "project_id": self.project,
            "private_key_id": hashlib.sha1(self.pem).hexdigest(),
            "private_key": self.pem.decode(),
            "client_email": self.client_email,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "http://127.0.0.1:%d/token" % self.port,
        }, indent=2) + "\n", path)

    # --- control

    def control(self, method, path, body):
        if method == "GET" and path == "/_fake/messages":
            return 200, self.messages
        if method == "GET" and path == "/_fake/stats":
            return 200, {"token_requests": self.token_requests,
                         "tokens_issued": len(self.tokens),
                         "rejects": self.rejects,
                         "unauthorized": self.unauthorized,
                         "dropped": self.dropped,
                         "waiting": self.waiting,
                         "attempts": self.attempts}
        doc = json.loads(body or b"{}")
        if method == "POST" and path == "/_fake/script":
            for token, answers in doc.items():
                self.scripts.setdefault(token, []).extend(answers)
            return 200, {}
        if method == "POST" and path == "/_fake/revoke":
            self.tokens.clear()
            return 200, {}
        if method == "POST" and path == "/_fake/config":
            if "delay_ms" in doc:
                self.delay = doc["delay_ms"] / 1000
            if "token_delay_ms" in doc:
                self.token_delay = doc["token_delay_ms"] / 1000
            if "token_status" in doc:
                self.token_status = doc["token_status"]
            if doc.get("hold") and self.hold is None:
                self.hold = asyncio.Event()
            elif "hold" in doc and not doc["hold"] and self.hold is not None:
                self.hold.set()
                self.hold = None
            return 200, {}
        return 404, {"error": "no such control"}

    # --- HTTP/1.1

    async def serve(self, reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                body = await reader.readexactly(
                    int(headers.get("content-length", "0")))
                extra = {}
                if target == "/token" and method == "POST":
                    status, doc = await self.token(body)
                elif target.startswith("/v1/") and method == "POST":
                    status, doc, extra = await self.send(headers, body,
                                                         target, writer)
                    if status is None:
                        break
                elif target.startswith("/_fake/"):
                    status, doc = self.control(method, target, body)
                else:
                    status, doc = 404, {"error": "not found"}
                out = json.dumps(doc).encode()
                head = "HTTP/1.1 %d X\r\nContent-Type: application/json; " \
                       "charset=UTF-8\r\nContent-Length: %d\r\n" % (
                           status, len(out))
                for k, v in extra.items():
                    head += "%s: %s\r\n" % (k, v)
                writer.write(head.encode() + b"\r\n" + out)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


def fcm_error(status, code, message):
    canonical = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED",
                 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                 503: "UNAVAILABLE"}.get(status, "UNKNOWN")
    details = []
    if code:
        details.append({
            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
            "errorCode": code})
    return {"error": {"code": status, "message": message,
                      "status": canonical, "details": details}}


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def write_atomically(tmp, text, path):
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def peer_gone(writer):
    """True when the client closed its end (or reset it)."""
    if writer.is_closing():
        return True
    fd = writer.get_extra_info("socket").fileno()
    sock = socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)
    try:
        return sock.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--private-key", required=True)
    p.add_argument("--account", required=True)
    p.add_argument("--client-email", required=True)
    p.add_argument("--project", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token-ttl", type=int, default=3600)
    p.add_argument("--spool")
    args = p.parse_args()
    fake = Fake(args)
    if args.spool:
        for sub in ("tmp", "new"):
            os.makedirs(os.path.join(args.spool, sub), exist_ok=True)

    server = await asyncio.start_server(fake.serve, "127.0.0.1", args.port,
                                        backlog=1024)
    fake.port = server.sockets[0].getsockname()[1]
    fake.write_account(args.account)
    write_atomically(args.port_file + ".tmp", "%d\n" % fake.port,
                     args.port_file)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
