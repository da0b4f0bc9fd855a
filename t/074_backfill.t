# Alerts are never empty (sql/migrations/0012_prefs_backfill.sql): setting
# or changing the preferences that decide matches through PATCH /users/me
# turns the matching jobs of the last 14 days into alerts at once, marked
# backfilled, in the same request; only active, recent, non-duplicate
# jobs that match; alerts the user had are left alone; the same change
# again adds nothing, a name or notifications change backfills nothing;
# at most the 200 newest.  Backfilled alerts are never pushed nor mailed
# (jobscoutd's notifier against the fake FCM), while a newly scraped job
# still is.  The new preferences (min_salary, job_types, workplace_types)
# with their validation, and live matching honouring them.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP qw(encode_json decode_json);
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::FakeFCM;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "b$$";
my $dir = tempdir(CLEANUP => 1);
my $log_start = start_api();

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

psql("INSERT INTO companies (name, slug) VALUES ('Acme $run', 'acme-$run'),"
     . " ('Globex $run', 'globex-$run'), ('Bulk $run', 'bulk-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url)"
     . " SELECT id, 'fixture', 'https://example.com/' || slug FROM companies"
     . " WHERE slug IN ('acme-$run', 'globex-$run', 'bulk-$run')");

# a scraped job; columns as SQL expressions over the defaults
my $n = 0;
sub job {
    my ($co, %c) = @_;
    my %col = (title => "'Backend Engineer'", location => "'Nairobi, Kenya'",
               location_type => "'hybrid'", employment_type => "'full_time'", %c);
    my @names = sort keys %col;
    $n++;
    return psql("INSERT INTO jobs (company_id, source_id, external_id, "
        . join(', ', @names) . ") SELECT s.company_id, s.id, '$run-$n', "
        . join(', ', @col{@names}) . " FROM job_sources s JOIN companies c"
        . " ON c.id = s.company_id WHERE c.slug = '$co-$run' RETURNING id");
}

my %job = (
    hybrid      => job('acme', salary_min => 100000, salary_max => 200000,
                       salary_currency => "'KES'", salary_period => "'month'",
                       discovered_at => "now() - interval '1 day'"),
    remote      => job('acme', location_type => "'remote'", location => "'Anywhere'",
                       discovered_at => "now() - interval '2 days'"),
    usd         => job('acme', salary_max => 100, salary_currency => "'USD'",
                       discovered_at => "now() - interval '3 days'"),
    no_type     => job('acme', employment_type => 'NULL',
                       discovered_at => "now() - interval '4 days'"),
    old         => job('acme', discovered_at => "now() - interval '15 days'"),
    posted_old  => job('acme', discovered_at => "now() - interval '2 days'",
                       posted_at => "now() - interval '20 days'"),
    inactive    => job('acme', is_active => 'false'),
    other_role  => job('acme', title => "'Accountant'"),
    other_co    => job('globex'),
    contract    => job('acme', employment_type => "'contract'",
                       discovered_at => "now() - interval '5 days'"),
    onsite      => job('acme', location_type => "'onsite'"),
    low_month   => job('acme', salary_max => 50000, salary_currency => "'KES'",
                       salary_period => "'month'"),
    low_year    => job('acme', salary_min => 900000, salary_max => 1000000,
                       salary_currency => "'KES'"),
    alerted     => job('acme'),
);
$job{duplicate} = job('acme', duplicate_of => "'$job{hybrid}'");
my %name_of = reverse %job;

my ($token, undef, $uid) = verified_user("amina-$run\@example.com", 'a long enough secret');
my $device = "device-$run-amina";
my ($s, $d) = api(PUT => '/users/me/fcm-token', { token => $device }, $token);
is($s, 204, 'the user has a device');

# an alert the user already has: read, scored, pushed
my $kept = psql("INSERT INTO user_job_alerts (user_id, job_id, match_score, is_read,"
    . " notified_at) VALUES ('$uid', '$job{alerted}', 77, true, now() - interval '1 hour')"
    . " RETURNING id");
my $kept_row = "SELECT match_score || '|' || is_read || '|' || backfilled || '|'"
    . " || notified_at || '|' || created_at FROM user_job_alerts WHERE id = '$kept'";
my $kept_before = psql($kept_row);

sub alerted {
    return sort map { $name_of{$_} // $_ } split /\n/,
        psql("SELECT job_id FROM user_job_alerts WHERE user_id = '$uid'"
             . ($_[0] ? " AND $_[0]" : ''));
}

# --- the preferences set: the backfill
my %prefs = (companies => ["acme-$run"], roles => ['backend_engineer'],
             job_types => ['full_time'], workplace_types => ['hybrid', 'remote'],
             min_salary => { amount => 1200000, currency => 'KES' },
             notifications => { push => JSON::PP::true, email => JSON::PP::true });
($s, $d) = api(PATCH => '/users/me', { preferences => \%prefs }, $token);
is($s, 200, 'PATCH /users/me with filtering preferences: 200');
is($d->{backfilled}, 4, '... "backfilled": the 4 alerts made at once');
is_deeply($d->{preferences}{min_salary}, { amount => 1200000, currency => 'KES' },
          '... min_salary stored');
is_deeply($d->{preferences}{job_types}, ['full_time'], '... job_types stored');
is_deeply($d->{preferences}{workplace_types}, ['hybrid', 'remote'], '... workplace_types stored');

is_deeply([alerted('backfilled')], [sort qw(hybrid remote usd no_type)],
          '... the matching jobs of 14 days: active, listed within 14 days, not duplicates,'
          . ' of a wanted type, workplace and pay (monthly pay made yearly; another'
          . ' currency or an unknown type passes)');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$uid' AND backfilled AND"
        . " (push_status IS NOT NULL OR email_status IS NOT NULL OR notified_at IS NOT NULL"
        . " OR match_score IS NULL)"), 0,
   '... scored, with no push and no e-mail to send');
is(psql("SELECT count(*) FROM push_queue q CROSS JOIN LATERAL unnest(q.alert_ids) x (id)"
        . " JOIN user_job_alerts a ON a.id = x.id WHERE a.user_id = '$uid'"), 0,
   '... and none on the push queue');
is(psql($kept_row), $kept_before, 'the alert the user had is as it was');

($s, $d) = api(GET => '/alerts', undef, $token);
is($s, 200, 'GET /alerts');
my %marked = map { ($name_of{ $_->{job}{id} } => $_->{backfilled}) } @{ $d->{items} };
is_deeply(\%marked, { hybrid => JSON::PP::true, remote => JSON::PP::true,
                      usd => JSON::PP::true, no_type => JSON::PP::true,
                      alerted => JSON::PP::false },
          '... shows each alert with its backfilled marker');

# --- idempotent; only filter changes backfill
($s, $d) = api(PATCH => '/users/me', { preferences => \%prefs }, $token);
is($d->{backfilled}, 0, 'the same preferences again: nothing backfilled');

$job{late} = job('acme');
$name_of{ $job{late} } = 'late';
($s, $d) = api(PATCH => '/users/me', { full_name => 'Amina H.' }, $token);
ok($s == 200 && $d->{backfilled} == 0, 'a name change backfills nothing');
($s, $d) = api(PATCH => '/users/me', { preferences => { notifications => { email_digest => 'daily' } } },
               $token);
ok($s == 200 && $d->{backfilled} == 0, '... nor does a notifications change');
is(scalar(() = alerted("job_id = '$job{late}'")), 0, '... though a new job would match');

($s, $d) = api(PATCH => '/users/me', { preferences => { job_types => ['full_time', 'contract'] } },
               $token);
is($d->{backfilled}, 2, 'a wider filter: what it adds, and the job that came since');
is_deeply([alerted('backfilled')], [sort qw(hybrid remote usd no_type contract late)],
          '... each job once');
is(psql($kept_row), $kept_before, '... the alert the user had still as it was');

($s, $d) = api(PATCH => '/users/me', { preferences => { min_salary => undef, workplace_types => undef,
                                                        job_types => [] } }, $token);
is($d->{backfilled}, 3, 'no pay, workplace or type filter: the rest of the matches');
is_deeply([alerted('backfilled')],
          [sort qw(hybrid remote usd no_type contract late onsite low_month low_year)],
          '... still only active, recent, non-duplicate jobs of the company and role');
ok(!exists $d->{preferences}{min_salary} && !exists $d->{preferences}{workplace_types},
   '... null removed the filters');

# --- bounded: the 200 newest
my ($bulk_token, undef, $bulk) = verified_user("bulk-$run\@example.com", 'a long enough secret');
psql("INSERT INTO jobs (company_id, source_id, external_id, title, discovered_at)"
     . " SELECT s.company_id, s.id, 'bulk-$run-' || i, 'Engineer ' || i,"
     . " now() - i * interval '1 minute' FROM job_sources s JOIN companies c"
     . " ON c.id = s.company_id, generate_series(1, 205) i WHERE c.slug = 'bulk-$run'");
($s, $d) = api(PATCH => '/users/me', { preferences => { companies => ["bulk-$run"] } }, $bulk_token);
is($d->{backfilled}, 200, 'a broad filter: 200 alerts, no more');
is(psql("SELECT max(substr(j.title, 10)::int) FROM user_job_alerts a JOIN jobs j"
        . " ON j.id = a.job_id WHERE a.user_id = '$bulk'"), 200,
   '... the newest (the 5 oldest left out)');
($s, $d) = api(PATCH => '/users/me', { preferences => { roles => ['engineer'] } }, $bulk_token);
is($d->{backfilled}, 5, '... a change later adds the rest, once');

# --- no push for backfilled alerts, a push for a new job
my $fcm = JobScout::FakeFCM->start(dir => $dir);
my $daemon = JobScout::Jobscoutd->new(dir => $dir, workers => { notifier => 1 },
    directives => { fcm_service_account => $fcm->{account},
                    fcm_base_url => $fcm->{url}, fcm_timeout => '2s',
                    digest_interval => '1s' });
$daemon->start;
ok(wait_until(10, sub { $daemon->consumers('jobscout:queue:match') }),
   'the notifier runs');
psql("UPDATE users SET preferences = preferences || '{\"notifications\": {\"push\": true,"
     . " \"email\": true}}' WHERE id = '$uid'");

$job{fresh} = job('acme', title => "'Senior Backend Engineer'");
$name_of{ $job{fresh} } = 'fresh';
my @backfilled = map { $job{$_} } qw(hybrid remote usd no_type contract late);
# the scraper's task for the new job, and one naming the backfilled ones
for my $ids ([$job{fresh}], \@backfilled) {
    redis('lpush', 'jobscout:queue:match', encode_json({
        id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16), kind => 'match.jobs',
        args => { job_ids => $ids }, attempt => 0, enqueued_at => int(time * 1000) }));
}

my @mine;
ok(wait_until(20, sub {
       @mine = grep { $_->{token} eq $device } $fcm->messages;
       grep { $_->{message}{data}{job_id} eq $job{fresh} } @mine }),
   'the new matching job is pushed to the user');
ok(wait_until(10, sub { redis('llen', 'jobscout:queue:match') == 0
                        && !grep { redis('llen', $_) } redis('keys', 'jobscout:processing:*') }),
   '... both tasks done');
sleep 1.5;
@mine = grep { $_->{token} eq $device } $fcm->messages;
is_deeply([map { $name_of{ $_->{message}{data}{job_id} } } @mine], ['fresh'],
          '... and nothing else: no push for a backfilled alert, even matched again');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$uid' AND backfilled"
        . " AND (push_status IS NOT NULL OR email_status IS NOT NULL)"), 0,
   '... which still have no push and no e-mail');
my @mails;
ok(wait_until(10, sub {
       @mails = grep { $_->{kind} =~ /^mail\.job_/
                       && $_->{args}{to} eq "amina-$run\@example.com" }
                outbox_tasks('jobscout:queue:mail') }),
   'the new job is e-mailed');
is_deeply([map { $name_of{ $_->{job_id} } } map { @{ $_->{args}{jobs} } } @mails], ['fresh'],
          '... alone: no e-mail of a backfilled alert');
$daemon->stop;
$fcm->stop;

# --- the new preferences' validation: 422 naming the field, nothing written
my $before = psql("SELECT preferences::text FROM users WHERE id = '$uid'");
my $alerts_before = psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$uid'");
my $types = 'must hold only full_time, part_time, contract, internship or temporary';
my $places = 'must hold only remote, hybrid or onsite';
my $amount = 'must be an integer from 1 to 999999999999';
my $code = 'is not an ISO 4217 code in capitals (KES, USD)';
my @refused = (
    [ { job_types => 'full_time' },                'job_types', 'must be a list' ],
    [ { job_types => [1] },                        'job_types', 'must be a list of strings' ],
    [ { job_types => ['full-time'] },              'job_types', $types ],
    [ { job_types => ['freelance'] },              'job_types', $types ],
    [ { job_types => ['contract', 'contract'] },   'job_types', 'has a duplicate' ],
    [ { job_types => [('full_time') x 51] },       'job_types', 'has more than 50 items' ],
    [ { job_types => [''] },                       'job_types', 'has an empty or too long item' ],
    [ { workplace_types => { remote => 1 } },      'workplace_types', 'must be a list' ],
    [ { workplace_types => ['on-site'] },          'workplace_types', $places ],
    [ { workplace_types => ['Remote'] },           'workplace_types', $places ],
    [ { workplace_types => ['remote', 'remote'] }, 'workplace_types', 'has a duplicate' ],
    [ { workplace_types => [qw(remote hybrid onsite remote)] }, 'workplace_types',
      'has a duplicate' ],
    [ { min_salary => 100000 },                    'min_salary', 'must be an object' ],
    [ { min_salary => [100000, 'KES'] },           'min_salary', 'must be an object' ],
    [ { min_salary => { currency => 'KES' } },     'min_salary.amount', 'is required' ],
    [ { min_salary => { amount => 100000 } },      'min_salary.currency', 'is required' ],
    [ { min_salary => { amount => -1, currency => 'KES' } },  'min_salary.amount', $amount ],
    [ { min_salary => { amount => 0, currency => 'KES' } },   'min_salary.amount', $amount ],
    [ { min_salary => { amount => 1e12, currency => 'KES' } }, 'min_salary.amount', $amount ],
    [ { min_salary => { amount => 1_000_000_000_000, currency => 'KES' } }, 'min_salary.amount', $amount ],
    [ { min_salary => { amount => 1500.5, currency => 'KES' } }, 'min_salary.amount', $amount ],
    [ { min_salary => { amount => '100000', currency => 'KES' } }, 'min_salary.amount', $amount ],
    [ { min_salary => { amount => 100000, currency => 'kes' } }, 'min_salary.currency', $code ],
    [ { min_salary => { amount => 100000, currency => 'KESH' } }, 'min_salary.currency', $code ],
    [ { min_salary => { amount => 100000, currency => 'K$S' } }, 'min_salary.currency', $code ],
    [ { min_salary => { amount => 100000, currency => 404 } }, 'min_salary.currency', $code ],
    [ { min_salary => { amount => 100000, currency => 'KES', period => 'month' } },
      'min_salary.period', 'unknown field' ],
);
for my $case (@refused) {
    my ($prefs, $field, $message) = @$case;
    my $json = encode_json($prefs);
    ($s, $d) = api(PATCH => '/users/me', { full_name => 'Changed', preferences => $prefs }, $token);
    is($s, 422, "$json: 422");
    is_deeply({ code => $d->{error}{code}, field => $d->{error}{field},
                message => $d->{error}{message} },
              { code => 'validation_failed', field => "preferences.$field",
                message => "preferences.$field: $message" },
              "... preferences.$field: $message")
        or diag explain $d;
}
is(psql("SELECT preferences::text FROM users WHERE id = '$uid'"), $before,
   'nothing refused was written');
is(psql("SELECT full_name FROM users WHERE id = '$uid'"), 'Amina H.', '... not even the name');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$uid'"), $alerts_before,
   '... and no alert was made');
($s, $d) = api(PATCH => '/users/me', '{"preferences": {"min_salary": {"amount": 1e999}}}', $token);
ok($s == 400 || $s == 422, "an amount JSON cannot hold: $s") or diag explain $d;
($s, $d) = api(PATCH => '/users/me', { preferences => { min_salary => { amount => 999999999999,
                                                                        currency => 'USD' },
                                                        workplace_types => [qw(onsite hybrid remote)],
                                                        job_types => [qw(full_time part_time contract
                                                                         internship temporary)] } },
               $token);
is($s, 200, 'the largest amount, every workplace and job type: 200');

# --- live matching honours the new filters
my %live = (
    kes => job('globex', salary_max => 150000, salary_currency => "'KES'", salary_period => "'month'"),
    kes_low => job('globex', salary_max => 150000, salary_currency => "'KES'"),
    usd => job('globex', salary_min => 30000, salary_max => 40000, salary_currency => "'USD'"),
    usd_min => job('globex', salary_min => 60000, salary_currency => "'USD'",
                   salary_period => "'year'"),
    unpaid => job('globex'),
    intern => job('globex', employment_type => "'internship'", location_type => "'onsite'"),
    remote => job('globex', location_type => "'remote'", employment_type => "'part_time'"),
    unknown => job('globex', employment_type => 'NULL', location_type => 'NULL'),
);
my %live_name = reverse %live;
my @ALL = sort keys %live;
my @table = (
    # name            preferences                                                 expected
    ['no new filter', {},                                                         [@ALL]],
    ['KES 1.2M',      { min_salary => { amount => 1200000, currency => 'KES' } }, [grep { $_ ne 'kes_low' } @ALL]],
    ['KES 2M',        { min_salary => { amount => 2000000, currency => 'KES' } }, [grep { !/^kes/ } @ALL]],
    ['USD 50k',       { min_salary => { amount => 50000, currency => 'USD' } },   [grep { $_ ne 'usd' } @ALL]],
    ['USD 70k',       { min_salary => { amount => 70000, currency => 'USD' } },   [grep { !/^usd/ } @ALL]],
    ['internships',   { job_types => ['internship'] },                            [qw(intern unknown)]],
    ['part or intern', { job_types => ['part_time', 'internship'] },              [qw(intern remote unknown)]],
    ['remote',        { workplace_types => ['remote'] },                          [qw(remote unknown)]],
    ['onsite',        { workplace_types => ['onsite'] },                          [qw(intern unknown)]],
    ['empty lists',   { job_types => [], workplace_types => [] },                 [@ALL]],
    ['all at once',   { job_types => ['full_time'], workplace_types => ['hybrid'],
                        min_salary => { amount => 1000000, currency => 'KES' } }, [qw(kes unknown unpaid usd usd_min)]],
    ['wrong types',   { job_types => 'intern', workplace_types => 3, min_salary => 'lots' }, [@ALL]],
);
my %user;
for my $t (@table) {
    (my $local = $t->[0]) =~ s/\W+/-/g;
    my $json = encode_json({ %{ $t->[1] }, companies => ["globex-$run"] });
    $user{ $t->[0] } = psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
        . " VALUES ('$local-$run\@example.com', '!', '$json', 'device-$run-$local') RETURNING id");
}
my $ids = join ',', map { "'$_'" } values %live;
my $users = join ',', map { "'$_'" } values %user;
my %got;
for my $row (split /\n/, psql("SELECT user_id, job_id FROM match_candidates(ARRAY[$ids]::uuid[])"
                              . " WHERE user_id IN ($users)")) {
    my ($u, $j) = split /\|/, $row;
    push @{ $got{$u} }, $live_name{$j};
}
for my $t (@table) {
    my ($name, undef, $want) = @$t;
    is(join(' ', sort @{ $got{ $user{$name} } || [] }), join(' ', sort @$want),
       "live matching, $name: " . join(' ', sort @$want));
}

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');
done_testing();
