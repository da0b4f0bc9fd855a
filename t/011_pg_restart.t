# PostgreSQL stops: /health/ready answers 503 naming the database; it
# starts again: the same nginx, not restarted, is ready again by itself.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);

my $stack = "$ENV{TEST_JOBSCOUT_ROOT}/conf/stack.sh";
plan skip_all => 'run through "make test": it owns the test PostgreSQL'
    unless $ENV{TEST_JOBSCOUT_ROOT} && $ENV{STACK_DIR};

write_config(workers => 2, http_config => <<"EOC",
    jobscout_postgres "$ENV{TEST_NGINX_PG}" pool=2;
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
EOC
             config => 'location / { jobscout_api; }');
my ($ok, $err) = start_nginx();
ok($ok, 'nginx starts') or diag $err;
my $master = nginx_pid();

sub ready_status {
    my ($want, $tries) = @_;
    my ($status, $h, $body);
    for (1 .. $tries) {
        ($status, $h, $body) = http_request("GET /health/ready");
        last if $status == $want;
        sleep 0.05;
    }
    return ($status, $body);
}

my ($status) = ready_status(200, 60);
is($status, 200, 'ready while PostgreSQL runs');

END { system($stack, 'pg-start') if $ENV{STACK_DIR}; }

is(system($stack, 'pg-stop'), 0, 'PostgreSQL stopped');

my $body;
($status, $body) = ready_status(503, 20);
is($status, 503, 'not ready while PostgreSQL is down');
like($body, qr/"message":"failing checks: database".*"database":"database unavailable","redis":"ok"/,
     '... naming the database, Redis still ok');

is(system($stack, 'pg-start'), 0, 'PostgreSQL started again');

# reconnect backoff is capped at 2 s
($status) = ready_status(200, 80);
is($status, 200, 'ready again without restarting nginx');
is(nginx_pid(), $master, '... the same nginx master');

# each worker reconnects on its own backoff (at most 2 s): within 3 s,
# 20 answers in a row (both workers, connections are not kept) are 200
my $streak = 0;
for (1 .. 300) {
    ($status) = http_request("GET /health/ready");
    $streak = $status == 200 ? $streak + 1 : 0;
    last if $streak == 20;
    sleep 0.01;
}
is($streak, 20, 'every worker serves again');

stop_nginx();
done_testing();
