# Error tracking from nginx (issue 20 §3): with "jobscout_error_report
# udp:...", a 5xx of the API (PostgreSQL unreachable: 503) and one of
# nginx's own (a dead upstream: 502, answered through the error page)
# reach Sentry - here the local fake, which checks the envelope as Sentry
# does - through jobscoutd's sentry role, with the request id, the route
# pattern, the user id, the release; the query string stays behind.
# Without the directive nothing is sent; with Sentry hanging or jobscoutd
# down the 5xx are still answered at once (a datagram, never a wait).
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Token;
use JobScout::FakeSentry;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $dir = tempdir(CLEANUP => 1);
my $sentry = JobScout::FakeSentry->start(dir => $dir);

# a port nothing listens on: PostgreSQL and the upstream there refuse
my $dead = JobScout::Fake::free_port('tcp');
my $udp = JobScout::Fake::free_port('udp');

my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { heartbeat => 1 },
    directives => { sentry_dsn => $sentry->{dsn},
                    sentry_listen => "127.0.0.1:$udp",
                    sentry_environment => 'test' });
$d->start;
sleep 0.5;

sub nginx_with {
    my ($report) = @_;
    write_config(workers => 1, http_config => <<"EOC", config => <<"EOC2");
    jobscout_postgres "host=127.0.0.1 port=$dead dbname=jobscout user=postgres";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    $report
EOC
    location / { jobscout_api; }
    location /upstream/ { proxy_pass http://127.0.0.1:$dead; }
    error_page 502 503 /_jobscout/error;
    location = /_jobscout/error { jobscout_api; }
EOC2
    my ($ok, $err) = start_nginx();
    ok($ok, 'nginx starts') or diag($err);
}

my $uid = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
my $auth = 'Bearer ' . JobScout::Token::token(
    claims => { sub => $uid, role => 'user' });

sub get {
    my ($path, @h) = @_;
    my $t = time;
    my ($status, $headers, $body) = http_request(join "\r\n",
        "GET $path HTTP/1.1", 'Host: localhost', 'Connection: close', @h,
        '', '');
    my $data = eval { decode_json($body // '') } // {};
    return ($status, $data, time - $t);
}

# --- a 503 of the module, for an authenticated user
nginx_with("jobscout_error_report udp:127.0.0.1:$udp;");

# (a query string, which the event must not carry: a search can be private)
my ($s, $body) = get('/api/v1/jobs?q=secret', "Authorization: $auth");
is($s, 503, 'PostgreSQL unreachable: 503');
my $rid = $body->{error}{request_id};
ok($rid, '... with a request id');

my @events = $sentry->wait_events(1);
is(scalar @events, 1, 'one event reached Sentry');
my $e = $events[0] // {};
is($e->{tags}{request_id}, $rid, '... with the request id answered');
is($e->{tags}{route}, '/api/v1/jobs', '... the route pattern');
is($e->{user}{id}, $uid, '... the user id of the token');
is($e->{release}, 'jobscout@0.1.0', '... the release (the build\'s version)');
is($e->{environment}, 'test', '... the environment');
is($e->{tags}{status}, '503', '... the status');
is($e->{platform}, 'c', '... platform c');
is($e->{level}, 'error', '... level error');
is($e->{request}{method}, 'GET', '... the method');
is($e->{request}{url}, '/api/v1/jobs', '... the path, without its query');
unlike(encode_json($e), qr/secret|Bearer/, '... no token anywhere in it');
like($e->{message}{formatted}, qr/unavailable/, '... the message answered');

# --- a route with a parameter: its pattern, not the id asked for
$sentry->reset;
my $job = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
($s) = get("/api/v1/jobs/$job", "Authorization: $auth");
is($s, 503, 'a job, PostgreSQL unreachable: 503');
@events = $sentry->wait_events(1);
is($events[0]{tags}{route}, '/api/v1/jobs/{id}', '... reported with the pattern');
is($events[0]{request}{url}, "/api/v1/jobs/$job", '... and the path asked');

# --- nginx's own 502, answered through the error page
$sentry->reset;
($s, $body) = get('/upstream/x?k=v');
is($s, 502, 'a dead upstream: 502, through the error page');
@events = $sentry->wait_events(1);
is(scalar @events, 1, '... reported too');
is($events[0]{tags}{status}, '502', '... as a 502');
is($events[0]{tags}{request_id}, $body->{error}{request_id},
   '... with the request id the client got');
is($events[0]{request}{url}, '/upstream/x', '... the URL the client asked');
ok(!exists $events[0]{user}, '... no user without a token');

# --- Sentry hangs: the requests are still answered at once
$sentry->reset;
$sentry->config(delay => 30, count => 100);
my $slowest = 0;
for (1 .. 10) {
    my ($st, undef, $took) = get('/api/v1/users/me', "Authorization: $auth");
    $slowest = $took if $took > $slowest;
    is($st, 503, "request $_ answered while Sentry hangs") if $_ == 10;
}
# behaviour, not speed: a request waiting on Sentry would take its 30 s
cmp_ok($slowest, '<', 10, 'no request waited on Sentry');
$sentry->config(count => 0);

# --- jobscoutd down: nothing listens on the port
$d->stop;
($s, undef, my $took) = get('/api/v1/users/me', "Authorization: $auth");
is($s, 503, 'jobscoutd down: still 503');
cmp_ok($took, '<', 10, '... answered without waiting');
stop_nginx();

# --- without the directive nothing is sent
$d->start;
sleep 0.5;
$sentry->reset;
nginx_with('');
($s) = get('/api/v1/users/me', "Authorization: $auth");
is($s, 503, 'no jobscout_error_report: 503');
sleep 2;
is(scalar $sentry->events, 0, '... and nothing reached Sentry');
is($sentry->stats->{requests}, 0, '... not even a request');

stop_nginx();
$d->stop;
$sentry->stop;

done_testing();
