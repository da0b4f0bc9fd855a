# The signed-in user's account: PATCH /users/me (full_name, preferences
# validated strictly), PUT/DELETE /users/me/fcm-token, GET
# /users/me/data-export, DELETE /users/me (soft delete with the password,
# every session revoked) and the purge 30 days later.  Another user's data
# is never reachable.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(encode_json);

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my $run = $$;
psql("INSERT INTO companies (name, slug) VALUES"
     . " ('Safaricom $run', 'safaricom-$run'), ('Andela $run', 'andela-$run')");

my ($amina, $amina_refresh, $amina_id) =
    verified_user("amina$run\@example.com", 'a long enough secret', 'Amina Hassan');
my ($brian, undef, $brian_id) =
    verified_user("brian$run\@example.com", 'another long secret', 'Brian Kip');

# --- GET /users/me
my ($s, $d) = api(GET => '/users/me', undef, $amina);
is($s, 200, 'GET /users/me');
is($d->{id}, $amina_id, '... is the token\'s user');
ok(!exists $d->{hashed_password}, '... without the password hash');
is_deeply($d->{preferences}, {}, '... no preferences yet');

# --- PATCH /users/me
my %prefs = (companies => ["safaricom-$run", "andela-$run"],
             roles => ['backend_engineer', 'devops'],
             locations => ['Nairobi', 'remote'],
             notifications => { push => JSON::PP::true, email => JSON::PP::false,
                                email_digest => 'daily' },
             min_score => 40);
($s, $d) = api(PATCH => '/users/me', { full_name => 'Amina H.', preferences => \%prefs }, $amina);
is($s, 200, 'PATCH full_name and preferences: 200');
is($d->{full_name}, 'Amina H.', '... the new name');
my $cut = "(\x{202e}exe.gnp)";
utf8::encode($cut);
my ($cs, $cd) = api(PATCH => '/users/me', qq({"full_name": "Amina $cut"}), $amina);
is("$cs $cd->{error}{message}", '422 full_name: has a direction or line control',
   'a name with a bidi override: 422');
is(encode_json($d->{preferences}{companies}), encode_json($prefs{companies}), '... companies stored');
is($d->{preferences}{min_score}, 40, '... min_score stored');
is($d->{preferences}{notifications}{email_digest}, 'daily', '... notifications stored');

($s, $d) = api(PATCH => '/users/me', { preferences => { notifications => { email => JSON::PP::true } } }, $amina);
is($s, 200, 'PATCH one notification setting');
ok($d->{preferences}{notifications}{email}, '... it is changed');
ok($d->{preferences}{notifications}{push}, '... the others are kept');
is($d->{preferences}{notifications}{email_digest}, 'daily', '... all of them');
is(scalar @{ $d->{preferences}{roles} }, 2, '... and so are the other preferences');
is($d->{full_name}, 'Amina H.', '... and the name');

($s, $d) = api(PATCH => '/users/me', { preferences => { companies => undef, min_score => undef } }, $amina);
is($s, 200, 'PATCH null removes a preference');
ok(!exists $d->{preferences}{companies} && !exists $d->{preferences}{min_score},
   '... companies and min_score are gone');
ok($d->{preferences}{roles}, '... roles stay');

($s, $d) = api(PATCH => '/users/me', {}, $amina);
is($s, 200, 'an empty PATCH changes nothing and answers the account');

my $before = psql("SELECT full_name || preferences::text FROM users WHERE id = '$amina_id'");

# refused fields that need this run's companies (the others, request by
# request, are t/053_users_me_requests.t's): 422 naming them, nothing written
my @refused = (
    [ { full_name => '' },                      'full_name' ],
    [ { preferences => { companies => ["andela-$run", "andela-$run"] } }, 'preferences.companies' ],
    [ { preferences => { companies => ["no-such-company-$run"] } }, 'preferences.companies' ],
    [ { full_name => 'Someone', preferences => { min_score => 101 } }, 'preferences.min_score' ],
);
for my $case (@refused) {
    my ($body, $field) = @$case;
    my $json = encode_json($body);
    ($s, $d) = api(PATCH => '/users/me', $body, $amina);
    is($s, 422, "PATCH $json: 422");
    is($d->{error}{field}, $field, "... names $field")
        or diag explain $d;
}
($s, $d) = api(PATCH => '/users/me', { preferences => { companies => ["no-such-company-$run"] } }, $amina);
like($d->{error}{message}, qr/no-such-company-$run/, 'an unknown company is named');
is(psql("SELECT full_name || preferences::text FROM users WHERE id = '$amina_id'"), $before,
   'nothing refused was written');

($s) = api(PATCH => '/users/me', { full_name => 'Nobody' });
is($s, 401, 'PATCH without a token: 401');

# --- the FCM device token
my $device = 'dGVzdC1kZXZpY2U:APA91bH' . ('x_-' x 40) . $run;
($s) = api(PUT => '/users/me/fcm-token', { token => $device }, $amina);
is($s, 204, 'PUT /users/me/fcm-token: 204');
($s, $d) = api(GET => '/users/me', undef, $amina);
ok($d->{has_fcm_token}, '... the account has a device token');
is(psql("SELECT fcm_token FROM users WHERE id = '$amina_id'"), $device, '... stored as sent');

($s) = api(PUT => '/users/me/fcm-token', { token => $device }, $brian);
is($s, 204, 'the same device signs in to another account');
is(psql("SELECT count(*) FROM users WHERE fcm_token = '$device'"), 1, '... one account holds the token');
is(psql("SELECT id FROM users WHERE fcm_token = '$device'"), $brian_id, '... the newest one');

($s) = api(DELETE => '/users/me/fcm-token', undef, $brian);
is($s, 204, 'DELETE /users/me/fcm-token: 204');
($s, $d) = api(GET => '/users/me', undef, $brian);
ok(!$d->{has_fcm_token}, '... the account has no device token');

# --- GDPR export
my $job = psql("INSERT INTO jobs (company_id, title, location, apply_url)"
               . " SELECT id, 'Backend Engineer', 'Nairobi', 'https://example.com/1'"
               . " FROM companies WHERE slug = 'safaricom-$run' RETURNING id");
my $alert = psql("INSERT INTO user_job_alerts (user_id, job_id, match_score)"
                 . " VALUES ('$amina_id', '$job', 87) RETURNING id");
psql("UPDATE user_job_alerts SET is_applied = true, application_status = 'Applied' WHERE id = '$alert'");
psql("INSERT INTO user_skills (user_id, skill_name, proficiency) VALUES ('$amina_id', 'golang', 'advanced')");

($s, $d) = api(POST => '/applications', { title => 'Data Engineer', company => 'Elsewhere Ltd',
                                           url => 'https://elsewhere.example/jobs/7', notes => 'via a friend' }, $amina);
is($s, 201, 'an application for a job found elsewhere is logged');

my ($h, $raw);
($s, $d, $h, undef, $raw) = api(GET => '/users/me/data-export', undef, $amina);
is($s, 200, 'GET /users/me/data-export: 200');
like($h->{'content-disposition'} // '', qr/attachment; filename="jobscout-export\.json"/,
     '... as an attachment');
is($d->{account}{id}, $amina_id, '... the account');
is($d->{account}{email}, "amina$run\@example.com", '... with its e-mail');
ok(!exists $d->{account}{hashed_password} && $raw !~ /\$2b\$/, '... never the password hash');
is($d->{account}{preferences}{roles}[0], 'backend_engineer', '... the preferences');
is($d->{skills}[0]{skill_name}, 'golang', '... the skills');
# every alert of the account: the preferences above may have brought
# others, of jobs earlier suites left (the backfill)
is(scalar @{ $d->{alerts} },
   psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$amina_id'"),
   '... the alerts and applications');
my ($mine) = grep { $_->{id} eq $alert } @{ $d->{alerts} };
my ($logged) = grep { $_->{logged_job} } @{ $d->{alerts} };
is($mine->{job}{title}, 'Backend Engineer', '... with their job');
is($logged->{logged_job}{company}, 'Elsewhere Ltd', '... the logged application with its job');
is($logged->{notes}, 'via a friend', '... and notes');
is($mine->{match_score}, 87, '... and score');
is($mine->{status_history}[0]{to_status}, 'Applied', '... and application history');

($s, $d) = api(GET => '/users/me/data-export', undef, $brian);
is($s, 200, 'another user exports');
is(scalar @{ $d->{alerts} }, 0, '... none of the first user\'s alerts');
is($d->{account}{id}, $brian_id, '... only their own account');

# --- DELETE /users/me
($s, $d) = api(DELETE => '/users/me', {}, $amina);
is($s, 422, 'DELETE without the password: 422');
is($d->{error}{field}, 'password', '... names password');
($s, $d) = api(DELETE => '/users/me', { password => 'not the password' }, $amina);
is($s, 403, 'DELETE with a wrong password: 403');
is($d->{error}{code}, 'wrong_password', '... wrong_password');
is(psql("SELECT deleted_at IS NULL FROM users WHERE id = '$amina_id'"), 't', '... nothing deleted');

my ($second) = api(POST => '/auth/login', { email => "amina$run\@example.com",
                                            password => 'a long enough secret' });
is($second, 200, 'a second session on another device');

($s, $d) = api(DELETE => '/users/me', { password => 'a long enough secret' }, $amina);
is($s, 200, 'DELETE /users/me with the password: 200');
ok($d->{deleted_at} && $d->{purge_after}, '... says when it was deleted and when it is purged');
is(psql("SELECT (purge_after - deleted_at) = interval '30 days' FROM"
        . " (SELECT '$d->{purge_after}'::timestamptz purge_after,"
        . " '$d->{deleted_at}'::timestamptz deleted_at) t"), 't', '... 30 days later');
is(psql("SELECT NOT is_active AND deleted_at IS NOT NULL AND fcm_token IS NULL"
        . " FROM users WHERE id = '$amina_id'"), 't', '... the account is soft-deleted');

($s) = api(GET => '/users/me', undef, $amina);
is($s, 401, 'the deleting session is revoked');
($s) = api(POST => '/auth/refresh', { refresh_token => $amina_refresh });
is($s, 401, '... and its refresh token');
($s) = api(POST => '/auth/login', { email => "amina$run\@example.com",
                                    password => 'a long enough secret' });
is($s, 401, 'a deleted account cannot log in');
($s) = api(DELETE => '/users/me', { password => 'another long secret' }, $brian);
ok($s == 200, 'the other user deletes their account too');

# --- the purge, 30 days later
is(psql("SELECT purge_deleted_accounts()"), 0, 'nothing is purged before 30 days');
psql("UPDATE users SET deleted_at = now() - interval '30 days 1 minute' WHERE id = '$amina_id'");
is(psql("SELECT purge_deleted_accounts()"), 1, 'after 30 days the account is purged');
is(psql("SELECT count(*) FROM users WHERE id = '$amina_id'"), 0, '... the row is gone');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$amina_id'")
   + psql("SELECT count(*) FROM user_skills WHERE user_id = '$amina_id'")
   + psql("SELECT count(*) FROM user_tokens WHERE user_id = '$amina_id'"), 0,
   '... with its alerts, skills and tokens');
is(psql("SELECT count(*) FROM users WHERE id = '$brian_id'"), 1, '... the other account waits its turn');
is(psql("SELECT count(*) FROM jobs WHERE id = '$job'"), 1, '... jobs are not personal data: they stay');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');
done_testing();
