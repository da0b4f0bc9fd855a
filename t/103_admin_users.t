# The accounts, for operators: GET /admin/users (filters, keyset pages),
# GET /admin/users/{id} (counts), and disable, enable, promote, demote,
# each audited.  Disabling ends the account's sessions at once; a demoted
# or disabled admin loses the admin routes at once; an admin cannot change
# their own access.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Token qw(token);
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();
my $run = $$;
my ($s, $d, $h);

# an account that logged in through the API: its sessions are in Redis
sub logged_in {
    my ($name, $admin) = @_;
    my $email = "$name.$run\@example.com";
    my (undef, undef, $id) = verified_user($email, 'a long enough secret',
                                           $name);
    psql("UPDATE users SET is_admin = true WHERE id = '$id'") if $admin;
    ($s, $d) = api(POST => '/auth/login',
                   { email => $email, password => 'a long enough secret' });
    die "login $email: $s" unless $s == 200;
    return ($id, $d->{access_token}, $d->{refresh_token}, $email);
}

# the audit of an account: "action admin before>after request" each, with
# before and after as is_active and is_admin, t or f
sub audits {
    my ($target) = @_;
    return psql("SELECT string_agg(format('%s %s %s%s>%s%s %s', action,"
                . " admin_id, left(before->>'is_active', 1),"
                . " left(before->>'is_admin', 1), left(after->>'is_active', 1),"
                . " left(after->>'is_admin', 1),"
                . " left((request_id IS NOT NULL)::text, 1)), ', '"
                . " ORDER BY created_at) FROM admin_audit"
                . " WHERE target_type = 'user' AND target_id = '$target'");
}

my ($admin, $admin_token) = logged_in('chief', 1);
my ($user, $user_token) = user('plain');

# --- who may ask ------------------------------------------------------------

($s, $d) = api(GET => '/admin/users');
is($s, 401, 'no token: 401');
($s, $d) = api(GET => '/admin/users', undef, $user_token);
is("$s $d->{error}{code}", '403 forbidden', 'a user: 403');
my $claims_admin = token(claims => { sub => $user, role => 'admin' });
($s, $d) = api(GET => '/admin/users', undef, $claims_admin);
is("$s $d->{error}{code}", '403 forbidden',
   'a token saying admin for a user who is not: 403 (the statement checks)');

# --- the list ---------------------------------------------------------------

# twelve accounts of this run, a second apart, the newest last
my @made = map {
    my ($id) = user("list-$_");
    psql("UPDATE users SET created_at = now() - interval '1 day'"
         . " + interval '$_ seconds' WHERE id = '$id'");
    $id
} 1 .. 12;
psql("UPDATE users SET full_name = 'Zawadi 100%_Sure', is_admin = true"
     . " WHERE id = '$made[3]'");
psql("UPDATE users SET is_active = false WHERE id IN ('$made[5]', '$made[6]')");

my @seen;
my $cursor;
my $pages = 0;
do {
    ($s, $d) = api(GET => '/admin/users?q=list-&limit=5'
                          . ($cursor ? "&cursor=$cursor" : ''),
                   undef, $admin_token);
    is($s, 200, 'a page of the list: 200') or diag explain $d;
    push @seen, map { $_->{id} } @{ $d->{items} };
    $cursor = $d->{next_cursor};
    $pages++;
} while ($cursor && $pages < 10);
is($pages, 3, 'twelve accounts in pages of five: three pages');
is_deeply(\@seen, [reverse @made], '... each once, newest first');

($s, $d) = api(GET => "/admin/users?q=LIST-12", undef, $admin_token);
is_deeply([map { $_->{id} } @{ $d->{items} }], [$made[11]],
          'q: a fragment of the e-mail address, case-blind');
($s, $d) = api(GET => "/admin/users?q=%25_s", undef, $admin_token);
is_deeply([map { $_->{id} } @{ $d->{items} }], [$made[3]],
          'q: % and _ are characters, not patterns; the name is searched');
is($d->{items}[0]{full_name}, 'Zawadi 100%_Sure', '... the name shown');
ok(!exists $d->{items}[0]{hashed_password}, '... never the password hash');
is_deeply([sort keys %{ $d->{items}[0] }],
          [sort qw(id email full_name is_active is_admin email_verified
                   created_at last_login_at deleted_at counts)],
          '... the fields of an account');
($s, $d) = api(GET => "/admin/users?q=list-&admin=true", undef, $admin_token);
is_deeply([map { $_->{id} } @{ $d->{items} }], [$made[3]], 'admin=true');
($s, $d) = api(GET => "/admin/users?q=list-&active=false", undef,
               $admin_token);
is_deeply([map { $_->{id} } @{ $d->{items} }], [@made[6, 5]], 'active=false');
($s, $d) = api(GET => "/admin/users?q=list-&active=true&admin=false&limit=100",
               undef, $admin_token);
is(scalar @{ $d->{items} }, 9, 'active=true&admin=false: the other nine');
is($d->{next_cursor}, undef, '... on one page');

for my $bad (['admin=yes', 'admin'], ['active=1', 'active'],
             ['limit=0', 'limit'], ['limit=101', 'limit'],
             ['cursor=bm9wZQ', 'cursor'], ['q=' . ('x' x 255), 'q'],
             ['sort=email', 'sort'], ['admin=true&admin=false', 'admin'])
{
    ($s, $d) = api(GET => "/admin/users?$bad->[0]", undef, $admin_token);
    is("$s $d->{error}{field}", "422 $bad->[1]",
       '?' . substr($bad->[0], 0, 24) . ": 422 naming $bad->[1]");
}

# --- one account ------------------------------------------------------------

my $company = company('Counts Ltd');
alert($user, job($company)) for 1 .. 3;
alert($user, job($company), is_applied => 'true',
      application_status => "'Applied'");
psql("UPDATE users SET fcm_token = 'device-$run' WHERE id = '$user'");
($s, $d) = api(GET => "/admin/users/$user", undef, $admin_token);
is($s, 200, 'GET /admin/users/{id}: 200');
is_deeply($d->{counts}, { alerts => 4, applications => 1, devices => 1 },
          '... with its alerts, applications and devices');
is($d->{id}, $user, '... the account');
is($d->{is_active}, JSON::PP::true, '... active');
ok(exists $d->{last_login_at} && exists $d->{deleted_at},
   '... last_login_at and deleted_at shown');

for my $path ('/admin/users/not-a-uuid', '/admin/users/' . ('0' x 36),
              '/admin/users/8d6e1cbc-2f7e-4f7b-9d7a-1d2b3c4d5e6f')
{
    ($s, $d) = api(GET => $path, undef, $admin_token);
    is("$s $d->{error}{code} $d->{error}{message}",
       '404 not_found no such user', "GET $path: 404");
}
($s, $d) = api(GET => "/admin/users/$user?x=1", undef, $admin_token);
is("$s $d->{error}{field}", '422 x', 'an argument: 422');

# --- disable, enable --------------------------------------------------------

my ($kip, $kip_token, $kip_refresh, $kip_email) = logged_in('kip');
($s) = api(GET => '/users/me', undef, $kip_token);
is($s, 200, 'a live session: GET /users/me 200');

($s, $d) = api(POST => "/admin/users/$kip/disable", undef, $admin_token);
is($s, 200, 'disable: 200');
is($d->{is_active}, JSON::PP::false, '... the account as it is now');
is(psql("SELECT is_active FROM users WHERE id = '$kip'"), 'f', '... stored');
($s, $d) = api(GET => '/users/me', undef, $kip_token);
is($s, 401, 'the live access token is refused right after: 401');
($s, $d) = api(POST => '/auth/refresh', { refresh_token => $kip_refresh });
is($s, 401, '... and its refresh token');
($s, $d) = api(POST => '/auth/login',
               { email => $kip_email, password => 'a long enough secret' });
is($s, 401, '... and a new login');
is(audits($kip), "user.disable $admin tf>ff t",
   'audited: who, before and after, the request');

($s, $d) = api(POST => "/admin/users/$kip/disable", undef, $admin_token);
is("$s $d->{is_active}", '200 0', 'disabling again: 200, still disabled');
is(audits($kip), "user.disable $admin tf>ff t", '... nothing to audit');

($s, $d) = api(POST => "/admin/users/$kip/enable", undef, $admin_token);
is("$s $d->{is_active}", '200 1', 'enable: 200');
is(audits($kip), "user.disable $admin tf>ff t, user.enable $admin ff>tf t",
   '... audited');
($s, $d) = api(POST => '/auth/login',
               { email => $kip_email, password => 'a long enough secret' });
is($s, 200, '... logging in works again');
($s) = api(GET => '/users/me', undef, $kip_token);
is($s, 401, '... the sessions ended by the disabling stay ended');

# --- promote, demote --------------------------------------------------------

my ($wanja, $wanja_token, undef, $wanja_email) = logged_in('wanja');
($s) = api(GET => '/admin/users', undef, $wanja_token);
is($s, 403, 'a user: no admin routes');
($s, $d) = api(POST => "/admin/users/$wanja/promote", undef, $admin_token);
is("$s $d->{is_admin}", '200 1', 'promote: 200');
($s) = api(GET => '/admin/users', undef, $wanja_token);
is($s, 403, '... the old token still says user: 403');
($s, $d) = api(POST => '/auth/login',
               { email => $wanja_email, password => 'a long enough secret' });
my $wanja_admin = $d->{access_token};
($s) = api(GET => '/admin/users', undef, $wanja_admin);
is($s, 200, '... a new login is an admin\'s');

($s, $d) = api(POST => "/admin/users/$wanja/demote", undef, $admin_token);
is("$s $d->{is_admin}", '200 0', 'demote: 200');
($s, $d) = api(GET => '/admin/users', undef, $wanja_admin);
is("$s $d->{error}{code}", '403 forbidden',
   '... the admin token is refused at once');
is(audits($wanja), "user.promote $admin tf>tt t, user.demote $admin tt>tf t",
   'both audited');

# a disabled admin whose session Redis does not know: the statement refuses
my ($other_admin, $other_token) = admin('second');
($s) = api(GET => '/admin/users', undef, $other_token);
is($s, 200, 'another admin');
($s, $d) = api(POST => "/admin/users/$other_admin/disable", undef,
               $admin_token);
is($s, 200, '... disabled');
($s, $d) = api(GET => '/admin/users', undef, $other_token);
is("$s $d->{error}{code}", '403 forbidden', '... refused at once');
($s, $d) = api(POST => "/admin/users/$admin/disable", undef, $other_token);
is($s, 403, '... and cannot disable the one who disabled them');
is(psql("SELECT is_active FROM users WHERE id = '$admin'"), 't',
   '... who stays active');

# --- one's own access, deleted accounts, bad ids ----------------------------

my $audit_count = psql('SELECT count(*) FROM admin_audit');
for my $change (qw(disable demote)) {
    ($s, $d) = api(POST => "/admin/users/$admin/$change", undef,
                   $admin_token);
    is("$s $d->{error}{code} $d->{error}{message}",
       '409 conflict administrators cannot disable or demote themselves',
       "$change oneself: 409");
}
for my $change (qw(enable promote)) {
    ($s, $d) = api(POST => "/admin/users/$admin/$change", undef,
                   $admin_token);
    is("$s $d->{id}", "200 $admin", "$change oneself: 200, nothing to do");
}
is(psql("SELECT is_active AND is_admin FROM users WHERE id = '$admin'"), 't',
   '... the admin is untouched');

my ($gone) = user('gone');
psql("UPDATE users SET deleted_at = now(), is_active = false"
     . " WHERE id = '$gone'");
($s, $d) = api(POST => "/admin/users/$gone/enable", undef, $admin_token);
is("$s $d->{error}{message}", '409 the account is deleted',
   'a deleted account: 409');
is(psql('SELECT count(*) FROM admin_audit'), $audit_count,
   'no audit row for a refused change');

for my $path ("/admin/users/nope/disable",
              "/admin/users/8d6e1cbc-2f7e-4f7b-9d7a-1d2b3c4d5e6f/promote")
{
    ($s, $d) = api(POST => $path, undef, $admin_token);
    is("$s $d->{error}{message}", '404 no such user', "POST $path: 404");
}
($s, $d) = api(GET => "/admin/users/$user/disable", undef, $admin_token);
is($s, 405, 'GET on a change: 405');

# --- Redis away while disabling ---------------------------------------------

# a session revoked in PostgreSQL that Redis cannot note: 503, and the
# database refuses its token all the same
my ($ruto, $ruto_token) = logged_in('ruto');
my ($rhost, $rport) = split /:/, $ENV{TEST_NGINX_REDIS};
system('redis-cli', '-h', $rhost, '-p', $rport, 'CLIENT', 'PAUSE', '3000',
       'WRITE');
($s, $d) = api(POST => "/admin/users/$ruto/disable", undef, $admin_token);
system('redis-cli', '-h', $rhost, '-p', $rport, 'CLIENT', 'UNPAUSE');
is("$s $d->{error}{code}", '503 unavailable',
   'the sessions cannot be ended: 503');
like($d->{error}{message}, qr/the account is disabled/, '... saying so');
is(psql("SELECT is_active FROM users WHERE id = '$ruto'"), 'f',
   '... and the account stays disabled');
($s, $d) = api(GET => '/users/me', undef, $ruto_token);
isnt($s, 200, '... its token, never revoked, gets nothing: ' . $s);

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
