# E-mailed tokens: verify an address, resend, forgot and reset a password.
# Tokens are read from the mail tasks the API writes to the task outbox.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};


my $log_start = start_api();

my $email = "baraka$$\@example.com";
my ($s, $d) = api(POST => '/auth/register',
                  { email => $email, password => 'first good passphrase', full_name => 'Baraka Mwangi' });
is($s, 201, 'registered');

my $first = mail_for($email, 'mail.verify_email');
ok($first, 'a verification mail task is queued');
like($first->{args}{token}, qr/^[0-9a-f]{64}$/, '... with a 64-hex token');
like($first->{id}, qr/^[0-9a-f]{32}$/, '... and the documented task fields')
    and ok(defined $first->{enqueued_at} && $first->{attempt} == 0, '... attempt 0, enqueued_at');
is(psql("SELECT count(*) FROM user_tokens WHERE token_hash = decode('$first->{args}{token}', 'hex')"),
   0, 'the raw token is not what the database stores');

# resend retires the first token
($s, $d) = api(POST => '/auth/resend-verification', { email => uc $email });
is($s, 202, 'resend-verification: 202');
my $second = mail_for($email, 'mail.verify_email');
ok($second && $second->{args}{token} ne $first->{args}{token}, '... a new token is mailed');

($s, $d) = api(POST => '/auth/verify-email', { token => $first->{args}{token} });
is($s, 400, 'the retired token: 400');
is($d->{error}{code}, 'token_used', '... token_used (a newer one replaced it)');

($s, $d) = api(POST => '/auth/verify-email', { token => 'zz' x 32 });
is($s, 422, 'not a token: 422');

($s, $d) = api(POST => '/auth/verify-email', { token => $second->{args}{token} });
is($s, 200, 'verify-email: 200');
ok($d->{email_verified}, '... verified');

($s) = api(POST => '/auth/verify-email', { token => $second->{args}{token} });
is($s, 400, 'the same token again: 400 (single use)');

($s, $d) = api(POST => '/auth/resend-verification', { email => $email });
is($s, 202, 'resend for a verified address: still 202');
ok(!mail_for($email, 'mail.verify_email'), '... but nothing is mailed');

# forgot / reset
($s) = api(POST => '/auth/forgot-password', { email => "nobody$$\@example.com" });
is($s, 202, 'forgot-password for an unknown address: 202 all the same');

($s, $d) = api(POST => '/auth/login', { email => $email, password => 'first good passphrase' });
is($s, 200, 'logged in');
my $session = $d->{access_token};
my $session_refresh = $d->{refresh_token};

($s) = api(POST => '/auth/forgot-password', { email => $email });
is($s, 202, 'forgot-password: 202');
my $reset = mail_for($email, 'mail.reset_password');
ok($reset, 'a reset mail task is queued');
is(psql("SELECT count(*) FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '$email' AND t.purpose = 'reset_password' AND t.used_at IS NULL AND t.expires_at <= now() + interval '1 hour'"),
   1, '... its token expires within the hour');

($s, $d) = api(POST => '/auth/reset-password', { token => $reset->{args}{token}, password => 'password' });
is($s, 422, 'a common new password: 422');
($s, $d) = api(POST => '/auth/reset-password', { token => $reset->{args}{token}, password => uc $email });
is("$s $d->{error}{message}", '422 password: must not be the e-mail address',
   'the address as the new password, in any case: 422');

($s) = api(POST => '/auth/reset-password', { token => $reset->{args}{token}, password => 'second good passphrase' });
is($s, 204, 'reset-password: 204');

($s) = api(GET => '/users/me', undef, $session);
is($s, 401, 'the sessions before the reset are revoked');
($s) = api(POST => '/auth/refresh', { refresh_token => $session_refresh });
is($s, 401, '... refresh tokens too');

($s) = api(POST => '/auth/login', { email => $email, password => 'first good passphrase' });
is($s, 401, 'the old password no longer works');
($s, $d) = api(POST => '/auth/login', { email => $email, password => 'second good passphrase' });
is($s, 200, 'the new one does');

($s, $d) = api(POST => '/auth/reset-password', { token => $reset->{args}{token}, password => 'third good passphrase' });
is($s, 400, 'the reset token works once');
is($d->{error}{code}, 'token_used', '... token_used');

# an expired token
($s) = api(POST => '/auth/forgot-password', { email => $email });
$reset = mail_for($email, 'mail.reset_password');
is(psql("UPDATE user_tokens SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' WHERE token_hash = sha256(convert_to('$reset->{args}{token}', 'UTF8')) RETURNING 1"),
   1, 'the stored hash is the SHA-256 of the mailed token (now expired)');
($s, $d) = api(POST => '/auth/reset-password', { token => $reset->{args}{token}, password => 'third good passphrase' });
is($s, 400, 'an expired reset token: 400');
is($d->{error}{code}, 'token_expired', '... token_expired');
($s, $d) = api(POST => '/auth/reset-password', { token => 'ab' x 32, password => 'third good passphrase' });
is($s, 400, 'an unknown reset token: 400');
is($d->{error}{code}, 'invalid_token', '... invalid_token');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');
done_testing();
