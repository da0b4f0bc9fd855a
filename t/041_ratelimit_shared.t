# jobscout_limit across instances: two nginx (own server roots and ports)
# on one Redis share one budget.  Also: a Redis that forgot the script
# (SCRIPT FLUSH, as after a restart) is answered with EVAL again; a Redis
# that answers late neither blocks the worker nor holds the request past
# jobscout_redis timeout=, after which fail=open lets through and
# fail=closed answers 503; a client that goes away while Redis answers
# leaves nothing behind.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Concurrent qw(send_request collect);

my ($rhost, $rport) = split /:/, ($ENV{TEST_NGINX_REDIS} || '');
plan skip_all => 'needs TEST_NGINX_PG and TEST_NGINX_REDIS'
    unless $ENV{TEST_NGINX_PG} && $rport;

sub redis { system('redis-cli', '-h', $rhost, '-p', $rport, @_) == 0 }

my $run = time . "_$$";    # Redis keeps budgets between runs

# the two instances: server root and port of each
my @inst = ([$JobScout::TestNginx::ServRoot, $JobScout::TestNginx::Port],
            ["$JobScout::TestNginx::ServRoot-b",
             $JobScout::TestNginx::Port + 1]);

sub on {
    my ($i, $code) = @_;
    local $JobScout::TestNginx::ServRoot = $inst[$i][0];
    local $JobScout::TestNginx::Port = $inst[$i][1];
    return $code->();
}

# never leave either nginx behind when the script dies
END {
    local $?;
    on($_, sub { stop_nginx() }) for 0, 1;
}

# GET on instance $i: (status, headers, body)
sub get { my ($i, $path) = @_; on($i, sub { http_request("GET $path") }) }

for my $i (0, 1) {
    on($i, sub {
        write_config(workers => 1, http_config => <<"EOC",
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS} timeout=300ms;
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
EOC
                     config => <<"EOC");
        location / {
            jobscout_limit key=\$arg_client rate=1r/m burst=9
                           zone=shared_$run;
            jobscout_api;
        }
        location = /health/ready { jobscout_api; }
        location = /plain { return 200 "not limited"; }
        location = /open {
            jobscout_limit key=\$arg_client rate=1r/s burst=100
                           zone=open_$run;
            jobscout_api;
        }
        location = /closed {
            jobscout_limit key=\$arg_client rate=1r/s burst=100
                           zone=closed_$run fail=closed;
            jobscout_api;
        }
EOC
        my ($ok, $err) = start_nginx();
        ok($ok, "nginx $i starts on port $JobScout::TestNginx::Port")
            or diag $err;

        my $status = 0;
        for (1 .. 100) {
            ($status) = http_request("GET /health/ready");
            last if $status == 200;
            sleep 0.03;
        }
        is($status, 200, "nginx $i is ready");
    });
}

# 1. 10 requests (burst 9 + 1), alternating: each instance sees 5 only,
#    yet the 11th and 12th are refused, on both instances.
my @got = map { (get($_ % 2, '/health?client=shared'))[0] } 0 .. 9;
is_deeply(\@got, [(200) x 10], '10 requests alternating between two nginx pass')
    or diag "@got";

my ($s0, $h0, $b0) = get(0, '/health?client=shared');
my ($s1, $h1, $b1) = get(1, '/health?client=shared');
is($s0, 429, 'the 11th request, on nginx 0, is refused: the budget is shared');
is($s1, 429, 'the 12th, on nginx 1, too');
like($h1->{'retry-after'} // '', qr/^(59|60)$/, '... with Retry-After');
like($b1, qr/^\{"error":\{"code":"rate_limited","message":"too many requests, retry in (59|60) s","request_id":"[0-9a-f]{32}"\}\}$/,
     '... and the JSON error');
is((get(1, '/health?client=other'))[0], 200, 'another key still passes');

# 2. Redis forgets the script: EVALSHA fails with NOSCRIPT, EVAL follows
#    (and loads it for every instance).
ok(redis('SCRIPT', 'FLUSH'), 'SCRIPT FLUSH');
is((get(0, '/health?client=shared'))[0], 429,
   'after SCRIPT FLUSH the budget still holds on nginx 0');
like(on(0, sub { error_log_since(0) }), qr/NOSCRIPT/,
     '... which saw NOSCRIPT and ran the script with EVAL');
ok(redis('SCRIPT', 'FLUSH'), 'SCRIPT FLUSH again');
is((get(1, '/health?client=fresh'))[0], 200,
   'after SCRIPT FLUSH a fresh key passes on nginx 1');
like(on(1, sub { error_log_since(0) }), qr/NOSCRIPT/,
     '... which saw NOSCRIPT too');
is((get(0, '/health?client=fresh'))[0], 200,
   'nginx 0 uses the script nginx 1 loaded again');

# 3. Redis answers later than timeout=: /plain (not limited) answers at
#    once meanwhile; fail=open lets through, fail=closed is a 503, both at
#    the timeout.
my @r = on(0, sub {
    redis('CLIENT', 'PAUSE', 1000);
    my $open = send_request('/open?client=x');
    my $closed = send_request('/closed?client=x');
    sleep 0.05;
    my $health = send_request('/plain');
    collect(3, $open, $closed, $health);
});
my ($open, $closed, $health) = @r;
is($health->{status}, 200, 'a request without limits answers while Redis is paused');
cmp_ok($health->{elapsed}, '<', 0.1, '... at once');
is($open->{status}, 404, 'fail=open: the request goes on to the API (404 for /open)');
cmp_ok($open->{elapsed}, '<', 0.6, '... at the Redis timeout');
is($closed->{status}, 503, 'fail=closed: 503');
like($closed->{body}, qr/"code":"unavailable","message":"rate limiter unavailable"/,
     '... as a JSON error');
like(on(0, sub { error_log_since(0) }),
     qr/jobscout_limit: redis timed out, request let through \(fail=open\)/,
     'fail=open warns in the error log');

# 4. The client goes away while Redis holds the reply.
sleep 1;
on(0, sub {
    redis('CLIENT', 'PAUSE', 700);
    my $gone = send_request('/open?client=y');
    sleep 0.1;
    close $gone->{sock};
    sleep 0.9;
});
is((get(0, '/open?client=y'))[0], 404, 'nginx 0 serves on after that');
like(on(0, sub { error_log_since(0) }),
     qr/client prematurely closed connection/,
     'nginx 0 saw the client go away before the reply');

for my $i (0, 1) {
    on($i, sub {
        stop_nginx();
        unlike(error_log_since(0), qr/\[alert\]|exited on signal/,
               "nginx $i: no alert, no crashed worker");
    });
}

done_testing();
