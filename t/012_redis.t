# Redis answers late: every command has its own nginx timer (hiredis 0.14
# has none), and a request that goes away while its reply is pending is
# never touched when the reply arrives.  CLIENT PAUSE holds the replies.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Concurrent qw(send_request collect);

my ($rhost, $rport) = split /:/, ($ENV{TEST_NGINX_REDIS} || '');
plan skip_all => 'needs TEST_NGINX_PG and TEST_NGINX_REDIS'
    unless $ENV{TEST_NGINX_PG} && $rport;

sub pause_redis { system('redis-cli', '-h', $rhost, '-p', $rport, 'CLIENT', 'PAUSE', $_[0]) }

write_config(workers => 1, http_config => <<"EOC",
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS} timeout=300ms;
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    jobscout_cache off;    # every readiness check asks Redis
EOC
             config => 'location / { jobscout_api; }');
my ($ok, $err) = start_nginx();
ok($ok, 'nginx starts') or diag $err;

my $status = 0;
for (1 .. 100) {
    ($status) = http_request("GET /health/ready");
    last if $status == 200;
    sleep 0.03;
}
is($status, 200, 'ready');

# 1. a reply later than the timeout: 503 in about the timeout, not later
pause_redis(1000);
my $slow = send_request('/health/ready');
collect(3, $slow);
is($slow->{status}, 503, 'a Redis reply later than timeout= is a 503');
like($slow->{body}, qr/"redis":"redis timed out"/, '... naming the Redis timeout');
cmp_ok($slow->{elapsed}, '<', 0.6, '... answered at the timeout')
    or diag "took $slow->{elapsed} s";

# 2. the client goes away while its reply is pending
sleep 1;
pause_redis(700);
my $gone = send_request('/health/ready');
sleep 0.1;
close $gone->{sock};
sleep 0.9;    # the paused replies arrive now, for a request long gone

my $after = send_request('/health/ready');
collect(3, $after);
is($after->{status}, 200, 'the connection serves on after late replies');

stop_nginx();
my $log = error_log_since(0);
like($log, qr/Redis command timed out/, 'the timeout was logged');
like($log, qr/client prematurely closed connection/,
     'nginx saw the client go away before its reply');
unlike($log, qr/\[alert\]|exited on signal/, 'no alert, no crashed worker');

done_testing();
