# The notifier's matcher (workers/lib/matcher.c, migration 0023) against
# the rules' SQL, match_candidates():
#   1. on a generated population (every filter, channel, threshold and
#      score part, odd titles and places, skills), t/bench/match_check
#      compares the users and scores of every job, pair by pair;
#   2. with jobscoutd's notifier running, its copy of the profiles
#      follows PostgreSQL: a preferences change, new skills, a soft
#      deletion, a new user, a lost connection (the change made while it
#      was down) and a TRUNCATE notification each show in the next
#      job's alerts.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP qw(encode_json);
use Time::HiRes qw(sleep time);

use JobScout::Api;
use JobScout::FakeFCM;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "mm$$";
my $dir = tempdir(CLEANUP => 1);
my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
my $build = $ENV{TEST_JOBSCOUT_BUILD} || "$root/build";

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

system('make', '-s', '-C', "$root/workers", "BUILD=$build", 'match-check') == 0
    or BAIL_OUT('cannot build match_check');

# --- 1. the population
psql("INSERT INTO companies (name, slug) SELECT 'MM ' || c || ' $run', 'mm-' || c || '-$run'"
     . " FROM unnest(ARRAY['a', 'b', 'c']) c");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id, 'fixture',"
     . " 'https://example.com/' || slug FROM companies WHERE slug LIKE 'mm-%-$run'");

psql(<<"SQL");
SELECT setseed(0.19);
INSERT INTO users (email, hashed_password, preferences, fcm_token, email_verified,
                   email_verified_at, is_active, deleted_at)
SELECT 'pop-$run-' || i || '\@example.com', '!',
       jsonb_strip_nulls(jsonb_build_object(
           'roles', CASE WHEN random() < 0.3 THEN NULL ELSE
               (SELECT jsonb_agg(r) FROM (SELECT r FROM unnest(ARRAY['backend_engineer',
                   'python', 'c++', 'c#', '.net developer', 'data', 'engineer',
                   'senior backend', 'full stack', 'qa', 'développeur', 'React']) r
                   ORDER BY random() + i * 0 LIMIT 1 + (random() * 2)::int) s) END,
           'companies', CASE WHEN random() < 0.6 THEN NULL ELSE
               (SELECT jsonb_agg(c) FROM (SELECT c FROM unnest(ARRAY['mm-a-$run',
                   'mm-b-$run', 'MM-C-$run']) c
                   ORDER BY random() + i * 0 LIMIT 1 + (random())::int) s) END,
           'locations', CASE WHEN random() < 0.4 THEN NULL ELSE
               (SELECT jsonb_agg(l) FROM (SELECT l FROM unnest(ARRAY['nairobi', 'Kenya',
                   'remote', 'mombasa', 'são paulo', 'i, k', ' Kampala ', '']) l
                   ORDER BY random() + i * 0 LIMIT 1 + (random())::int) s) END,
           'job_types', CASE WHEN random() < 0.8 THEN NULL WHEN random() < 0.5
               THEN '["full_time"]'::jsonb ELSE '["contract", "part_time"]' END,
           'workplace_types', CASE WHEN random() < 0.8 THEN NULL WHEN random() < 0.5
               THEN '["remote"]'::jsonb ELSE '["onsite", "hybrid"]' END,
           'min_salary', CASE WHEN random() < 0.8 THEN NULL ELSE jsonb_build_object(
               'amount', round((random() * 3000000)::numeric, (random() * 2)::int),
               'currency', CASE WHEN random() < 0.5 THEN 'KES' ELSE 'USD' END) END,
           'min_score', CASE WHEN random() < 0.7 THEN NULL ELSE (random() * 80)::int END,
           'notifications', jsonb_build_object(
               'push', random() < 0.85, 'email', random() < 0.5,
               'email_digest', (ARRAY['instant', 'hourly', 'daily'])[1 + (random() * 2)::int]))),
       CASE WHEN random() < 0.8 THEN 'pop-$run-' || i END, v.verified,
       CASE WHEN v.verified THEN now() END,
       random() < 0.95, CASE WHEN random() < 0.05 THEN now() END
  FROM generate_series(1, 3000) i
 CROSS JOIN LATERAL (SELECT random() + i * 0 < 0.7 AS verified) v;
INSERT INTO user_skills (user_id, skill_name)
SELECT DISTINCT u.id, s
  FROM users u
 CROSS JOIN LATERAL (SELECT s FROM unnest(ARRAY['Python', 'Go', 'Rust', 'SQL', 'Django',
                         'React', 'Kubernetes', 'C++', 'AWS']) s
                      ORDER BY random() + length(u.email) * 0
                      LIMIT (random() * 4)::int) k
 WHERE u.email LIKE 'pop-$run-%' AND random() < 0.5;
SQL

my @titles = ('Senior Backend Engineer (Python)', 'C++ Developer', 'C# / .NET Developer',
              'Data Engineer', 'Full Stack Engineer - React & Node.js', 'QA Engineer',
              'Développeur Backend Senior', 'Engineer', 'Backend Engineer, Backend Platform',
              'Head of Data');
my @places = ("'Nairobi, Kenya'", "'Remote'", 'NULL', "'São Paulo, Brazil'",
              "'Kampala, Uganda'", "'" . ('Westlands, Nairobi County, ' x 5) . "Kenya'");
my @types = ("'onsite'", "'hybrid'", "'remote'", 'NULL');
my @employment = ("'full_time'", "'contract'", 'NULL');
my @pay = ('NULL, NULL, NULL, NULL', "100000, 150000, 'KES', 'month'",
           "60000, NULL, 'USD', 'year'", "NULL, 500, 'USD', 'day'");
my @jobs;
for my $i (0 .. 59) {
    (my $title = $titles[$i % @titles]) =~ s/'/''/g;
    push @jobs, psql("INSERT INTO jobs (company_id, source_id, external_id, title, location,"
        . " location_type, employment_type, salary_min, salary_max, salary_currency,"
        . " salary_period) SELECT s.company_id, s.id, 'mm-$i-' || md5(random()::text),"
        . " '$title', $places[$i % @places], $types[$i % @types], $employment[$i % @employment],"
        . " $pay[$i % @pay] FROM job_sources s JOIN companies c ON c.id = s.company_id"
        . " WHERE c.slug = 'mm-" . (qw(a b c))[$i % 3] . "-$run' RETURNING id");
}
psql("INSERT INTO job_skills (job_id, skill_name, is_required) SELECT j.id, s, random() < 0.6"
     . " FROM jobs j CROSS JOIN LATERAL (SELECT s FROM unnest(ARRAY['python', 'Go', 'SQL',"
     . " 'React', 'AWS', 'Docker']) s ORDER BY random() + length(j.title) * 0"
     . " LIMIT (random() * 4)::int) k WHERE j.external_id LIKE 'mm-%'"
     . " AND j.id = ANY ('{" . join(',', @jobs) . "}')");

my $out = `$build/bench/match_check '$ENV{TEST_NGINX_PG}' compare @jobs`;
is($? >> 8, 0, 'the matcher and match_candidates() agree on every job')
    or diag(join "\n", (grep { /^diff/ } split /\n/, $out)[0 .. 9]);
my ($pairs, $sql_pairs) = (0, 0);
for (grep { /^job / } split /\n/, $out) {
    my (undef, undef, $n, $m) = split ' ';
    $pairs += $n;
    $sql_pairs += $m;
}
is($pairs, $sql_pairs, "... the same number of matches ($pairs)");
cmp_ok($pairs, '>', 5000, '... over enough pairs to mean something');
is(scalar(() = $out =~ /^job /mg), 60, '... all 60 jobs compared');

# every rule met on the way: pairs scored by skills, by title words, with
# a location filter, a pay filter, a threshold, e-mail only
my $ids = "'{" . join(',', @jobs) . "}'";
my %seen = map { split(/\|/, $_) } split /\n/, scalar psql("SELECT k, count(*) FROM (SELECT c.*, u.preferences p,"
    . " EXISTS (SELECT FROM user_skills s WHERE s.user_id = c.user_id) AND EXISTS (SELECT FROM"
    . " job_skills k WHERE k.job_id = c.job_id) skills FROM match_candidates(${ids}::uuid[]) c"
    . " JOIN users u ON u.id = c.user_id) x CROSS JOIN LATERAL (VALUES"
    . " ('skills', skills), ('location', p ? 'locations'), ('pay', p ? 'min_salary'),"
    . " ('threshold', (p ->> 'min_score')::int > 40), ('email only', NOT push),"
    . " ('roles', p ? 'roles' AND NOT skills)) v (k, b) WHERE b GROUP BY k");
for my $k ('skills', 'roles', 'location', 'pay', 'threshold', 'email only') {
    cmp_ok($seen{$k} // 0, '>', 20, "... among them pairs with $k");
}

# the population matches nearly any job, its jobs nearly anyone: gone
# before another suite's
psql("DELETE FROM users WHERE email LIKE 'pop-$run-%'");
psql("DELETE FROM jobs WHERE id = ANY (${ids}::uuid[])");

# --- 2. the notifier's copy follows PostgreSQL
my $fcm = JobScout::FakeFCM->start(dir => $dir);
my $metrics_port = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "no free port: $!";
    $s->sockport;
};
my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { notifier => 1 },
    directives => { fcm_service_account => $fcm->{account}, fcm_base_url => $fcm->{url},
                    fcm_timeout => '2s', push_claim_timeout => '6s',
                    metrics_listen => "127.0.0.1:$metrics_port" });
$d->start;
ok(wait_until(10, sub { $d->log_text =~ /profiles read/ }), 'the notifier reads the profiles');

psql("INSERT INTO companies (name, slug) VALUES ('Sync $run', 'sync-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id, 'fixture',"
     . " 'https://example.com/sync-$run' FROM companies WHERE slug = 'sync-$run'");

sub prefs { encode_json({ companies => ["sync-$run"], roles => [@_] }) }

psql("INSERT INTO users (email, hashed_password, preferences, fcm_token) VALUES"
     . " ('sync-$run\@example.com', '!', '" . prefs('backend_engineer') . "', 'sync-$run')");

# a job (with a skill) committed, then its match task queued
sub job {
    my ($title, $skill) = @_;
    $skill //= '';
    my $job = psql("WITH j AS (INSERT INTO jobs (company_id, source_id, external_id, title,"
        . " location, location_type) SELECT company_id, id, md5(random()::text), '$title',"
        . " 'Nairobi', 'onsite' FROM job_sources WHERE source_url ="
        . " 'https://example.com/sync-$run' RETURNING id), s AS (INSERT INTO job_skills"
        . " (job_id, skill_name) SELECT id, '$skill' FROM j WHERE '$skill' <> '')"
        . " SELECT id FROM j");
    redis('lpush', 'jobscout:queue:match',
          encode_json({ id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16),
                        kind => 'match.jobs', args => { job_ids => [$job] }, attempt => 0,
                        enqueued_at => int(time * 1000) }));
    return $job;
}

# the user's alert for a job once its task is done: its score, or 'none'
sub alerted {
    my ($job) = @_;
    my $pending = sub {
        grep { index($_, $job) >= 0 } map { redis('lrange', $_, 0, -1) }
            'jobscout:queue:match', redis('keys', 'jobscout:processing:*') };
    wait_until(10, sub { !$pending->() });
    return psql("SELECT coalesce((SELECT a.match_score::text FROM user_job_alerts a JOIN users u"
                . " ON u.id = a.user_id WHERE a.job_id = '$job' AND u.email ="
                . " 'sync-$run\@example.com'), 'none')");
}

my $j = job('Backend Engineer');
ok(wait_until(10, sub { grep { $_->{message}{data}{job_id} eq $j } $fcm->messages }),
   'a user made while it runs: matched, pushed');

psql("UPDATE users SET preferences = '" . prefs('accountant') . "' WHERE email = 'sync-$run\@example.com'");
is(alerted(job('Backend Engineer')), 'none', 'preferences changed: the old role no longer matches');
my $score = alerted(job('Senior Accountant'));
isnt($score, 'none', '... the new one does');

psql("INSERT INTO user_skills (user_id, skill_name) SELECT id, 'IFRS' FROM users WHERE email ="
     . " 'sync-$run\@example.com'");
my $j4 = job('Lead Accountant', 'ifrs');
my $s4 = alerted($j4);
my $sql4 = psql("SELECT match_score FROM match_candidates('{$j4}'::uuid[]) c JOIN users u"
                . " ON u.id = c.user_id WHERE u.email = 'sync-$run\@example.com'");
is($s4, $sql4, 'skills added: the score is the SQL\'s for the new profile');
cmp_ok($s4, '>', $score, '... higher than without the skill');

psql("UPDATE users SET deleted_at = now() WHERE email = 'sync-$run\@example.com'");
is(alerted(job('Senior Accountant')), 'none', 'deleted: no longer matched');
psql("UPDATE users SET deleted_at = NULL WHERE email = 'sync-$run\@example.com'");
isnt(alerted(job('Senior Accountant')), 'none', 'restored: matched again');

# --- a lost connection: the change made meanwhile is read with the rest
my $before = () = $d->log_text =~ /profiles read/g;
is(psql("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
        . " WHERE application_name = 'jobscoutd'"
        . " AND query ~ 'LISTEN|match_profiles|match_job_facts|push_jobs'"), 1,
   'the matching connection killed');
psql("UPDATE users SET preferences = '" . prefs('auditor') . "' WHERE email = 'sync-$run\@example.com'");
is(alerted(job('Senior Accountant')), 'none', 'connection lost, preferences changed meanwhile:'
   . ' the old role no longer matches');
isnt(alerted(job('Internal Auditor')), 'none', '... the new one does');
cmp_ok(scalar(() = $d->log_text =~ /profiles read/g), '>', $before,
       '... every profile was read again');

# --- '*' (what TRUNCATE users or user_skills sends): all read again
$before = () = $d->log_text =~ /profiles read/g;
psql("SELECT pg_notify('match_profiles', '*')");
job('Internal Auditor');
ok(wait_until(10, sub { (() = $d->log_text =~ /profiles read/g) > $before }),
   'a TRUNCATE\'s notification: every profile read again');

# every job matched is timed (the last one's task may still run)
my ($metrics, $matched);
wait_until(10, sub {
    $metrics = HTTP::Tiny->new(timeout => 5)->get("http://127.0.0.1:$metrics_port/metrics");
    ($matched) = ($metrics->{content} // '') =~ /^jobscoutd_match_duration_seconds_count\{\} (\d+)$/m;
    ($matched // 0) >= 8;
});
cmp_ok($matched // 0, '>=', 8, 'each job matched (8 made) counted in'
       . ' jobscoutd_match_duration_seconds');
like($metrics->{content} // '', qr/^jobscoutd_match_duration_seconds_bucket\{le="0.001"\} \d+$/m,
     '... by milliseconds');

$d->stop;
psql("DELETE FROM users WHERE email = 'sync-$run\@example.com'");
psql("DELETE FROM jobs WHERE source_id IN (SELECT id FROM job_sources WHERE source_url ="
     . " 'https://example.com/sync-$run')");
done_testing;
