#!/usr/bin/python3
"""A local fake of an S3-compatible object store, for the tests: path-style
PUT, GET, HEAD and DELETE of objects (in a directory), every request's AWS
Signature V4 checked with botocore (an implementation independent of
libcurl's and of the module's), in an Authorization header or in a
presigned URL's query.  A request that fails the check answers 403
SignatureDoesNotMatch, as S3 does.

  s3.py --port 2061 --dir DIR --access-key AK --secret-key SK --region R

GET /_fake/log answers one JSON line per request seen:
{"method", "path", "auth": "header"|"query"|"none", "ok": bool}.
"""

import argparse
import datetime
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ARGS = None
LOG = []


def signed_ok(method, path, query, headers, body):
    """(auth kind, ok): the request's signature recomputed by botocore."""
    creds = Credentials(ARGS.access_key, ARGS.secret_key)
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    auth = headers.get('Authorization', '')
    host = headers.get('Host', '')

    if auth.startswith('AWS4-HMAC-SHA256 '):
        fields = dict(p.strip().split('=', 1)
                      for p in auth[len('AWS4-HMAC-SHA256 '):].split(','))
        scope = fields['Credential'].split('/')
        if scope[0] != ARGS.access_key or scope[2] != ARGS.region \
                or scope[3] != 's3':
            return 'header', False
        signed = fields['SignedHeaders'].split(';')
        stamp = headers.get('X-Amz-Date', '')
        req = AWSRequest(method=method, url='http://%s%s%s' % (
            host, path, '?' + query if query else ''), data=body)
        for name in signed:
            value = headers.get(name)
            if value is None:
                return 'header', False
            req.headers[name] = value
        signer = SigV4Auth(creds, 's3', ARGS.region)
        req.context['timestamp'] = stamp
        canonical = signer.canonical_request(req)
        expected = signer.signature(signer.string_to_sign(req, canonical),
                                    req)
        payload = headers.get('x-amz-content-sha256')
        if payload not in (None, 'UNSIGNED-PAYLOAD'):
            import hashlib
            if hashlib.sha256(body).hexdigest() != payload:
                return 'header', False
        return 'header', expected == fields['Signature']

    if 'X-Amz-Signature' in params:
        got = params['X-Amz-Signature'][0]
        stamp = params['X-Amz-Date'][0]
        cred = params['X-Amz-Credential'][0].split('/')
        if cred[0] != ARGS.access_key or cred[2] != ARGS.region:
            return 'query', False
        when = datetime.datetime.strptime(stamp, '%Y%m%dT%H%M%SZ')
        expires = int(params['X-Amz-Expires'][0])
        if datetime.datetime.utcnow() > when + datetime.timedelta(
                seconds=expires):
            return 'query', False
        rest = [(k, v) for k, vs in params.items() for v in vs
                if k != 'X-Amz-Signature']
        req = AWSRequest(method=method, url='http://%s%s?%s' % (
            host, path, urllib.parse.urlencode(rest, quote_via=urllib.parse.quote)))
        req.headers['Host'] = host
        signer = S3SigV4QueryAuth(creds, 's3', ARGS.region, expires=expires)
        req.context['timestamp'] = stamp
        canonical = signer.canonical_request(req)
        expected = signer.signature(signer.string_to_sign(req, canonical),
                                    req)
        if expected != got:
            sys.stderr.write('s3: presigned request refused; canonical:\n%s\n'
                             % canonical)
        return 'query', expected == got

    return 'none', False


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        sys.stderr.write('s3: ' + (fmt % args) + '\n')

    def answer(self, status, body=b'', headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def error(self, status, code):
        self.answer(status, ('<?xml version="1.0" encoding="UTF-8"?>'
                             '<Error><Code>%s</Code></Error>' % code).encode(),
                    {'Content-Type': 'application/xml'})

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == '/_fake/log':
            self.answer(200, ''.join(json.dumps(e) + '\n'
                                     for e in LOG).encode())
            return
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        kind, ok = signed_ok(self.command, url.path, url.query,
                             self.headers, body)
        LOG.append({'method': self.command, 'path': url.path, 'auth': kind,
                    'ok': ok})
        if not ok:
            self.error(403, 'SignatureDoesNotMatch' if kind != 'none'
                       else 'AccessDenied')
            return
        parts = urllib.parse.unquote(url.path).lstrip('/').split('/', 1)
        if len(parts) != 2 or parts[0] != ARGS.bucket or '..' in parts[1]:
            self.error(404, 'NoSuchBucket')
            return
        path = os.path.join(ARGS.dir, parts[1])
        meta = path + '.meta.json'
        if self.command == 'PUT':
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(body)
            with open(meta, 'w') as f:
                json.dump({k: self.headers[k] for k in
                           ('Content-Type', 'Content-Disposition')
                           if self.headers.get(k)}, f)
            self.answer(200, b'', {'ETag': '"x"'})
        elif self.command in ('GET', 'HEAD'):
            if not os.path.exists(path):
                self.error(404, 'NoSuchKey')
                return
            with open(path, 'rb') as f:
                data = f.read()
            with open(meta) as f:
                headers = json.load(f)
            # what a presigned URL asks back (S3's response-* parameters)
            query = urllib.parse.parse_qs(url.query)
            for param, header in (('response-content-type', 'Content-Type'),
                                  ('response-content-disposition',
                                   'Content-Disposition')):
                if param in query:
                    headers[header] = query[param][0]
            self.answer(200, data, headers)
        elif self.command == 'DELETE':
            for p in (path, meta):
                if os.path.exists(p):
                    os.unlink(p)
            self.answer(204)
        else:
            self.error(405, 'MethodNotAllowed')

    do_GET = do_PUT = do_HEAD = do_DELETE = handle_any


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--dir', required=True)
    p.add_argument('--bucket', required=True)
    p.add_argument('--access-key', required=True)
    p.add_argument('--secret-key', required=True)
    p.add_argument('--region', required=True)
    ARGS = p.parse_args()
    ThreadingHTTPServer(('127.0.0.1', ARGS.port), Handler).serve_forever()


if __name__ == '__main__':
    main()
