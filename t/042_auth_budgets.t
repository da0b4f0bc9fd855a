# The shipped conf/nginx.conf's per-address budgets for the account routes:
# one person's first run (register, verify, log in, resend, forgot, reset,
# log in) never meets a 429, and logging in, registering and recovery each
# have a budget of their own, per address.  Source addresses come from
# X-Forwarded-For, trusted from 127.0.0.1 (set_real_ip_from added to the
# rendered configuration's http block, as behind a load balancer); the
# budgets live in Redis across runs, so every run takes addresses of its
# own.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

write_shipped_config(http => "    set_real_ip_from 127.0.0.1;\n"
                             . "    real_ip_header X-Forwarded-For;");
my $log_start = error_log_size();
my ($started, $start_err) = start_nginx();
ok($started, 'nginx starts with the shipped configuration') or diag $start_err;
for (1 .. 100) { my ($s) = http_request("GET /health/ready"); last if $s && $s == 200; sleep 0.03 }

my $net = sprintf '10.%d.%d', 1 + int rand 250, int rand 250;

sub from {
    my ($host, $method, $path, $body) = @_;
    return api($method, $path, $body, undef, "X-Forwarded-For: $net.$host\r\n");
}

# the token of the newest mail of a kind for an address
sub token_for { my $task = mail_for(@_); return $task ? $task->{args}{token} : '' }

# 1. the first run, from one address
my $email = "first.run$$\@example.com";
my @flow;
my ($s, $d) = from(1, POST => '/auth/register',
                   { email => $email, password => 'a first passphrase', full_name => 'First Run' });
push @flow, $s;
($s) = from(1, POST => '/auth/verify-email', { token => token_for($email, 'mail.verify_email') });
push @flow, $s;
($s) = from(1, POST => '/auth/login', { email => $email, password => 'a first passphrase' });
push @flow, $s;
($s) = from(1, POST => '/auth/resend-verification', { email => $email });
push @flow, $s;
($s) = from(1, POST => '/auth/forgot-password', { email => $email });
push @flow, $s;
($s) = from(1, POST => '/auth/reset-password',
            { token => token_for($email, 'mail.reset_password'), password => 'a second passphrase' });
push @flow, $s;
($s) = from(1, POST => '/auth/login', { email => $email, password => 'a second passphrase' });
push @flow, $s;
is_deeply(\@flow, [201, 200, 200, 202, 202, 204, 200],
          'register, verify, log in, resend, forgot, reset, log in: no 429');

# 2. logging in: 10 in a row per address (burst 9), then 429; other
# budgets and other addresses go on.  Unknown accounts, each its own: the
# per-account throttle stays out of it.
my @logins = map { (from(2, POST => '/auth/login', { email => "nobody$_.$$\@example.com", password => 'x' }))[0] } 1 .. 11;
is_deeply(\@logins, [(401) x 10, 429], 'logins from one address: 10, then 429');
my $h;
($s, $d, $h) = from(2, POST => '/auth/login', { email => $email, password => 'a second passphrase' });
is($s, 429, '... the right password from that address too');
is($d->{error}{code}, 'rate_limited', '... rate_limited');
like($h->{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');
($s) = from(2, POST => '/auth/register',
            { email => "second$$\@example.com", password => 'another passphrase', full_name => 'S' });
is($s, 201, 'registering from the same address is not held back');
($s) = from(2, POST => '/auth/forgot-password', { email => $email });
is($s, 202, 'nor is recovery');
($s) = from(3, POST => '/auth/login', { email => $email, password => 'a second passphrase' });
is($s, 200, 'another address logs in');

# 3. recovery: 10 in a row per address, then 429
my @forgot = map { (from(4, POST => '/auth/forgot-password', { email => "nobody$$\@example.com" }))[0] } 1 .. 11;
is_deeply(\@forgot, [(202) x 10, 429], 'recovery from one address: 10, then 429');
($s) = from(4, POST => '/auth/verify-email', { token => 'ab' x 32 });
is($s, 429, '... verify-email shares the recovery budget');
($s) = from(4, POST => '/auth/login', { email => $email, password => 'a second passphrase' });
is($s, 200, 'logging in from that address is not held back');

# 4. registering: 5 in a row per address (burst 4), then 429
my @registers = map {
    (from(5, POST => '/auth/register',
          { email => "reg$_.$$\@example.com", password => 'another passphrase', full_name => 'R' }))[0]
} 1 .. 6;
is_deeply(\@registers, [(201) x 5, 429], 'registering from one address: 5, then 429');
($s) = from(5, POST => '/auth/login', { email => $email, password => 'a second passphrase' });
is($s, 200, 'logging in from that address is not held back');
($s) = from(5, POST => '/auth/resend-verification', { email => "reg1.$$\@example.com" });
is($s, 202, 'nor is recovery');

stop_nginx();
unlike(error_log_since($log_start), qr/\[(alert|crit|emerg)\]|exited on signal/,
       'no alert, no crash');
clean_servroot();

done_testing();
