# kill -9 of the notifier mid-batch: every matching user still gets
# exactly one push.
#
# 2,500 users match a new job.  The fake FCM answers slowly, so the
# batch is in progress: some pushes accepted and recorded, some in
# flight, some queued, some alerts not even inserted (the match task not
# acked).  The fake then holds every message, and once the notifier has
# recorded every answer it got, the notifier is killed with SIGKILL.
# The held messages are never answered (the fake drops them: their
# client is gone), as if FCM had not got them.  The master respawns the
# notifier; the pushes left 'sending' are claimed again once their lease
# is over, and the unacked task, requeued by the reaper, inserts the
# missing alerts.  In the end each user has one push, one alert, and the
# alert says accepted.
#
# The one case no notifier can tell apart, FCM accepted and the record
# not committed, is excluded from that first kill by waiting for the
# records; the second part kills the notifier inside that window (below).
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP qw(encode_json);
use Time::HiRes qw(sleep time);

use JobScout::Api;
use JobScout::FakeFCM;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "c$$";
my $users = 2500;
my $dir = tempdir(CLEANUP => 1);

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

my $fcm = JobScout::FakeFCM->start(dir => $dir);
my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { notifier => 1 },
    directives => { fcm_service_account => $fcm->{account},
                    fcm_base_url => $fcm->{url}, fcm_timeout => '1s',
                    fcm_max_in_flight => 50, push_claim_timeout => '3s' });
$d->start;
my ($notifier) = ();
ok(wait_until(10, sub { ($notifier) = $d->consumers('jobscout:queue:match'); $notifier }),
   'the notifier runs');

psql("INSERT INTO companies (name, slug) VALUES ('Crash $run', 'crash-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
     . " 'fixture', 'https://example.com/$run' FROM companies WHERE slug = 'crash-$run'");
my $prefs = encode_json({ companies => ["crash-$run"] });
psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
     . " SELECT 'u$run-' || i || '\@example.com', '!', '$prefs', 'crash-$run-' || i"
     . " FROM generate_series(1, $users) i");

# a job of the test's company, every user matches it: its id
sub new_job {
    my ($external_id, $title) = @_;
    return psql("INSERT INTO jobs (company_id, source_id, external_id, title, location,"
        . " location_type) SELECT company_id, id, '$external_id', '$title', 'Nairobi',"
        . " 'onsite' FROM job_sources WHERE source_url = 'https://example.com/$run'"
        . " RETURNING id");
}
my $job = new_job('crash', 'Site Reliability Engineer');

# this test's users only: users of other suites, in the same database,
# may match the job too (a user without filters matches every job)
sub mine {
    my ($of) = @_;
    grep { $_->{message}{data}{job_id} eq $of && $_->{token} =~ /^crash-$run-/ }
        $fcm->messages;
}
sub alerts {
    my ($of, $status) = @_;
    psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
         . " WHERE a.job_id = '$of' AND u.email LIKE 'u$run-%'"
         . ($status ? " AND a.push_status = '$status'" : ''));
}

# the job's acceptances recorded: folded into the alerts, or still
# receipts (0024)
sub recorded {
    my ($of) = @_;
    psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
         . " WHERE a.job_id = '$of' AND u.email LIKE 'u$run-%'"
         . " AND (a.push_status = 'accepted' OR a.id IN (SELECT unnest(r.alert_ids)"
         . " FROM push_receipts r))");
}

# slow answers: 50 in flight, 100 ms each
$fcm->config(delay_ms => 100);
redis('lpush', 'jobscout:queue:match',
      encode_json({ id => 'c' x 32, kind => 'match.jobs', args => { job_ids => [$job] },
                    attempt => 0, enqueued_at => int(time * 1000) }));

ok(wait_until(20, sub { mine($job) >= 150 }), 'the batch is under way');
$fcm->config(hold => JSON::PP::true);
ok(wait_until(10, sub { $fcm->stats->{waiting} == 50 }),
   'the fake holds the 50 messages in flight');
ok(wait_until(10, sub { mine($job) == recorded($job) }),
   'every answer the notifier got is recorded');

my $accepted = () = mine($job);
my $inserted = alerts($job);
my $processing = redis('llen', "jobscout:processing:" . (split ' ', `hostname`)[0] . ":$notifier");
# the backends of the notifier killed here may linger (one waiting on a
# lock does until it gets it): part 2 looks only at its successor's
my $killed_at = psql("SELECT now()");
kill 'KILL', $notifier;
diag("killed with $accepted accepted, 50 in flight, $inserted of $users alerts inserted,"
     . " $processing task(s) unacked");
cmp_ok($inserted, '<', $users, '... the kill came before every alert was inserted');
is($processing, 1, '... with the match task unacked');

ok(wait_until(10, sub { !JobScout::Jobscoutd::alive($notifier) }), 'the notifier is gone');
# the messages held: the 50 in flight, and any the notifier gave up on
# before the kill (fcm_timeout, on a busy machine), whose clients are gone
# too
my $held = $fcm->stats->{waiting};
cmp_ok($held, '>=', 50, "... $held messages held");
$fcm->config(hold => JSON::PP::false);
ok(wait_until(30, sub { $fcm->stats->{dropped} == $held }),
   "the $held held messages are dropped: their client died before any answer")
    or diag("dropped: " . $fcm->stats->{dropped});

my ($again) = ();
ok(wait_until(10, sub { ($again) = $d->consumers('jobscout:queue:match'); $again }),
   'the master respawns the notifier');
isnt($again, $notifier, '... a new process');

$fcm->config(delay_ms => 0);
ok(wait_until(60, sub { alerts($job, 'accepted') == $users }),
   "all $users alerts end accepted (leases expired, the task reaped and rematched)")
    or diag(psql("SELECT push_status, count(*) FROM user_job_alerts WHERE job_id = '$job'"
                 . " GROUP BY 1"));

my %count;
$count{ $_->{token} }++ for mine($job);
is(scalar keys %count, $users, 'every matching user got a push');
is(scalar(grep { $_ != 1 } values %count), 0, '... exactly one each');
is(alerts($job), $users, '... and has exactly one alert');
ok(wait_until(10, sub {
       psql("SELECT count(*) FROM push_queue q CROSS JOIN LATERAL unnest(q.alert_ids) x (id)"
            . " JOIN user_job_alerts a ON a.id = x.id WHERE a.job_id = '$job'") == 0 }),
   'the queue rows of the dead notifier and of its successor are all gone');
like($d->log_text, qr/tasks of a dead consumer requeued/, 'the unacked task was reaped');
like($d->log_text, qr/pushes claimed/, 'the pushes of the dead notifier were claimed again');

# --- 2. The window: FCM accepted, the notifier died before recording.
# A second job for the same users.  A session of the test's own locks the
# table of receipts (0024: where acceptances are recorded) and the job's
# alerts (where the other outcomes are), so the notifier's first record
# of outcomes waits on it; the outcomes that come meanwhile are only in the notifier's memory
# when it is killed, and there are never more than fcm_max_in_flight of
# them: a push keeps its place among the sends in flight until its
# outcome is recorded.  Those pushes are sent again: no user goes without
# one, a repeat is only ever of a push FCM had accepted before the kill,
# and every message of the job carries the job's Android tag and APNs
# collapse id, which make the phone show the repeat in place of the first.
my $job2 = new_job('crash-2', 'Platform Engineer');

$fcm->config(hold => JSON::PP::true);
redis('lpush', 'jobscout:queue:match',
      encode_json({ id => 'd' x 32, kind => 'match.jobs', args => { job_ids => [$job2] },
                    attempt => 0, enqueued_at => int(time * 1000) }));
ok(wait_until(20, sub { $fcm->stats->{waiting} == 50 }), 'job 2: 50 messages in flight');

my $locker = fork // die "fork: $!";
if (!$locker) {
    $ENV{PGAPPNAME} = "locker-$run";
    exec 'psql', '-X', '-q', '-o', '/dev/null', '-d', $ENV{TEST_NGINX_PG}, '-c',
         "BEGIN; LOCK TABLE push_receipts IN SHARE MODE;"
         . " SELECT id FROM user_job_alerts WHERE job_id = '$job2' FOR UPDATE;"
         . " SELECT pg_sleep(600); COMMIT";
    exit 1;
}
my $lockers = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'locker-$run'"
              . " AND wait_event = 'PgSleep'";
ok(wait_until(10, sub { psql($lockers) == 1 }), "... the receipts and the job's alerts locked");

$fcm->config(hold => JSON::PP::false);
# the record of outcomes itself (other statements, the e-mails' claim,
# may wait on those rows too)
my $waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'jobscoutd'"
              . " AND wait_event_type = 'Lock' AND query LIKE '%record_pushes(%'"
              . " AND backend_start > '$killed_at'";
ok(wait_until(10, sub { psql($waiting) >= 1 }), '... the first record of outcomes waits');
my $at_lock = () = mine($job2);
# the released messages answered (accepted, or given up by fcm_timeout on
# a busy machine), and FCM holds accepted pushes the database does not:
# their outcomes are only in memory (accepted before or after the record
# began to wait: no claim is made while outcomes wait)
ok(wait_until(10, sub { $fcm->stats->{waiting} == 0
                        && mine($job2) > recorded($job2) }),
   '... while pushes are accepted, their outcomes in memory');
sleep 1;
# (the fake's messages fetched once: on a busy machine each fetch of the
# thousands of this suite takes seconds)
my @accepted = mine($job2);
my $unrecorded = @accepted - recorded($job2);
cmp_ok($unrecorded, '<=', 50,
       '... 50 at most (fcm_max_in_flight): sends wait for the records');
is($fcm->stats->{waiting}, 0, '... none in flight meanwhile');
# the lock is the test's until it ends it: the window is still open
is(psql($lockers), 1, '... the lock still held');

kill 'KILL', $again;
my %before;
$before{ $_->{token} }++ for mine($job2);
is(scalar(grep { $_ > 1 } values %before), 0,
   '... none of them twice (a chunk never holds a user twice)');
ok(wait_until(10, sub { !JobScout::Jobscoutd::alive($again) }), 'the notifier is killed');
# Its record, waiting on the lock, would still commit once the lock is
# gone (PostgreSQL notices a dead client only when it answers): the worst
# case, the record lost with the process, is when it goes too.
psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
     . " WHERE application_name = 'jobscoutd' AND query LIKE '%record_pushes(%'"
     . " AND backend_start > '$killed_at'");
psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
     . " WHERE application_name = 'locker-$run'");
waitpid($locker, 0);
diag(sprintf "killed with %d pushes of job 2 accepted, %d of them after the record began"
     . " to wait", scalar keys %before, scalar(keys %before) - $at_lock);

ok(wait_until(60, sub { alerts($job2, 'accepted') == $users }),
   "job 2: all $users alerts end accepted")
    or diag(psql("SELECT push_status, count(*) FROM user_job_alerts WHERE job_id = '$job2'"
                 . " GROUP BY 1"));
my %count2;
$count2{ $_->{token} }++ for mine($job2);
my @twice = grep { $count2{$_} > 1 } keys %count2;
is(scalar keys %count2, $users, 'every matching user got a push');
is(scalar(grep { $_ > 2 } values %count2), 0, '... none more than two');
is(scalar(grep { !$before{$_} } @twice), 0,
   '... a second only of a push FCM had accepted before the kill');
cmp_ok(scalar @twice, '>=', 1, '... and there were some: the window was reached')
    and diag(scalar(@twice) . ' pushes sent twice');
is(scalar(grep { $_->{message}{android}{notification}{tag} ne $job2
                 || $_->{message}{apns}{headers}{'apns-collapse-id'} ne $job2 } mine($job2)),
   0, "... each with the job's tag and collapse id: the phone shows one");
is(alerts($job2), $users, '... and one alert per user');

$d->stop;
unlike($d->log_text, qr/AddressSanitizer|runtime error/, 'no sanitizer report');
$fcm->stop;
done_testing();
