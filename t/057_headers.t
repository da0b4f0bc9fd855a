# Headers on every answer: X-Content-Type-Options: nosniff on all;
# Cache-Control: no-store on all but the OpenAPI description (the one answer
# that is the same for everyone: tokens, accounts, applications, exports,
# errors are never stored by a cache) and the answers of the response
# cache, which carry an ETag: "private, no-cache", kept by the client only
# and asked again with If-None-Match; request ids random (128 bits, nothing
# shared between two), the client's own id still echoed.
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api(
    http => "    jobscout_openapi_file $ENV{TEST_JOBSCOUT_ROOT}/conf/openapi.json;\n");

my $run = $$;
my $email = "headers$run\@example.com";
my ($access, $refresh) = verified_user($email, 'a long enough secret', 'Hana Tesfaye');

sub headers_are {
    my ($name, $status, $h, $cached) = @_;
    is($h->{'x-content-type-options'}, 'nosniff', "$name ($status): nosniff");
    if ($cached && $cached eq 'revalidate') {
        is($h->{'cache-control'}, 'private, no-cache',
           '... kept by the client, revalidated');
        like($h->{etag} // '', qr{^W/"[0-9a-f]{16}"$}, '... by its ETag');
    } elsif ($cached) {
        ok(!exists $h->{'cache-control'}, '... may be cached');
    } else {
        ok(!exists $h->{etag}, '... no ETag');
        is($h->{'cache-control'}, 'no-store', '... no-store');
    }
}

my ($s, $d, $h) = api(POST => '/auth/login',
                      { email => $email, password => 'a long enough secret' });
is($s, 200, 'login');
headers_are('the tokens of a login', $s, $h);

($s, $d, $h) = api(POST => '/auth/refresh', { refresh_token => $refresh });
is($s, 200, 'refresh');
headers_are('the tokens of a refresh', $s, $h);
$access = $d->{access_token};

my %cached = map { $_ => 'revalidate' }
             '/users/me', '/alerts', '/alerts/unread-count', '/jobs';
for my $path ('/users/me', '/users/me/data-export', '/users/me/dashboard',
              '/alerts', '/alerts/unread-count', '/applications',
              '/jobs', '/companies') {
    ($s, undef, $h) = api(GET => $path, undef, $access);
    is($s, 200, "GET $path");
    headers_are("GET $path", $s, $h, $cached{$path});
}

($s, undef, $h) = api(PATCH => '/users/me', { full_name => 'Hana T.' }, $access);
headers_are('PATCH /users/me', $s, $h);
($s, undef, $h) = api(GET => '/users/me');
headers_are('401', $s, $h);
($s, undef, $h) = api(GET => '/no/such/thing');
headers_are('404', $s, $h);
($s, undef, $h) = api(POST => '/auth/login', '{"email":');
headers_are('400', $s, $h);

my ($hs, $hh) = http_request("GET /health");
headers_are('/health', $hs, $hh);

($s, $d, $h) = api(GET => '/openapi.json');
is($s, 200, 'the OpenAPI description');
headers_are('the OpenAPI description', $s, $h, 'cached');

# request ids: 32 hex digits, random, none shares a half with another
my @ids = map { (http_request("GET /health"))[1]{'x-request-id'} // '' } 1 .. 20;
is(scalar(grep { /^[0-9a-f]{32}$/ } @ids), 20, 'request ids: 32 hex digits');
my %first = map { substr($_, 0, 16) => 1 } @ids;
my %last = map { substr($_, 16) => 1 } @ids;
is(scalar keys %first, 20, '... no common prefix (not a counter behind one)');
is(scalar keys %last, 20, '... no common suffix');

($hs, $hh) = http_request("GET /health HTTP/1.1\r\nHost: localhost\r\n"
                          . "Connection: close\r\nX-Request-Id: app-42.retry:1\r\n\r\n");
is($hh->{'x-request-id'}, 'app-42.retry:1', "the client's own id is echoed");

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');
done_testing();
