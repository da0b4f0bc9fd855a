# Accounts end to end: register, verify, login, refresh rotation and
# reuse, logout, the token variables, and bcrypt kept off the event loop.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Concurrent qw(send_request collect);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api(config => <<'EOC');
    location / {
        add_header X-User $jobscout_user_id always;
        add_header X-Role $jobscout_role always;
        jobscout_api;
    }
EOC

my $email = 'Akinyi.Otieno+' . $$ . '@Example.co.ke';
my %new = (email => $email, password => 'mango tree at dusk', full_name => 'Akinyi Otieno');

# register
my ($s, $d) = api(POST => '/auth/register', \%new);
is($s, 201, 'register: 201');
is($d->{email}, lc $email, '... the e-mail is stored in lower case');
ok(!$d->{email_verified}, '... not verified yet');
ok(!exists $d->{access_token}, '... and no tokens before verification');

($s, $d) = api(POST => '/auth/register', { %new, email => uc $email });
is($s, 409, 'the same address in other case: 409');
is($d->{error}{code}, 'email_taken', '... email_taken');

my $id = psql("SELECT id FROM users WHERE email = '" . lc($email) . "'");
like($id, qr/^[0-9a-f-]{36}$/, 'the user row exists');
is(psql("SELECT count(*) FROM user_tokens WHERE user_id = '$id' AND purpose = 'verify_email' AND expires_at > now() + interval '23 hours'"),
   1, 'a verification token valid for 24 h is stored');
is(psql("SELECT length(hashed_password) > 50 AND hashed_password LIKE '\$2b\$12\$%' FROM users WHERE id = '$id'"),
   't', 'the password is a bcrypt cost-12 hash');
my $task = mail_for(lc $email, 'mail.verify_email');
ok($task && $task->{args}{token} =~ /^[0-9a-f]{64}$/,
   'a verification e-mail task is in the outbox, committed with the account');

# login before and after verification
($s, $d) = api(POST => '/auth/login', { email => $email, password => $new{password} });
is($s, 403, 'login before verification: 403');
is($d->{error}{code}, 'email_unverified', '... email_unverified');

psql("UPDATE users SET email_verified = true, email_verified_at = now() WHERE id = '$id'");

# the quickest of three tries: a loaded machine only ever adds time
my ($t_wrong, $t_unknown, $t, $wrong_body, $unknown_body);
for (1 .. 3) {
    ($s, $d, undef, $t) = api(POST => '/auth/login', { email => $email, password => 'not the password' });
    is($s, 401, 'a wrong password: 401');
    $wrong_body = $d->{error}{message};
    $t_wrong = $t if !defined $t_wrong || $t < $t_wrong;
    ($s, $d, undef, $t) = api(POST => '/auth/login', { email => "nobody$$\@example.com", password => 'not the password' });
    is($s, 401, 'an unknown address: 401');
    $unknown_body = $d->{error}{message};
    $t_unknown = $t if !defined $t_unknown || $t < $t_unknown;
}
is($unknown_body, $wrong_body, '... with the same message');
cmp_ok($t_unknown, '>', 0.1, '... after a bcrypt-long wait too')
    or diag "unknown: $t_unknown s, wrong password: $t_wrong s";
my ($short, $long) = sort { $a <=> $b } $t_unknown, $t_wrong;
cmp_ok($short, '>', $long / 2, '... about as long as a wrong password')
    or diag "unknown: $t_unknown s, wrong password: $t_wrong s";

($s, $d) = api(POST => '/auth/login', { email => $email, password => $new{password} });
is($s, 200, 'login: 200');
is($d->{token_type}, 'Bearer', '... Bearer tokens');
is($d->{expires_in}, 1800, '... access for 30 minutes');
my ($access, $refresh) = @$d{qw(access_token refresh_token)};

my $h;
($s, $d, $h) = api(GET => '/users/me', undef, $access);
is($s, 200, '/users/me with the token: 200');
is($d->{id}, $id, '... this user');
ok(!exists $d->{hashed_password}, '... never the password hash');
is($h->{'x-user'}, $id, '$jobscout_user_id is the user');
is($h->{'x-role'}, 'user', '$jobscout_role is user');

($s, $d, $h) = api(GET => '/users/me');
is($s, 401, 'no token: 401');
ok(!$h->{'x-user'}, '... $jobscout_user_id is empty');

# refresh: rotation, the 5 s window, reuse after it
my ($s1, $p1) = api(POST => '/auth/refresh', { refresh_token => $refresh });
my ($s2, $p2) = api(POST => '/auth/refresh', { refresh_token => $refresh });
is($s1, 200, 'refresh: 200');
isnt($p1->{refresh_token}, $refresh, '... a new refresh token');
is($s2, 200, 'the same refresh token again at once: 200');
is_deeply($p2, $p1, '... the same new pair');

($s, $d) = api(POST => '/auth/refresh', { refresh_token => $access });
is($s, 401, 'an access token cannot refresh');

($s, $d) = api(GET => '/users/me', undef, $p1->{access_token});
is($s, 200, 'the new access token works');

sleep 5.2;
($s, $d) = api(POST => '/auth/refresh', { refresh_token => $refresh });
is($s, 401, 'the old refresh token after 5 s: 401 (taken as stolen)');
($s) = api(POST => '/auth/refresh', { refresh_token => $p1->{refresh_token} });
is($s, 401, '... and its whole family is revoked: the rotated token too');
($s) = api(GET => '/users/me', undef, $p1->{access_token});
is($s, 401, '... and the family\'s access tokens');

# logout
($s, $d) = api(POST => '/auth/login', { email => $email, password => $new{password} });
($access, $refresh) = @$d{qw(access_token refresh_token)};
($s) = api(POST => '/auth/logout', undef, $access);
is($s, 204, 'logout: 204');
($s) = api(GET => '/users/me', undef, $access);
is($s, 401, 'the access token is revoked');
($s) = api(POST => '/auth/refresh', { refresh_token => $refresh });
is($s, 401, 'its refresh token too');

# another session of the same user is untouched
($s, $d) = api(POST => '/auth/login', { email => $email, password => $new{password} });
my $other = $d->{access_token};
($s) = api(GET => '/users/me', undef, $other);
is($s, 200, 'a new session works after logout');

# bcrypt never blocks the loop: 10 logins hashing, /health stays fast
my $body = encode_json({ email => $email, password => $new{password} });
my @logins;
for (1 .. 10) {
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => server_port())
        or die $!;
    $sock->syswrite("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    . "Content-Type: application/json\r\nContent-Length: "
                    . length($body) . "\r\n\r\n$body");
    push @logins, { sock => $sock, raw => '', start => time, path => 'login' };
}
my @health;
for (1 .. 30) {
    my $r = send_request('/health');
    collect(2, $r);
    push @health, $r->{elapsed};
    sleep 0.02;
}
collect(10, @logins);
my @sorted = sort { $a <=> $b } @health;
my $p99 = $sorted[int(0.99 * $#sorted)];
is(scalar(grep { $_->{status} == 200 } @logins), 10, '10 concurrent logins succeed');
cmp_ok($p99, '<', 0.05, '/health p99 stays under 50 ms while they hash')
    or diag "health latencies: @sorted";
cmp_ok((sort { $b <=> $a } map { $_->{elapsed} } @logins)[0], '>', 0.5,
       '... and the hashing really took time (2 threads, 10 hashes)');

# clients that go away while their password is hashing
for (1 .. 6) {
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => server_port())
        or die $!;
    $sock->syswrite("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                    . "Content-Type: application/json\r\nContent-Length: "
                    . length($body) . "\r\n\r\n$body");
    sleep 0.02;
    close $sock;
}
sleep 1.5;    # the hashes finish for requests long gone
($s, $d) = api(POST => '/auth/login', { email => $email, password => $new{password} });
is($s, 200, 'logins work on after clients left mid-hash');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/,
       'no alert, no crash');
done_testing();
