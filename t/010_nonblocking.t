# Nothing blocks an nginx worker: on a single worker, a one-second query does
# not delay other requests; a pool busy beyond its queue answers 503 at
# once; idle pool connections do not delay a graceful quit or a reload.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Concurrent qw(send_request collect);

sub start_api {
    my ($pg_options) = @_;
    write_config(workers => 1, http_config => <<"EOC",
    jobscout_postgres "$ENV{TEST_NGINX_PG}" $pg_options;
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    jobscout_test_endpoints on;
EOC
                 config => 'location / { jobscout_api; }');
    my ($ok, $err) = start_nginx();
    ok($ok, "nginx starts with pool options '$pg_options'") or diag $err;

    # the pool connects in the background; wait until it serves
    my $status = 0;
    for (1 .. 100) {
        ($status) = http_request("GET /health/ready");
        last if $status == 200;
        sleep 0.03;
    }
    is($status, 200, 'the pool is ready');
}

# 1. A slow query and 20 concurrent readiness checks on one worker.
start_api('pool=4');

my $slow = send_request('/api/v1/_test/sleep?seconds=1');
sleep 0.05;    # the slow query is on the server now
my @fast = map { send_request('/health/ready') } 1 .. 20;
collect(5, @fast, $slow);

is(scalar(grep { $_->{status} == 200 } @fast), 20,
   'all 20 readiness checks answer 200 while the slow query runs');
my @late = grep { $_->{elapsed} eq 'never' || $_->{elapsed} >= 0.1 } @fast;
is(scalar @late, 0, 'each readiness check answers in under 100 ms')
    or diag join ', ', map { $_->{elapsed} } @fast;
is($slow->{status}, 200, 'the slow query completes');
cmp_ok($slow->{elapsed}, '>=', 0.95, 'the slow query really took a second');

# 2. Idle connections do not delay a graceful shutdown.
my $t0 = time;
stop_nginx();
my $quit = time - $t0;
cmp_ok($quit, '<', 1, "graceful quit with an idle pool takes under 1 s")
    or diag "took $quit s";
unlike(error_log_since(0), qr/open socket|\[alert\]/,
       'no socket is left open and nothing alerts');

# 3. A pool busy beyond its queue fails fast; the queued query still runs.
start_api('pool=1 queue=1');

my $running = send_request('/api/v1/_test/sleep?seconds=1');
sleep 0.1;
my $queued = send_request('/api/v1/_test/sleep?seconds=0.1');
sleep 0.1;
my $refused = send_request('/api/v1/_test/sleep?seconds=0.1');
collect(5, $running, $queued, $refused);

is($refused->{status}, 503, 'a query beyond the queue is refused with 503');
cmp_ok($refused->{elapsed}, '<', 0.1, '... at once');
like($refused->{body},
     qr/^\{"error":\{"code":"unavailable","message":"database busy, try again later","request_id":"[0-9a-f]{32}"\}\}$/,
     '... with a JSON error');
is($running->{status}, 200, 'the running query completes');
is($queued->{status}, 200, 'the queued query runs when the connection frees');
cmp_ok($queued->{elapsed}, '>=', 0.9, '... after waiting for it');

# 4. A client that goes away frees its request; the connection returns to
#    the pool when the abandoned query's result arrives.
my $abandoned = send_request('/api/v1/_test/sleep?seconds=0.5');
sleep 0.1;
close $abandoned->{sock};
my $next = send_request('/api/v1/_test/sleep?seconds=0.01');
collect(5, $next);
is($next->{status}, 200, 'the next query runs after an abandoned one');
cmp_ok($next->{elapsed}, '>=', 0.3, '... once the abandoned result arrived');
like(error_log_since(0), qr/client prematurely closed connection/,
     'nginx saw the client go away');

# 5. A reload replaces the worker promptly despite its idle connections.
my $master = nginx_pid();
my @old = split ' ', `pgrep -P $master`;
ok(@old, 'a worker runs');
kill 'HUP', $master;
my $gone = 0;
for (1 .. 100) {
    $gone = !grep { running($_) } @old;
    last if $gone;
    sleep 0.01;
}
ok($gone, 'the old worker exits within 1 s of a reload');
my ($status) = http_request("GET /health/ready");
is($status, 200, 'the new worker serves');
stop_nginx();
unlike(error_log_since(0), qr/\[alert\]|exited on signal/,
       'no alert, no crashed worker');

done_testing();

sub running {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    local $/;
    return <$fh> =~ /^State:\s+[^Z]/m;
}
