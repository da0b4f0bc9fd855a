# The notifier under a backlog (issue 16, items 8 and 9).
#
# 1. Memory and QUIT.  $users users match each of $jobs new jobs: one
#    match task of $users x $jobs alerts to insert and push.  The
#    notifier's resident memory, sampled from /proc while it works
#    through them, stays within 64 MB: the match is read from a cursor
#    a page at a time, never whole.  A QUIT in the middle stops it
#    within 5 s, though FCM holds the messages in flight: those given up
#    after 3 s, they and the pushes not sent yet are 'pending' again, due
#    now, the outcomes recorded, the match task back on the
#    queue (matched again, it inserts only the alerts still missing).
#    The 1,000,000-alert figure is a manual run of the same suite:
#    BACKLOG_USERS=100000 BACKLOG_JOBS=10 (README, "Under a backlog").
# 2. kill -9 mid-batch, $crash_users users, fcm_max_in_flight 30: every
#    user gets a push in the end, and at most 1% of the batch twice (a
#    push holds its place among those in flight until its outcome is
#    recorded, so no more than 30 are ever unrecorded).
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

my $run = "b$$";
my $users = $ENV{BACKLOG_USERS} || 30000;
my $jobs = $ENV{BACKLOG_JOBS} || 10;
# how long RSS is sampled at most (the 1,000,000 run needs longer)
my $window = $ENV{BACKLOG_WINDOW} || 60;
my $crash_users = 3000;
my $rss_max_kb = 64 * 1024;
my $dir = tempdir(CLEANUP => 1);

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

sub rss_kb {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)\s+kB/ }
    return 0;
}

# users of the company "$slug", with device tokens "$slug-<i>"
sub company_users {
    my ($slug, $n) = @_;
    psql("INSERT INTO companies (name, slug) VALUES ('$slug', '$slug')");
    psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
         . " 'fixture', 'https://example.com/$slug' FROM companies WHERE slug = '$slug'");
    my $prefs = encode_json({ companies => [$slug] });
    psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
         . " SELECT '$slug-' || i || '\@example.com', '!', '$prefs', '$slug-' || i"
         . " FROM generate_series(1, $n) i");
}

# n new jobs of the company: their ids
sub new_jobs {
    my ($slug, $n) = @_;
    return split /\n/, psql("INSERT INTO jobs (company_id, source_id, external_id, title,"
        . " location, location_type) SELECT company_id, id, '$slug-' || i,"
        . " 'Backend Engineer ' || i, 'Nairobi', 'onsite' FROM job_sources,"
        . " generate_series(1, $n) i WHERE source_url = 'https://example.com/$slug'"
        . " RETURNING id");
}

sub match_task {
    my ($id, @job_ids) = @_;
    redis('lpush', 'jobscout:queue:match',
          encode_json({ id => $id, kind => 'match.jobs', args => { job_ids => \@job_ids },
                        attempt => 0, enqueued_at => int(time * 1000) }));
}

# the alerts of the company's users, by push status
sub alerts_of {
    my ($slug, $status) = @_;
    psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
         . " WHERE u.email LIKE '$slug-%'"
         . ($status ? " AND a.push_status = '$status'" : ''));
}

my $fcm = JobScout::FakeFCM->start(dir => $dir);

# a jobscoutd of one notifier, 30 messages in flight, in $dir/$name:
# it and the notifier's pid
sub notifier_daemon {
    my ($name, $lease, $timeout) = @_;
    mkdir "$dir/$name" or die "mkdir: $!";
    my $d = JobScout::Jobscoutd->new(dir => "$dir/$name", workers => { notifier => 1 },
        directives => { fcm_service_account => $fcm->{account},
                        fcm_base_url => $fcm->{url}, fcm_timeout => $timeout,
                        fcm_max_in_flight => 30, push_claim_timeout => $lease });
    $d->start;
    my ($pid) = ();
    ok(wait_until(10, sub { ($pid) = $d->consumers('jobscout:queue:match'); $pid }),
       "a notifier runs ($name)");
    return ($d, $pid);
}

# --- 1. Memory and QUIT under a backlog

my $slug = "backlog-$run";
my $t0 = time;
company_users($slug, $users);
my @jobs = new_jobs($slug, $jobs);
diag(sprintf "%d users, %d jobs: %d alerts to make, set up in %.1f s",
             $users, $jobs, $users * $jobs, time - $t0);

# FCM's answers may take 5 s: longer than QUIT waits for them
my ($d, $notifier) = notifier_daemon('backlog', '30s', '5s');

# FCM takes 20 ms a message: the backlog is worked through while we look
$fcm->config(delay_ms => 20);
match_task('e' x 32, @jobs);

# sampled until well past the first part (1,500): the cursor's pages
my ($rss, $samples) = (0, 0);
my $t1 = time;
while (time - $t1 < $window) {
    my $r = rss_kb($notifier);
    $rss = $r if $r > $rss;
    $samples++;
    last if $samples % 10 == 0 && alerts_of($slug) >= 10000 && time - $t1 > 5;
    sleep 0.1;
}
my $inserted = alerts_of($slug);
diag(sprintf "RSS at most %.1f MB over %d samples in %.1f s, %d alerts inserted",
             $rss / 1024, $samples, time - $t1, $inserted);
cmp_ok($inserted, '>', 2 * 1500, '... the match read past its first part');
cmp_ok($inserted, '<', $users * $jobs, '... and the batch is still under way');
cmp_ok(scalar(grep { $_->{token} =~ /^$slug-/ } $fcm->messages), '>', 0,
       '... pushes going out');
SKIP: {
    # AddressSanitizer's shadow memory and quarantine are most of it there
    skip 'RSS under AddressSanitizer (make asan) is the sanitizer\'s', 1
        if ($ENV{ASAN_OPTIONS} // '') ne '';
    cmp_ok($rss, '<=', $rss_max_kb, 'the notifier stays within 64 MB while working');
}

# QUIT, FCM holding the 30 messages in flight: the master passes it on
# and goes once its workers have
$fcm->config(hold => JSON::PP::true);
ok(wait_until(10, sub { $fcm->stats->{waiting} == 30 }), 'FCM holds 30 messages');
my $tq = time;
kill 'QUIT', $d->{master};
ok(wait_until(10, sub { !JobScout::Jobscoutd::alive($notifier) }), 'the notifier goes on QUIT');
my $took = time - $tq;
diag(sprintf "stopped %.2f s after QUIT", $took);
cmp_ok($took, '<', 5, '... within 5 s');
wait_until(10, sub { !JobScout::Jobscoutd::alive($d->{master}) });
$fcm->config(hold => JSON::PP::false);
ok(wait_until(10, sub { $fcm->stats->{waiting} == 0 }),
   '... the held messages dropped: given up, their client gone');

is(alerts_of($slug, 'sending'), 0, 'no push left to a lease: each answered or handed back');
my $accepted = alerts_of($slug, 'accepted');
my %sent;
$sent{ $_->{token} . ' ' . $_->{message}{data}{job_id} }++
    for grep { $_->{token} =~ /^$slug-/ } $fcm->messages;
is(scalar keys %sent, $accepted, 'every push FCM accepted is recorded accepted');
is(scalar(grep { $_ > 1 } values %sent), 0, '... once each');
is(alerts_of($slug, 'pending'), alerts_of($slug) - $accepted,
   'the rest are pending again');
is(psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
        . " WHERE u.email LIKE '$slug-%' AND a.push_status = 'pending'"
        . " AND (a.push_due_at > now() OR NOT EXISTS (SELECT FROM push_queue q"
        . " WHERE a.id = ANY (q.alert_ids) AND q.due_at <= now()))"), 0,
   '... due now, each listed by a queue row due now');
is(redis('llen', 'jobscout:queue:match'), 1, 'the match task is back on the queue');
like($d->log_text, qr/matching stopped, tasks handed back/, '... handed back, not acked');
unlike($d->log_text, qr/AddressSanitizer|runtime error/, 'no sanitizer report');

# the next notifier would finish the job: not this suite's (the backlog
# is too large for a test run), its users go, with their queue rows
redis('del', 'jobscout:queue:match');
psql("DELETE FROM push_queue q WHERE q.alert_ids && ARRAY(SELECT a.id FROM user_job_alerts a"
     . " JOIN users u ON u.id = a.user_id WHERE u.email LIKE '$slug-%')");
psql("DELETE FROM users WHERE email LIKE '$slug-%'");
diag(sprintf "part 1 done at %.1f s", time - $t0);

# --- 2. kill -9 mid-batch: duplicates

my $crash = "dup-$run";
company_users($crash, $crash_users);
my ($job) = new_jobs($crash, 1);

my ($d2, $victim) = notifier_daemon('crash', '10s', '1s');

sub mine { grep { $_->{token} =~ /^$crash-/ } $fcm->messages }

# 50 ms a message, 30 in flight: about 5 s for the batch
$fcm->config(delay_ms => 50);
# (the fake's count of the users it got a message for, answered or not:
# the records are not waited for)
match_task('f' x 32, $job);
ok(wait_until(30, sub { grep({ /^$crash-/ } keys %{ $fcm->stats->{attempts} })
                        >= $crash_users / 3 }),
   'the batch is under way');
kill 'KILL', $victim;
my $at_kill = () = mine();
cmp_ok($at_kill, '<', $crash_users, '... the kill came before its end');
ok(wait_until(10, sub { !JobScout::Jobscoutd::alive($victim) }), 'killed with SIGKILL')
    and diag("killed with $at_kill pushes accepted");
# recorded: folded into the alerts, or still receipts (0024)
my $recorded = psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
                    . " WHERE u.email LIKE '$crash-%' AND (a.push_status = 'accepted'"
                    . " OR a.id IN (SELECT unnest(r.alert_ids) FROM push_receipts r))");

$fcm->config(delay_ms => 0);
ok(wait_until(90, sub { alerts_of($crash, 'accepted') == $crash_users }),
   "all $crash_users alerts end accepted (leases expired, the task reaped and rematched)")
    or diag(psql("SELECT a.push_status, count(*) FROM user_job_alerts a JOIN users u"
                 . " ON u.id = a.user_id WHERE u.email LIKE '$crash-%' GROUP BY 1"));
diag(sprintf "part 2 done at %.1f s", time - $t0);
my %count;
$count{ $_->{token} }++ for mine();
my $twice = grep { $_ > 1 } values %count;
is(scalar keys %count, $crash_users, 'every matching user got a push: none lost');
diag(sprintf "%d of %d pushes sent twice (%.2f%%); %d accepted at the kill, %d recorded",
             $twice, $crash_users, 100 * $twice / $crash_users, $at_kill, $recorded);
cmp_ok($twice, '<=', $crash_users / 100, '... at most 1% twice');
cmp_ok($at_kill - $recorded, '<=', 30,
       '... as many as were accepted and not recorded at the kill: 30 at most');
is(scalar(grep { $_ > 2 } values %count), 0, '... none more than twice');
is(alerts_of($crash), $crash_users, '... and one alert per user');

$d2->stop;
unlike($d2->log_text, qr/AddressSanitizer|runtime error/, 'no sanitizer report');
$fcm->stop;
done_testing();
