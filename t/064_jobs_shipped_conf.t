# The shipped conf/nginx.conf, rendered as conf/stack.sh renders it: the job
# listings (/jobs and /companies/{slug}/jobs) share a budget of 60 a minute
# per user, burst 20; other routes and other users are not held back; the
# OpenAPI description is served.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

write_shipped_config();

my ($rc, $err) = test_config();
is($rc, 0, 'nginx -t accepts the shipped configuration') or diag $err;

my $log_start = error_log_size();
my ($ok, $start_err) = start_nginx();
ok($ok, 'nginx starts with it') or diag $start_err;
for (1 .. 100) { my ($s) = http_request("GET /health/ready"); last if $s && $s == 200; sleep 0.03 }

sub get {
    my ($path, $token) = @_;
    my ($status, $h, $raw) = http_request(
        "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        . ($token ? "Authorization: Bearer $token\r\n" : '') . "\r\n", 10);
    return ($status, eval { decode_json($raw) }, $h);
}

sub user { JobScout::Token::token(claims => { sub => sprintf('00000000-0000-4000-8000-%012d', int rand 1e12) }) }

my ($s, $d) = get('/api/v1/openapi.json');
is($s, 200, 'the OpenAPI description is served');
like($d->{openapi} // '', qr/^3\.1/, '... the document');

my ($alice, $bob) = (user(), user());

my @statuses = map { (get('/api/v1/jobs?limit=1', $alice))[0] } 1 .. 21;
is_deeply(\@statuses, [(200) x 21], 'a user lists jobs 21 times in a row (burst 20)');

my $h;
($s, $d, $h) = get('/api/v1/jobs?limit=1', $alice);
is($s, 429, 'the 22nd: 429');
is($d->{error}{code}, 'rate_limited', '... rate_limited');
like($h->{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');

($s) = get('/api/v1/companies/any-company/jobs', $alice);
is($s, 429, "a company's jobs share the listing budget");
($s) = get('/api/v1/jobs/00000000-0000-4000-8000-000000000000', $alice);
is($s, 404, 'one job is not held back');
($s) = get('/api/v1/companies', $alice);
is($s, 200, 'nor the companies');
($s) = get('/api/v1/jobs?limit=1', $bob);
is($s, 200, 'another user lists jobs');
($s) = get('/api/v1/jobs?limit=1');
is($s, 401, 'without a token: 401, never counted against anyone');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');
clean_servroot();

done_testing();
