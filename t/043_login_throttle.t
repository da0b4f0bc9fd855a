# Failed logins per account, from many addresses (jobscout_login_throttle):
# past the budget a 429 with Retry-After, whatever the address; the owner
# e-mailed once, through the task outbox; the owner's known address never
# paused, and any address let in again after the pause; unknown accounts
# answered alike; keys that do not hold the address.  Source addresses come from X-Forwarded-For,
# trusted from 127.0.0.1 (set_real_ip_from), as behind a load balancer.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Digest::SHA qw(sha256_hex);
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Concurrent qw(send_request collect);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api(
    http => "    jobscout_login_throttle failures=10 window=1m backoff=2s"
            . " max=4s known=1h;\n",
    config => <<'EOC');
    location / {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        jobscout_api;
    }
EOC

sub login_from {
    my ($addr, $email, $password) = @_;
    return api(POST => '/auth/login', { email => $email, password => $password },
               undef, "X-Forwarded-For: $addr\r\n");
}

# the mail tasks to an address in the task outbox: committed with the
# answer, for jobscoutd's relay to put on the mail queue
sub mails_to {
    my ($to, $kind) = @_;
    return grep { $_->{kind} eq $kind && $_->{args}{to} eq $to }
           outbox_tasks('jobscout:queue:mail');
}

my $email = "wanjiru$$\@example.com";
my $password = 'correct horse of Nyeri';
# logs in once from 127.0.0.1 (no X-Forwarded-For): a known address
verified_user($email, $password, 'Wanjiru Kamau');

# an unknown account is answered alike, and nobody is e-mailed
my $nobody = "nobody$$\@example.com";
my @status = map { (login_from("10.0.2.$_", $nobody, 'any'))[0] } 1 .. 12;
is_deeply(\@status, [(401) x 10, (429) x 2], 'an unknown account: the same 401s, then 429');
is(scalar(mails_to($nobody, 'mail.login_throttled')), 0, '... no mail');

# 40 wrong passwords from 40 addresses
my ($h429, $d429);
@status = ();
for my $i (1 .. 40) {
    my ($s, $d, $h) = login_from("10.0.0.$i", $email, "wrong guess $i");
    push @status, $s;
    ($h429, $d429) = ($h, $d) if $s == 429 && !$h429;
}
is_deeply(\@status, [(401) x 10, (429) x 30],
          '40 wrong passwords from 40 addresses: 10 x 401, then 429');
like($h429->{'retry-after'} // '', qr/^[1-2]$/, '... with Retry-After (the 2 s pause)');
is($d429->{error}{code}, 'rate_limited', '... rate_limited');
like($d429->{error}{message}, qr/^too many failed logins for this account, retry in \d+ s$/,
     '... saying why');

my @mails = mails_to($email, 'mail.login_throttled');
is(scalar @mails, 1, 'the owner is e-mailed once');
is($mails[0]{args}{name}, 'Wanjiru Kamau', '... by name');
ok(!defined $mails[0]{args}{token}, '... a notice without a token');
is(scalar(grep { /login_throttled/ } redis('lrange', 'jobscout:queue:mail', 0, -1)), 0,
   '... in the task outbox, not LPUSHed: Redis losing its queue cannot lose it');
like($mails[0]{id} // '', qr/^[0-9a-f]{32}$/, '... a task as jobscout_task.h has it');

# the account, not the address, is paused: any case of the address
my ($s, $d, $h) = login_from('10.0.1.1', uc $email, $password);
is($s, 429, 'the right password from a new address while paused: 429');

($s, $d) = api(POST => '/auth/login', { email => $email, password => $password });
is($s, 200, 'the owner from the address logged in from before: 200');
ok($d->{access_token}, '... a session');

# keys are hashes: the address is not in Redis
my $hash = sha256_hex(lc $email);
ok(redis('exists', "jobscout:login:attempts:$hash"), 'the count is keyed by SHA-256(lower(e-mail))');
my @keys = redis('keys', 'jobscout:login:*');
ok(!grep({ /wanjiru/i } @keys), '... no key holds the address');

# after the pause the right password works from a new address
($s, $d, $h) = login_from('10.0.3.1', $email, $password);
is($s, 429, 'still paused');
my $wait = $h->{'retry-after'} // 4;
cmp_ok($wait, '<=', 4, '... at most max=4s');
sleep $wait + 0.3;
($s, $d) = login_from('10.0.3.1', $email, $password);
is($s, 200, 'after Retry-After, the right password from a new address: 200');

# further guesses are paused again, no second mail
($s) = login_from('10.0.3.2', $email, 'another guess');
is($s, 429, 'a guess right after: paused again');
is(scalar(mails_to($email, 'mail.login_throttled')), 1, 'still one mail to the owner');

# guesses at once: each is counted before any password is checked, so no
# more than the budget get through
my $target = "parallel$$\@example.com";
verified_user($target, $password, 'Parallel');
my @guesses = map {
    my $json = encode_json({ email => $target, password => "parallel guess $_" });
    send_request('/api/v1/auth/login',
                 "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
                 . "Connection: close\r\nX-Forwarded-For: 10.0.4.$_\r\n"
                 . "Content-Type: application/json\r\n"
                 . "Content-Length: " . length($json) . "\r\n\r\n$json");
} 1 .. 30;
collect(20, @guesses);
my %count;
$count{$_->{status}}++ for @guesses;
is_deeply(\%count, { 401 => 10, 429 => 20 }, '30 guesses at once: 10 checked, 20 refused');
is(scalar(mails_to($target, 'mail.login_throttled')), 1, '... one mail');

unlike(error_log_since($log_start), qr/\[(error|alert|crit|emerg)\]/,
       'no error in the log');
stop_nginx();

# Redis away: a login cannot be counted, so it is refused (503), never let
# through unchecked
write_config(workers => 1, main_config => 'thread_pool jobscout threads=2;',
             http_config => <<"EOC", config => 'location / { jobscout_api; }');
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis 127.0.0.1:9 timeout=200ms;
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
EOC
my ($started, $start_err) = start_nginx();
ok($started, 'nginx starts without Redis') or diag $start_err;
($s, $d) = api(POST => '/auth/login', { email => $email, password => $password });
is($s, 503, 'a login while Redis is away: 503');
is($d->{error}{code}, 'unavailable', '... unavailable, in JSON');
stop_nginx();

# the directive: off, and what it refuses
for my $bad ('failures=0', 'window=1m backoff=2m', 'max=1m backoff=2m',
             'failures=x', 'nonsense=1', 'off failures=3') {
    write_config(http_config => "jobscout_login_throttle $bad;");
    my ($rc, $err) = test_config();
    isnt($rc, 0, "jobscout_login_throttle $bad is refused");
}
write_config(http_config => "jobscout_login_throttle off;");
my ($rc, $err) = test_config();
is($rc, 0, 'jobscout_login_throttle off is accepted') or diag $err;

done_testing();
