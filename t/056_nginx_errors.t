# Every answer is JSON, nginx's own errors included: requests nginx refuses
# before any handler runs (NUL, control characters or %00 in the path, a URI
# over 8k, a malformed request line or header, oversized headers, TRACE, an
# unknown transfer coding, a body that stops coming) get the API's error
# shape with a request id, over raw sockets against the shipped
# conf/nginx.conf, and leave nothing but info lines in the error log.  An early answer (404, 405, 415, 401) discards the
# body it did not read, so the next request on the connection is read right,
# pipelined or sent after the answer.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use IO::Select;
use IO::Socket::INET;
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

# a body that stops coming is refused after 1 s, not the default 60 s
write_shipped_config(http => '    client_body_timeout 1s;');
my $log_start = error_log_size();
my ($ok, $err) = start_nginx();
ok($ok, 'nginx starts with the shipped configuration') or diag $err;
for (1 .. 100) { my ($s) = http_request("GET /health/ready"); last if $s && $s == 200; sleep 0.03 }

# the answer in $raw is the API's error: status, code, request id; the rest
# of $raw (what followed on the connection) is returned
sub json_error_is {
    my ($raw, $status, $code, $name, $id) = @_;
    my ($s, $h, $body, $complete, $rest) = parse_http_response($raw);
    is($s, $status, "$name: $status");
    like($h->{'content-type'} // '', qr{^application/json}, '... in JSON');
    my $d = eval { decode_json($body) } || {};
    is($d->{error}{code}, $code, "... $code");
    like($d->{error}{request_id} // '', $id ? qr/^\Q$id\E$/ : qr/^[0-9a-f]{32}$/,
         '... with a request id');
    is($h->{'x-request-id'}, $d->{error}{request_id}, '... also in X-Request-Id');
    is($h->{'x-content-type-options'}, 'nosniff', '... nosniff');
    return $rest;
}

# everything the server sends until it closes; @parts written in turn, each
# after the answer to the last came (an answer before the body was read)
sub raw {
    my (@parts) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => server_port()) or die $!;
    my ($resp, $sel) = ('', IO::Select->new($sock));
    for my $part (@parts) {
        $sock->syswrite($part);
        my $deadline = time + 5;
        while (time < $deadline) {
            last if $part ne $parts[-1] && (parse_http_response($resp))[3];
            next if !$sel->can_read(0.1);
            sysread($sock, my $buf, 65536) or last;
            $resp .= $buf;
        }
    }
    close $sock;
    return $resp;
}

my $host = "Host: localhost\r\n";

json_error_is(raw("GET /api/v1/\0jobs HTTP/1.1\r\n$host\r\n"),
              400, 'bad_request', 'NUL in the path');
json_error_is(raw("GET /api/v1/\x01jobs HTTP/1.1\r\n$host\r\n"),
              400, 'bad_request', 'a control character in the path');
json_error_is(raw("GET /api/v1/%00 HTTP/1.1\r\n$host\r\n"),
              400, 'bad_request', '%00 in the path');
json_error_is(raw("GET /api/v1/jobs%00.json HTTP/1.1\r\n$host\r\n"),
              400, 'bad_request', '%00 inside a segment');
json_error_is(raw("GET /api/v1/%01 HTTP/1.1\r\n${host}Connection: close\r\n\r\n"),
              404, 'not_found', '%01 decodes to a path no route has');
json_error_is(raw("GET /api/v1/" . ('a' x 9000) . " HTTP/1.1\r\n$host\r\n"),
              414, 'uri_too_long', 'a URI over 8 kB');
json_error_is(raw("GARBAGE\r\n\r\n"), 400, 'bad_request', 'no request line');
json_error_is(raw("GET /health HTTP/1.1 extra\r\n$host\r\n"),
              400, 'bad_request', 'a request line with a fourth part');
json_error_is(raw("GET /health HTTP/9.9\r\n$host\r\n"),
              505, 'http_version_not_supported', 'HTTP/9.9');
json_error_is(raw("GET /health HTTP/1.1\r\n${host}X-Big: " . ('b' x 10000)
                  . "\r\n\r\n"),
              431, 'headers_too_large', 'a header line over 8 kB');
json_error_is(raw("GET /health HTTP/1.1\r\n$host"
                  . join('', map { "X-Pad-$_: " . ('p' x 7000) . "\r\n" } 1 .. 6)
                  . "\r\n"),
              431, 'headers_too_large', 'headers over 4 x 8 kB in all');
json_error_is(raw("TRACE /health HTTP/1.1\r\n$host\r\n"),
              405, 'method_not_allowed', 'TRACE');
json_error_is(raw("GET /health HTTP/1.1\r\nHost: a/b\r\n\r\n"),
              400, 'bad_request', 'an invalid Host');
json_error_is(raw("GET /health HTTP/1.1\r\nX-Request-Id: mobile-7f3a.42\r\n"
                  . "Host: a/b\r\n\r\n"),
              400, 'bad_request', "the client's own request id on nginx's error",
              'mobile-7f3a.42');
json_error_is(raw("GET /health HTTP/1.1\r\n\r\n"),
              400, 'bad_request', 'HTTP/1.1 without Host');
json_error_is(raw("GET /health HTTP/1.1\r\n${host}Host: other\r\n\r\n"),
              400, 'bad_request', 'two Host headers');
json_error_is(raw("GET /health HTTP/1.1\r\n${host}Bad Header: y\r\n\r\n"),
              400, 'bad_request', 'a space in a header name');
json_error_is(raw("GET /../../etc/passwd HTTP/1.1\r\n$host\r\n"),
              400, 'bad_request', 'a path above the root');
json_error_is(raw("CONNECT example.com:443 HTTP/1.1\r\n$host\r\n"),
              400, 'bad_request', 'CONNECT');
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"),
              400, 'bad_request', 'two Content-Length headers');
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Content-Length: -1\r\n\r\n"),
              400, 'bad_request', 'a negative Content-Length');
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                  . "0\r\n\r\n"),
              400, 'bad_request', 'Transfer-Encoding and Content-Length');
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Transfer-Encoding: gzip\r\n\r\n"),
              501, 'not_implemented', 'a transfer coding other than chunked');
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Content-Type: application/json\r\n"
                  . "Transfer-Encoding: chunked\r\n\r\nzz\r\n"),
              400, 'bad_request', 'a malformed chunk');
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Content-Type: application/json\r\n"
                  . "Transfer-Encoding: chunked\r\n\r\n"
                  . join('', map { sprintf("%x\r\n%s\r\n", 65536, 'x' x 65536) } 1 .. 17)
                  . "0\r\n\r\n"),
              413, 'payload_too_large', 'a chunked body over 1 MB');

my $t0 = time;
json_error_is(raw("POST /api/v1/auth/refresh HTTP/1.1\r\n$host"
                  . "Content-Type: application/json\r\nContent-Length: 100\r\n"
                  . "\r\n{\"email\":"),
              408, 'request_timeout', 'a body that stops coming');
cmp_ok(time - $t0, '<', 4, '... refused after client_body_timeout');

# the one location for nginx's errors answers a client like any unknown path
json_error_is(raw("GET /_jobscout/error HTTP/1.1\r\n${host}Connection: close\r\n\r\n"),
              404, 'not_found', 'the error location asked for directly');

# --- an early answer, then the next request on the same connection

my $body = '{"email":"amina@example.com","password":"a long passphrase"}';
my @early = (
    [ 'POST /api/v1/no-such-route', 'application/json', 404, 'not_found' ],
    [ 'PUT /api/v1/alerts', 'application/json', 405, 'method_not_allowed' ],
    [ 'POST /api/v1/auth/refresh', 'text/plain', 415, 'unsupported_media_type' ],
    [ 'POST /api/v1/applications', 'application/json', 401, 'unauthorized' ],
);
my $next = "GET /health HTTP/1.1\r\n${host}Connection: close\r\n\r\n";

sub health_is {
    my ($rest, $name) = @_;
    my ($s, undef, $b) = parse_http_response($rest);
    is($s, 200, "$name: the next request is answered");
    is($b, '{"status":"ok"}', '... as itself');
}

for my $e (@early) {
    my ($line, $type, $status, $code) = @$e;
    my $head = "$line HTTP/1.1\r\n${host}Content-Type: $type\r\n";

    # pipelined: the body and the next request in one write
    my $rest = json_error_is(
        raw($head . "Content-Length: " . length($body) . "\r\n\r\n$body$next"),
        $status, $code, "$line, pipelined");
    health_is($rest, "$line, pipelined");

    # chunked
    $rest = json_error_is(
        raw($head . "Transfer-Encoding: chunked\r\n\r\n"
            . sprintf("%x\r\n%s\r\n0\r\n\r\n", length $body, $body) . $next),
        $status, $code, "$line, chunked");
    health_is($rest, "$line, chunked");

    # the body sent after the answer came
    $rest = json_error_is(
        raw($head . "Content-Length: " . length($body) . "\r\n\r\n",
            $body . $next),
        $status, $code, "$line, the body after the answer");
    health_is($rest, "$line, the body after the answer");
}

stop_nginx();
my $log = error_log_since($log_start);
# nginx itself logs a broken chunked body at level error, the client's fault
my @errors = grep { /\[(?:error|crit|alert|emerg)\]/
                    && !/client (?:sent invalid chunked body|intended to send too large chunked body)/ }
             split /\n/, $log;
is(scalar @errors, 0, 'no error in the error log') or diag join "\n", @errors;
unlike($log, qr/empty URI|exited on signal/, '... no empty URI redirect, no crash');
like($log, qr/client sent invalid request/, "... nginx's own info lines only");

done_testing();
