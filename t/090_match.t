# Matching new jobs to users, in SQL (sql/migrations/0007_notifier.sql):
# the truth table of seed 000 §5.2's filters, each alone and combined,
# empty and absent filters, "remote", whole words in any case, the
# channels (push off, no device, e-mail), deleted and inactive accounts,
# min_score; the match score; ON CONFLICT making a second match a no-op;
# the notifier's insert (0026) alone and racing another notifier on the
# same job; and preferences written through PATCH /users/me matching as
# stored.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(encode_json);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "m$$";

# two companies, each with a source
psql("INSERT INTO companies (name, slug) VALUES ('Acme $run', 'acme-$run'),"
     . " ('Globex $run', 'globex-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url)"
     . " SELECT id, 'fixture', 'https://example.com/' || slug FROM companies"
     . " WHERE slug IN ('acme-$run', 'globex-$run')");

# the jobs: company, title, location, location type
my %job;
for (['J1', 'acme',   'Senior Backend Engineer',  'Nairobi, Kenya', 'hybrid'],
     ['J2', 'globex', 'Frontend Developer',       'Remote - Africa', 'remote'],
     ['J3', 'acme',   'Backendengineer Intern',   'Mombasa',        'onsite'],
     ['J4', 'globex', 'Data Scientist',           undef,            'remote'],
     ['J5', 'acme',   'C++ Engineer (Embedded)',  'Kisumu',         'onsite'])
{
    my ($name, $co, $title, $loc, $type) = @$_;
    my $l = defined $loc ? "'$loc'" : 'NULL';
    $job{$name} = psql("INSERT INTO jobs (company_id, source_id, external_id, title,"
        . " location, location_type) SELECT s.company_id, s.id, '$name-$run', '$title',"
        . " $l, '$type' FROM job_sources s JOIN companies c ON c.id = s.company_id"
        . " WHERE c.slug = '$co-$run' RETURNING id");
}
my %name_of = reverse %job;

# users: preferences, and what else makes them reachable or not
my $n = 0;
my %user;
sub user {
    my ($name, $prefs, %o) = @_;
    $n++;
    my $json = encode_json($prefs);
    $json =~ s/'/''/g;
    my $token = exists $o{token} ? $o{token} : "device-$run-$n";
    (my $local = $name) =~ s/\W+/-/g;
    $user{$name} = psql("INSERT INTO users (email, hashed_password, full_name, preferences,"
        . " fcm_token, is_active, deleted_at, email_verified, email_verified_at) VALUES"
        . " ('$local-$run\@example.com', '!', '$name', '$json', "
        . (defined $token ? "'$token'" : 'NULL') . ', '
        . ($o{inactive} ? 'false' : 'true') . ', '
        . ($o{deleted} ? 'now()' : 'NULL') . ', '
        . ($o{unverified} ? 'false, NULL' : 'true, now()') . ') RETURNING id');
}

my ($acme, $globex) = ("acme-$run", "globex-$run");
my @ALL = qw(J1 J2 J3 J4 J5);
my @table = (
    # name                 preferences                                         expected
    ['no preferences',     {},                                                 [@ALL]],
    ['empty filters',      { companies => [], roles => [], locations => [] },  [@ALL]],
    ['company',            { companies => [$acme] },                           [qw(J1 J3 J5)]],
    ['two companies',      { companies => [$acme, $globex] },                  [@ALL]],
    ['unknown company',    { companies => ['initech'] },                       []],
    ['role',               { roles => ['backend_engineer'] },                  [qw(J1)]],
    ['role in caps',       { roles => ['BACKEND_Engineer'] },                  [qw(J1)]],
    ['role with spaces',   { roles => ['backend engineer'] },                  [qw(J1)]],
    ['one-word role',      { roles => ['engineer'] },                          [qw(J1 J5)]],
    ['part of a word',     { roles => ['end_engineer'] },                      []],
    ['words out of order', { roles => ['engineer_backend'] },                  []],
    ['role c++',           { roles => ['c++'] },                               [qw(J5)]],
    ['any of two roles',   { roles => ['data_scientist', 'frontend'] },        [qw(J2 J4)]],
    ['location',           { locations => ['nairobi'] },                       [qw(J1)]],
    ['location substring', { locations => ['AIROB'] },                         [qw(J1)]],
    ['remote',             { locations => ['remote'] },                        [qw(J2 J4)]],
    ['remote or a city',   { locations => ['remote', 'kisumu'] },              [qw(J2 J4 J5)]],
    ['all three',          { companies => [$acme], roles => ['backend_engineer', 'c++'],
                             locations => ['nairobi', 'kisumu'] },             [qw(J1 J5)]],
    ['all three, no job',  { companies => [$globex], roles => ['backend_engineer'] }, []],
    ['role and remote',    { roles => ['scientist'], locations => ['remote'] }, [qw(J4)]],
    ['push off',           { notifications => { push => JSON::PP::false } },  []],
    ['no device',          {},                                                 [], token => undef],
    ['deleted',            {},                                                 [], deleted => 1],
    ['inactive',           {},                                                 [], inactive => 1],
    ['e-mail only',        { notifications => { push => JSON::PP::false, email => JSON::PP::true } },
                                                                               [@ALL], token => undef],
    ['e-mail unverified',  { notifications => { push => JSON::PP::false, email => JSON::PP::true } },
                                                                               [], unverified => 1],
    ['min_score 100',      { roles => ['backend_engineer'], min_score => 100 }, []],
    ['min_score 1',        { roles => ['backend_engineer'], min_score => 1 },  [qw(J1)]],
    ['wrong types',        { companies => 'acme', roles => 7, notifications => { push => 'no' } },
                                                                               [@ALL]],
);
user($_->[0], $_->[1], @$_[3 .. $#$_]) for @table;

my $ids = join ',', map { "'$_'" } values %job;
my $users = join ',', map { "'$_'" } values %user;

# what match_new_jobs() inserts: the alerts, their scores and channels
sub matched {
    my ($jobs, $users) = @_;
    my $inserted = psql("SELECT count(*) FROM match_new_jobs(ARRAY[$jobs]::uuid[]) m"
                        . " WHERE m.user_id IN ($users)");
    my %got;
    for my $row (split /\n/, psql("SELECT user_id, job_id, match_score, push_status,"
                                  . " email_status FROM user_job_alerts"
                                  . " WHERE user_id IN ($users) AND job_id IN ($jobs)")) {
        my ($u, $j, $score, $push, $email) = split /\|/, $row, -1;
        $got{$u}{ $name_of{$j} } = { score => $score, push => $push, email => $email };
    }
    return ($inserted, %got);
}

my ($inserted, %got) = matched($ids, $users);

for my $t (@table) {
    my ($name, undef, $want) = @$t;
    my @matched = sort keys %{ $got{ $user{$name} } || {} };
    is("@matched", "@$want", "$name: " . (@$want ? "@$want" : 'nothing'));
}

my $expected = 0;
$expected += @{ $_->[2] } for @table;
is($inserted, $expected, "match_new_jobs() returns each alert it inserted ($expected)");

my $all_scores_ok = 1;
for my $u (values %got) {
    $all_scores_ok &&= $_->{score} =~ /^\d+$/ && $_->{score} <= 100 for values %$u;
}
ok($all_scores_ok, 'every alert has a score from 0 to 100');

my $mail = $got{ $user{'e-mail only'} }{J1};
ok($mail->{push} eq '' && $mail->{email} eq 'pending', 'e-mail only: no push, an e-mail pending');
my $pushed = $got{ $user{'no preferences'} }{J1};
ok($pushed->{push} eq 'pending' && $pushed->{email} eq '', 'by default: a push pending, no e-mail');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id IN ($users)"
        . " AND push_status = 'pending' AND push_due_at <= now() AND push_attempts = 0"),
   $expected - scalar(@ALL), 'every push pending, due now (the e-mail-only user has none)');

($inserted) = matched($ids, $users);
is($inserted, 0, 'matching the same jobs again inserts nothing (ON CONFLICT DO NOTHING)');

# --- the score: closer titles and set locations score higher
user('score senior', { roles => ['senior_backend_engineer'], locations => ['nairobi'] });
user('score engineer', { roles => ['engineer'] });
my (undef, %score) = matched("'$job{J1}'", "'$user{'score senior'}', '$user{'score engineer'}'");
my ($senior, $engineer) = map { $score{ $user{$_} }{J1}{score} } 'score senior', 'score engineer';
cmp_ok($senior, '>', $engineer,
       "the whole title and a location score higher ($senior > $engineer)");
is($senior, 40 * 1 + 35 * 1 + 25, '... all of the title, with a location: 100');

# skills: the share of the job's skills the user has
psql("INSERT INTO job_skills (job_id, skill_name) VALUES ('$job{J5}', 'C++'), ('$job{J5}', 'RTOS')");
user('skilled', { roles => ['c++'] });
user('unskilled', { roles => ['c++'] });
psql("INSERT INTO user_skills (user_id, skill_name) VALUES ('$user{skilled}', 'c++'),"
     . " ('$user{skilled}', 'rtos'), ('$user{unskilled}', 'cobol')");
(undef, %score) = matched("'$job{J5}'", "'$user{skilled}', '$user{unskilled}'");
is($score{ $user{skilled} }{J5}{score} - $score{ $user{unskilled} }{J5}{score}, 40,
   'all of the job\'s skills: 40 points more than none');

# a deactivated job matches nobody
psql("UPDATE jobs SET is_active = false WHERE id = '$job{J2}'");
is(psql("SELECT count(*) FROM match_candidates(ARRAY['$job{J2}']::uuid[])"), 0,
   'an inactive job matches nobody');

# --- digests are due when their hour or day is over
is(psql("SELECT match_email_due('hourly', '2026-01-01 10:20:00+00')"), '2026-01-01 11:00:00+00',
   'hourly digest: due at the next hour');
is(psql("SELECT match_email_due('daily', '2026-01-01 10:20:00+00')"), '2026-01-02 00:00:00+00',
   'daily digest: due at the next day (UTC)');
is(psql("SELECT match_email_due('instant', '2026-01-01 10:20:00+00')"), '2026-01-01 10:20:00+00',
   'instant: due at once');

# --- preferences as PATCH /users/me stores them
start_api();
my ($token, undef, $id) = verified_user("patched-$run\@example.com", 'a long enough secret');
my ($s) = api(PATCH => '/users/me', { preferences => {
    companies => [$acme], roles => ['backend_engineer'], locations => ['Nairobi', 'remote'],
    notifications => { push => JSON::PP::true, email => JSON::PP::true, email_digest => 'daily' },
    min_score => 10 } }, $token);
is($s, 200, 'preferences set through PATCH /users/me');
($s) = api(PUT => '/users/me/fcm-token', { token => "device-$run-api" }, $token);
is($s, 204, '... and a device token');
# setting them backfilled J1 (t/074): gone, for live matching to insert it
is(psql("DELETE FROM user_job_alerts WHERE user_id = '$id' AND backfilled"
        . " RETURNING job_id"), $job{J1}, '... which backfilled J1, without a push');
psql("SELECT count(*) FROM match_new_jobs(ARRAY[$ids]::uuid[])");
is(psql("SELECT string_agg(job_id::text, ',') || '|' || bool_and(push_status = 'pending')"
        . " || '|' || bool_and(email_due_at = date_trunc('day', created_at, 'UTC') + interval '1 day')"
        . " FROM user_job_alerts WHERE user_id = '$id'"),
   "$job{J1}|true|true", '... match J1 only, by push and in the daily digest');

# --- the notifier's insert (0026): under the ids it made, a plain INSERT
# on a job without alerts among the chunk's users, only what is missing
# on a job matched again
my @ins = sort map { user("insert $_", { roles => ['zzqx'] }) } 1 .. 3;
my $ins_users = join ',', map { "'$_'" } @ins;
my ($fresh, $fresh2) = split /\n/, psql("INSERT INTO jobs (company_id, source_id, external_id,"
    . " title) SELECT s.company_id, s.id, 'fresh-' || n || '-$run', 'Fresh Job ' || n"
    . " FROM job_sources s JOIN companies c ON c.id = s.company_id, generate_series(1, 2) n"
    . " WHERE c.slug = 'acme-$run' ORDER BY n RETURNING id");
sub insert_matched_sql {
    my ($job, $ids, $users, $pushes, $digests, $lease) = @_;
    return "SELECT alert_id, k, push, email, queue_id IS NOT NULL"
        . " FROM insert_matched_alerts(ARRAY[$ids]::uuid[], ARRAY[$users]::uuid[],"
        . " '$job', array_fill(50::smallint, ARRAY[cardinality(ARRAY[$users])]),"
        . " ARRAY[$pushes]::boolean[], ARRAY[$digests]::text[], $lease) ORDER BY k";
}
sub insert_matched { return psql(insert_matched_sql(@_)); }
sub alerts_of {
    my ($job) = @_;
    return psql("SELECT string_agg(format('%s,%s,%s,%s,%s,%s', a.id, a.push_status,"
        . " a.push_attempts, a.email_status, a.email_due_at <= now(), a.match_score), ' '"
        . " ORDER BY a.user_id)"
        . " FROM user_job_alerts a WHERE a.job_id = '$job' AND a.user_id IN ($ins_users)");
}
my @id = map { sprintf '01900000-0000-7000-8000-%012d', $_ } 1 .. 6;
my @qid = map { "'$_'" } @id;
is(insert_matched($fresh, "@qid[0, 1]" =~ s/ /,/r, "'$ins[0]','$ins[1]'", 'true,false',
                  "NULL,'instant'", "'30 s'"),
   "$id[0]|1|t|f|t\n$id[1]|2|f|t|f",
   'a new job: each alert under the id given, the push and the e-mail as asked');
is(alerts_of($fresh), "$id[0],sending,1,,,50 $id[1],,0,pending,t,50",
   '... the push claimed for the lease, the instant e-mail due now');
is(psql("SELECT alert_ids FROM push_queue WHERE '$id[0]' = ANY (alert_ids)"), "{$id[0]}",
   '... and queued in one row');
# (0023's function, whose ids are its own)
my $again = insert_matched($fresh, join(',', @qid[2 .. 4]), $ins_users, 'true,true,true',
                           'NULL,NULL,NULL', "'30 s'");
my $third = psql("SELECT id FROM user_job_alerts WHERE job_id = '$fresh' AND user_id = '$ins[2]'");
is($again, "$third|3|t|f|t", 'matched again: only the missing alert is inserted and returned');
is(alerts_of($fresh), "$id[0],sending,1,,,50 $id[1],,0,pending,t,50 $third,sending,1,,,50",
   '... the others keep their ids and states');
is(insert_matched($fresh2, $qid[5], "'$ins[2]'", 'true', 'NULL', 'NULL'), "$id[5]|1|t|f|t",
   'without a lease');
is(alerts_of($fresh2), "$id[5],pending,0,,,50", '... the push waits as pending for any notifier');

# two notifiers on one new job at once (a task handed back while its
# first taker still ran): the second's plain INSERT waits for the first's
# chunk, then fails on the unique index, writing nothing; its retry takes
# 0023's way and inserts only what is missing
my $fresh3 = psql("INSERT INTO jobs (company_id, source_id, external_id, title)"
    . " SELECT s.company_id, s.id, 'fresh-3-$run', 'Fresh Job 3' FROM job_sources s"
    . " JOIN companies c ON c.id = s.company_id WHERE c.slug = 'acme-$run' RETURNING id");
my @rid = map { sprintf '01900000-0000-7000-8000-%012d', $_ } 7 .. 11;
my @qrid = map { "'$_'" } @rid;
my $second = insert_matched_sql($fresh3, join(',', @qrid[2 .. 4]), $ins_users,
                                'true,true,true', 'NULL,NULL,NULL', "'30 s'");
# the first commits once the second waits for it (10 s at most)
my $first = fork // die "fork: $!";
if ($first == 0) {
    exec('psql', '-X', '-q', '-o', '/dev/null', '-v', 'ON_ERROR_STOP=1', '-d',
         $ENV{TEST_NGINX_PG}, '-c', 'BEGIN; '
         . insert_matched_sql($fresh3, "$qrid[0],$qrid[1]", "'$ins[0]','$ins[1]'",
                              'true,true', 'NULL,NULL', "'30 s'")
         . "; DO \$\$ BEGIN FOR i IN 1 .. 200 LOOP PERFORM pg_stat_clear_snapshot();"
         . " EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
         . " AND query LIKE '%insert_matched_alerts%' AND pid <> pg_backend_pid());"
         . " PERFORM pg_sleep(0.05); END LOOP; END \$\$; COMMIT;") or exit 1;
}
# (its chunk inserted, it waits)
for (1 .. 200) {
    last if psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                 . " AND query LIKE '%pg_stat_clear%'") > 0;
    sleep 0.05;
}
my ($rc, $raced) = try_psql($second);
isnt($rc, 0, 'a second notifier racing the first on the same job and users fails');
like($raced, qr/user_job_alerts_job_user_key/, '... on the unique index, once the first commits')
    or diag($raced);
waitpid($first, 0);
is($?, 0, '... while the first commits its chunk');
is(psql("SELECT string_agg(id::text, ',' ORDER BY user_id) FROM user_job_alerts"
        . " WHERE job_id = '$fresh3'"), "$rid[0],$rid[1]",
   '... the job has the first\'s two alerts, none of the second\'s');
is(psql("SELECT count(*) FROM push_queue WHERE alert_ids && ARRAY[@{[join ',', @qrid]}]::uuid[]"),
   1, '... and the first\'s queued pushes only');
my $retried = psql($second);
my $missing = psql("SELECT id FROM user_job_alerts WHERE job_id = '$fresh3' AND user_id = '$ins[2]'");
is($retried, "$missing|3|t|f|t", 'the retry inserts only the missing alert')
    or diag($retried);
is(psql("SELECT count(*) || ' ' || count(DISTINCT user_id) FROM user_job_alerts"
        . " WHERE job_id = '$fresh3'"), '3 3', '... one alert a user in all');

# --- the index serves the overlap
like(psql("SET enable_seqscan = off; EXPLAIN SELECT id FROM users WHERE is_active AND deleted_at IS NULL"
          . " AND match_companies && ARRAY['$acme', ''] AND match_roles && ARRAY['x', '']"
          . " AND match_locations && ARRAY['']"), qr/idx_users_match/,
     'the three overlaps are one scan of idx_users_match');

done_testing();
