# Revocations outlive Redis (issue 16, item 1): PostgreSQL holds sessions
# and revocations, Redis only caches them and is trusted once primed.
# The test Redis is restarted without persistence and flushed here: no
# revoked token (logout, password reset, reused refresh token) passes,
# from the very first request; valid sessions go on; nginx never waits.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(decode_base64url);
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Psql;
use JobScout::Concurrent qw(send_request collect);

plan skip_all => 'run through "make test"'
    unless $ENV{TEST_NGINX_JWT_KEY} && $ENV{STACK_DIR} && $ENV{REDIS_PORT};

my $log_start = start_api();

my $primed = 'jobscout:revoked:primed';

# the test Redis restarted: no RDB; with the append-only file the stack
# gives it when asked (it comes back with its data), else without (a
# Redis that lost everything)
sub restart_redis {
    my ($aof) = @_;
    redis('SHUTDOWN', 'NOSAVE');
    my $dir = "$ENV{STACK_DIR}/redis";
    system('redis-server', '--port', $ENV{REDIS_PORT}, '--bind', '127.0.0.1',
           '--save', '', '--appendonly', $aof ? 'yes' : 'no',
           '--daemonize', 'yes',
           '--dir', $dir, '--pidfile', "$dir/redis.pid",
           '--logfile', "$dir/redis.log") == 0 or die "redis-server: $?";
    for (1 .. 100) {
        my $pong = redis('PING') // '';
        return if $pong eq 'PONG';
        sleep 0.05;
    }
    die 'Redis did not come back';
}

sub fam_of {
    my (undef, $payload) = split /\./, $_[0];
    return decode_json(decode_base64url($payload))->{fam};
}

# the first answers after Redis came back: 503 while nginx reconnects,
# then the verdict; never a 200 on the way
sub first_verdict {
    my ($try) = @_;
    my @seen;
    for (1 .. 100) {
        my $s = $try->();
        push @seen, $s;
        return ($s, @seen) unless $s == 503;
        sleep 0.05;
    }
    return (503, @seen);
}

sub me { (api(GET => '/users/me', undef, $_[0]))[0] }
sub refresh { (api(POST => '/auth/refresh', { refresh_token => $_[0] }))[0] }

my $pw = 'a durable enough secret';

# 1. sessions, each ended in its own way, and some left valid
my $email = "wanjiru$$\@example.com";
my ($out_access, $out_refresh, $wanjiru) = verified_user($email, $pw);
my ($s) = api(POST => '/auth/logout', undef, $out_access);
is($s, 204, 'logout: 204');
is(psql("SELECT count(*) FROM auth_sessions WHERE user_id = '$wanjiru'"
        . " AND family = '" . fam_of($out_access) . "'"
        . " AND revoked_at IS NOT NULL"),
   1, '... the revocation is committed to PostgreSQL before the answer');
is(me($out_access), 401, '... the access token is refused');

my $d;
($s, $d) = api(POST => '/auth/login', { email => $email, password => $pw });
my ($valid_access, $valid_refresh) = @$d{qw(access_token refresh_token)};
is(me($valid_access), 200, 'another session of the same user works');

# a refresh token rotated twice: two rotations back, it is a stolen one
($s, $d) = api(POST => '/auth/login', { email => $email, password => $pw });
my $rotated_out = $d->{refresh_token};
($s, my $p1) = api(POST => '/auth/refresh', { refresh_token => $rotated_out });
($s, my $p2) = api(POST => '/auth/refresh',
                   { refresh_token => $p1->{refresh_token} });
is($s, 200, 'a refresh token rotated twice');

# a password reset ends every session of the user
my $reset_email = "kamau$$\@example.com";
my ($reset_access, $reset_refresh) = verified_user($reset_email, $pw);
($s, $d) = api(POST => '/auth/login',
               { email => $reset_email, password => $pw });
my $reset_access2 = $d->{access_token};
($s) = api(POST => '/auth/forgot-password', { email => $reset_email });
my $mail = mail_for($reset_email, 'mail.reset_password');
($s) = api(POST => '/auth/reset-password',
           { token => $mail->{args}{token}, password => 'a brand new secret' });
is($s, 204, 'a password reset: 204');
is(me($reset_access), 401, '... the sessions before it are revoked');
is(psql("SELECT count(*) FILTER (WHERE revoked_at IS NULL) || ' of '"
        . " || count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id"
        . " WHERE u.email = '$reset_email'"),
   '0 of 2', '... both of them, in PostgreSQL');

# 2. Redis restarted without persistence
restart_redis();
is(redis('EXISTS', $primed), 0, 'Redis restarted empty: not primed');

my ($v, @seen) = first_verdict(sub { me($out_access) });
is($v, 401, 'after the restart, the logged-out access token: 401');
ok(!grep({ $_ == 200 } @seen), '... never 200 on the way: ' . "@seen");
is(refresh($out_refresh), 401, '... its refresh token: 401');
is(me($reset_access), 401, 'the access tokens a reset revoked: 401');
is(me($reset_access2), 401, '... both');
is(refresh($reset_refresh), 401, '... and its refresh token');
is(me($valid_access), 200, 'a valid session goes on');

my ($run_id) = map { /^run_id:(\w+)/ ? $1 : () } redis('INFO', 'server');
is(redis('GET', $primed), $run_id,
   'one request primed Redis again, marked with the server\'s run_id');
is(redis('EXISTS', 'jobscout:revoked:fam:' . fam_of($out_access)), 1,
   '... with the revoked families from PostgreSQL');
is(redis('EXISTS', 'jobscout:revoked:fam:' . fam_of($valid_access)), 0,
   '... and not the valid ones');
is(me($out_access), 401, 'primed: the revoked token is refused from the cache');
is(me($valid_access), 200, '... the valid one passes');

# 2b. restarted with its data, the last second of writes lost (AOF
# fsyncs once a second): the marker is back, a revocation is not
($s, $d) = api(POST => '/auth/login', { email => $email, password => $pw });
my $lost = $d->{access_token};
($s) = api(POST => '/auth/logout', undef, $lost);
is(me($lost), 401, 'another logout');
redis('CONFIG', 'SET', 'appendonly', 'yes');
for (1 .. 100) {
    my $info = join "\n", redis('INFO', 'persistence');
    last if $info =~ /aof_rewrite_in_progress:0/
            && $info =~ /aof_rewrite_scheduled:0/ && $info =~ /aof_enabled:1/;
    sleep 0.05;
}
redis('DEL', 'jobscout:revoked:fam:' . fam_of($lost));
restart_redis('aof');
is(redis('GET', $primed), $run_id, 'Redis came back with its data and marker');
($v, @seen) = first_verdict(sub { me($lost) });
is($v, 401, '... the revocation its restart lost: 401 all the same');
ok(!grep({ $_ == 200 } @seen), '... never 200 on the way: ' . "@seen");
is(me($valid_access), 200, '... a valid session goes on');
isnt(redis('GET', $primed), $run_id, '... primed again for the new server');
restart_redis();
system('rm', '-rf', "$ENV{STACK_DIR}/redis/appendonlydir");
for (1 .. 100) {    # nginx reconnected
    last if (http_request('GET /health/ready'))[0] == 200;
    sleep 0.05;
}

# 3. FLUSHALL
redis('FLUSHALL');
is(me($out_access), 401, 'after FLUSHALL, the very first request: 401');
is(refresh($out_refresh), 401, '... the refresh token: 401');
is(me($reset_access), 401, '... the reset\'s revocations hold');
is(refresh($rotated_out), 401,
   'a rotated-out refresh token: 401 (the rotation is in PostgreSQL)');
is(refresh($p2->{refresh_token}), 401,
   '... taken as stolen: its family is revoked');
is(psql("SELECT revoked_at IS NOT NULL FROM auth_sessions WHERE family = '"
        . fam_of($rotated_out) . "'"),
   't', '... in PostgreSQL');
is(me($valid_access), 200, 'the valid session still works');
($s, $d) = api(POST => '/auth/refresh', { refresh_token => $valid_refresh });
is($s, 200, '... and refreshes');
my $fresh = $d;
is(me($fresh->{access_token}), 200, '... its new access token works');

# a parallel retry whose noted pair the flush took: retry later, not 401
redis('FLUSHALL');
my $retry = '{"refresh_token":"' . $valid_refresh . '"}';
my ($rs, $rh) = http_request("POST /api/v1/auth/refresh HTTP/1.1\r\n"
    . "Host: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
    . "Content-Length: " . length($retry) . "\r\n\r\n$retry");
is($rs, 503, 'a retry within 5 s whose pair Redis lost: 503');
is($rh->{'retry-after'}, '1', '... with Retry-After');
is(refresh($fresh->{refresh_token}), 200, '... and the session is not lost');

# 4. another primer holds the lock: PostgreSQL keeps answering
redis('FLUSHALL');
redis('SET', 'jobscout:revoked:priming', 'another-worker', 'PX', '60000');
is(me($out_access), 401, 'while another primes: the revoked token 401');
is(me($valid_access), 200, '... the valid one 200');
is(redis('EXISTS', $primed), 0, '... and this worker does not prime');
redis('DEL', 'jobscout:revoked:priming');
is(me($valid_access), 200, 'the lock gone: the next request');
is(redis('EXISTS', $primed), 1, '... primes');

# 5. checking PostgreSQL never blocks nginx: the check waits on a lock
redis('FLUSHALL');
my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});
$db->query('BEGIN; LOCK TABLE auth_sessions IN ACCESS EXCLUSIVE MODE');
my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                 PeerPort => server_port()) or die $!;
$sock->syswrite("GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n"
                . "Authorization: Bearer $valid_access\r\n"
                . "Connection: close\r\n\r\n");
my $waiting = { sock => $sock, raw => '', start => time, path => 'me' };
sleep 0.3;
my $health = send_request('/health');
collect(2, $health);
is($health->{status}, 200, '/health answers while a session check waits');
ok(!IO::Select->new($sock)->can_read(0), '... which is still waiting');
$db->query('COMMIT');
collect(5, $waiting);
is($waiting->{status}, 200, '... and passes once the lock is gone');

stop_nginx();
my $log = error_log_since($log_start);
unlike($log, qr/priming Redis with the revocations failed|cannot prime/,
       'priming never failed');
unlike($log, qr/\[alert\]|\[emerg\]|exited on signal/, 'no alert, no crash');

done_testing();
