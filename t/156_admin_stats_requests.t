# GET /api/v1/admin/stats, the series the operator console draws: the
# current hour and the 23 before it (alerts made, pushes accepted, their
# latency's p50 and p95) and the push latency percentiles of the last 24
# hours.  The fixture's alerts sit in an hour 17 hours back, which no other
# suite writes, so that hour's figures are exact; the 24 hours' percentiles
# are checked against alert_push_latency read here.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Psql;
use JobScout::Admin;

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});

our $Admin = account($db, 'stats-ops', 1);
our $User = account($db, 'stats-user', 0);
my $user = $db->query("INSERT INTO users (email, hashed_password, full_name)"
                      . " VALUES ('stats-$$\@example.com', 'x', 'Stats')"
                      . " RETURNING id");
my $company = $db->query("INSERT INTO companies (name, slug)"
                         . " VALUES ('Stats', 'stats-$$') RETURNING id");

# the hour's start, and as PostgreSQL writes it in JSON
my $hour = $db->query("SELECT date_trunc('hour', now())"
                      . " - interval '17 hours'");
our $Hour = $db->query("SELECT to_json('$hour'::timestamptz)");

# three alerts made in that hour (of jobs no longer listed); two pushed 1 s
# and 3 s after their job's discovery, one without a push
for my $latency (1, 3, undef) {
    my $job = $db->query("INSERT INTO jobs (company_id, title, is_active,"
        . " discovered_at) VALUES ('$company', 'Stats job', false,"
        . " '$hour'::timestamptz + interval '5 minutes') RETURNING id");
    my $push = defined $latency
        ? "'accepted', '$hour'::timestamptz + interval '5 minutes'"
          . " + interval '$latency seconds'"
        : 'NULL, NULL';
    $db->query("INSERT INTO user_job_alerts (user_id, job_id, created_at,"
        . " push_status, pushed_at) VALUES ('$user', '$job',"
        . " '$hour'::timestamptz + interval '5 minutes', $push)");
}

# every accepted push of the last 24 hours, the suites' before ours
our $Latency = $db->query("SELECT concat_ws(',', n, p[1], p[2], p[3])"
    . " FROM (SELECT count(*) n, percentile_cont(ARRAY[0.5, 0.95, 0.99])"
    . "        WITHIN GROUP (ORDER BY latency_ms) p FROM alert_push_latency"
    . "       WHERE pushed_at > now() - interval '24 hours') l");

sub latency {
    my ($count, @p) = split /,/, $::Latency;
    return sprintf '"push_latency_24h":\{"count":%d,"p50_ms":%d,'
                   . '"p95_ms":%d,"p99_ms":%d\}', $count,
                   map { int($_ + 0.5) } @p;
}

admin_blocks($Admin);

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: the fixture's hour: three alerts, two pushes, p50 2 s, p95 2.9 s
--- request
GET /api/v1/admin/stats
--- error_code: 200
--- response_body_like eval
qr/"hourly":\[[^\]]*\{"hour":\Q$::Hour\E,"alerts":3,"pushes":2,"push_p50_ms":2000,"push_p95_ms":2900\}/


=== TEST 2: 24 hours, each with its four figures
--- request
GET /api/v1/admin/stats
--- error_code: 200
--- response_body_like eval
qr/"hourly":\[\{"hour":"[^"]+","alerts":\d+,"pushes":\d+,"push_p50_ms":(\d+|null),"push_p95_ms":(\d+|null)\}(,\{"hour":"[^"]+","alerts":\d+,"pushes":\d+,"push_p50_ms":(\d+|null),"push_p95_ms":(\d+|null)\}){23}\]/


=== TEST 3: the push latency percentiles of the last 24 hours
--- request
GET /api/v1/admin/stats
--- error_code: 200
--- response_body_like eval
::latency()


=== TEST 4: a user's token: 403, no figures
--- request
GET /api/v1/admin/stats
--- more_headers eval: $::User
--- error_code: 403
--- response_body_like: ^\{"error":\{"code":"forbidden","message":"administrators only"
