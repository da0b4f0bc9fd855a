# jobscoutd's notifier end to end, against the project's fake of FCM HTTP
# v1 and Google's token endpoint (t/fakes/fcm.py), which verifies the
# RS256 assertion with the service account's public key and the shape
# of every message.  A job is stored and its match task queued exactly
# as the scraper does; then: one push per matching user and none to the
# others; the access token fetched once and reused; UNREGISTERED and an
# invalid token clear the user's token; 429 waits its Retry-After; 503 is
# retried with backoff, and fails after fcm_max_attempts; a revoked
# access token (401) is renewed once; the same task again pushes nothing;
# every outcome is on the alert, with its latency; e-mail users get
# their mail queued, at once or in their digest.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP qw(encode_json decode_json);
use Time::HiRes qw(sleep time);

use JobScout::Api;
use JobScout::FakeFCM;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "n$$";
my $dir = tempdir(CLEANUP => 1);

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

# --- the fake and jobscoutd's notifier pointed at it
my $fcm = JobScout::FakeFCM->start(dir => $dir);
my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { notifier => 1 },
    directives => { fcm_service_account => $fcm->{account},
                    fcm_base_url => $fcm->{url}, fcm_timeout => '2s',
                    fcm_max_in_flight => 20, fcm_max_attempts => 4,
                    fcm_backoff => '300ms 1s', push_claim_timeout => '6s',
                    digest_interval => '1s',
                    ($fcm->{ca} ? (fcm_ca_file => $fcm->{ca}) : ()) });
like($d->run('-t'), qr/successful/, 'jobscoutd -t accepts the notifier directives');
$d->start;
ok(wait_until(10, sub { $d->consumers('jobscout:queue:match') }),
   'the notifier consumes jobscout:queue:match');

# --- a company, its source, users
psql("INSERT INTO companies (name, slug) VALUES ('Kazi $run', 'kazi-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
     . " 'fixture', 'https://example.com/kazi' FROM companies WHERE slug = 'kazi-$run'");

sub users {
    my ($prefix, $count, $prefs, %o) = @_;
    my $json = encode_json($prefs);
    psql("INSERT INTO users (email, hashed_password, full_name, preferences, fcm_token,"
         . " email_verified, email_verified_at)"
         . " SELECT '$prefix-$run-' || i || '\@example.com', '!', 'User ' || i, '$json',"
         . ($o{no_token} ? 'NULL' : "'$prefix-$run-' || i") . ", true, now()"
         . " FROM generate_series(1, $count) i");
    return map { "$prefix-$run-$_" } 1 .. $count;
}

my $wanted = { companies => ["kazi-$run"], roles => ['backend_engineer'] };
my @match = users('dev', 30, $wanted);
my @other = users('other', 10, { companies => ["kazi-$run"], roles => ['accountant'] });
my ($gone) = users('gone', 1, $wanted);
my ($bad) = users('bad', 1, $wanted);
my ($invalid) = users('invalid', 1, $wanted);
my ($busy) = users('busy', 1, $wanted);
my ($flaky) = users('flaky', 1, $wanted);
my ($paced) = users('paced', 1, $wanted);
my ($failing) = users('failing', 1, $wanted);
users('mail', 1, { %$wanted, notifications => { push => JSON::PP::false, email => JSON::PP::true } },
      no_token => 1);
users('digest', 1, { %$wanted, notifications => { push => JSON::PP::false, email => JSON::PP::true,
                                                  email_digest => 'daily' } }, no_token => 1);

$fcm->script($gone, { status => 404, code => 'UNREGISTERED' });
$fcm->script($bad, { status => 400, code => 'INVALID_ARGUMENT', field => 'message.token' });
$fcm->script($invalid, { status => 400, code => 'INVALID_ARGUMENT',
                         message => 'The registration token is not a valid FCM registration'
                                    . ' token' });
$fcm->script($busy, { status => 429, code => 'QUOTA_EXCEEDED', retry_after => '1' });
$fcm->script($paced, { status => 503, code => 'UNAVAILABLE', retry_after => '2' });
$fcm->script($flaky, { status => 503, code => 'UNAVAILABLE' });
$fcm->script($failing, ({ status => 503, code => 'UNAVAILABLE' }) x 4);

sub new_job {
    my ($title) = @_;
    return psql("INSERT INTO jobs (company_id, source_id, external_id, title, location,"
        . " location_type) SELECT company_id, id, md5(random()::text), '$title',"
        . " 'Nairobi, Kenya', 'hybrid' FROM job_sources WHERE source_url ="
        . " 'https://example.com/kazi' AND company_id = (SELECT id FROM companies"
        . " WHERE slug = 'kazi-$run') RETURNING id");
}

# the scraper's task, as workers/lib/jobscout_task.h defines it
sub enqueue {
    my (@jobs) = @_;
    my $task = encode_json({ id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16),
                             kind => 'match.jobs', args => { job_ids => \@jobs },
                             attempt => 0, enqueued_at => int(time * 1000) });
    redis('lpush', 'jobscout:queue:match', $task);
    return $task;
}

sub accepted_for {
    my ($job) = @_;
    return grep { $_->{message}{data}{job_id} eq $job } $fcm->messages;
}

sub alert {
    my ($token, $job) = @_;
    my $row = psql("SELECT a.push_status, a.push_attempts, a.pushed_at IS NOT NULL,"
        . " a.notified_at = a.pushed_at, coalesce(a.fcm_message_id, ''),"
        . " coalesce(a.push_error, ''), coalesce(u.fcm_token, '')"
        . " FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
        . " WHERE a.job_id = '$job' AND u.email = '$token\@example.com'");
    my %a;
    @a{qw(status attempts pushed notified name error token)} = split /\|/, $row, -1;
    return \%a;
}

# --- 1. a new job
my $job = new_job('Backend Engineer');
my $task = enqueue($job);

# (users of other suites, in the same database, may match too: without
# filters, a user matches every job)
my @want = (@match, $busy, $flaky, $paced);
my %count;
ok(wait_until(20, sub {
       %count = ();
       $count{ $_->{token} }++ for accepted_for($job);
       !grep({ !$count{$_} } @want)
       && psql("SELECT count(*) FROM user_job_alerts WHERE job_id = '$job'"
               . " AND push_status IN ('pending', 'sending')") == 0 }),
   'every push of the new job is settled') or diag explain [$fcm->stats];

is(scalar(grep { $count{$_} == 1 } @want), scalar @want,
   'exactly one push to each of the ' . scalar(@want) . ' matching users');
ok(wait_until(5, sub {
       psql("SELECT count(*) FROM push_queue q CROSS JOIN LATERAL unnest(q.alert_ids) x (id)"
            . " JOIN user_job_alerts a ON a.id = x.id WHERE a.job_id = '$job'") == 0 }),
   '... and no push_queue row of them is left');
is(scalar(grep { $count{$_} } @other, $gone, $bad, $invalid, $failing), 0,
   '... none to the others, nor to refused tokens');
is(join(',', sort keys %count),
   psql("SELECT string_agg(u.fcm_token, ',' ORDER BY u.fcm_token) FROM user_job_alerts a"
        . " JOIN users u ON u.id = a.user_id WHERE a.job_id = '$job'"
        . " AND a.push_status = 'accepted'"),
   '... and each push went to a user with an accepted alert for the job, once');

# 0026: the notifier's own ids, version 7, increasing in the order it
# inserts, which is the users' (one chunk here)
is(psql("SELECT bool_and(substr(id::text, 15, 1) = '7')"
        . " AND array_agg(id ORDER BY id) = array_agg(id ORDER BY user_id)"
        . " FROM user_job_alerts WHERE job_id = '$job'"), 't',
   'the alerts\' ids are UUIDv7s, made in the users\' order');

my ($m) = grep { $_->{token} eq $match[0] } accepted_for($job);
is($m->{message}{notification}{title}, "New Backend Engineer at Kazi $run",
   'the title: New {title} at {company}');
is($m->{message}{notification}{body}, "Nairobi, Kenya \x{2022} hybrid",
   'the body: {location} • {type}');
is_deeply($m->{message}{data}, { job_id => $job, type => 'new_job',
                                 click_action => 'OPEN_JOB_DETAIL' }, 'the data');
my $stats = $fcm->stats;
is_deeply($stats->{rejects}, [], 'the fake refused no message as malformed');
is($stats->{token_requests}, 1, 'one access token, reused for every message');

my $a = alert($match[0], $job);
is($a->{status}, 'accepted', 'the alert records the accepted push');
is($a->{attempts}, 1, '... one attempt');
ok($a->{pushed} eq 't' && $a->{notified} eq 't', '... when (pushed_at = notified_at)');
is($a->{name}, $m->{name}, '... and FCM\'s message name');

$a = alert($gone, $job);
is($a->{status}, 'unregistered', 'UNREGISTERED: the alert says so');
like($a->{error}, qr/UNREGISTERED/, '... with the error');
is($a->{token}, '', '... and the user\'s device token is cleared');
is(scalar @{ $stats->{attempts}{$gone} }, 1, '... after one attempt: no retry');

$a = alert($bad, $job);
ok($a->{status} eq 'unregistered' && $a->{token} eq '',
   'INVALID_ARGUMENT on message.token: token cleared too');
$a = alert($invalid, $job);
ok($a->{status} eq 'unregistered' && $a->{token} eq '',
   '... and when only its message says the token is not valid');

my @tries = @{ $stats->{attempts}{$busy} };
is(join(',', map { $_->[1] } @tries), '429,200', '429 QUOTA_EXCEEDED, then accepted');
cmp_ok($tries[1][0] - $tries[0][0], '>=', 1, '... not before its Retry-After (1 s)');
is(alert($busy, $job)->{attempts}, 2, '... two attempts on the alert');

@tries = @{ $stats->{attempts}{$flaky} };
is(join(',', map { $_->[1] } @tries), '503,200', '503, then retried and accepted');
@tries = @{ $stats->{attempts}{$paced} };
is(join(',', map { $_->[1] } @tries), '503,200', '503 with Retry-After, then accepted');
cmp_ok($tries[1][0] - $tries[0][0], '>=', 2, '... not before its Retry-After (2 s)');

@tries = @{ $stats->{attempts}{$failing} };
is(join(',', map { $_->[1] } @tries), '503,503,503,503', 'four 503s: four attempts');
$a = alert($failing, $job);
ok($a->{status} eq 'failed' && $a->{attempts} == 4, '... then failed (fcm_max_attempts)');
like($a->{error}, qr/UNAVAILABLE/, '... with the last error');
cmp_ok($tries[3][0] - $tries[0][0], '>=', 0.15 + 0.3 + 0.5,
       '... with growing delays between them');

my ($n, $min, $max) = split /\|/, psql("SELECT count(*), min(latency_ms), max(latency_ms)"
                                       . " FROM alert_push_latency WHERE job_id = '$job'");
is($n, scalar keys %count, 'the latency of each accepted push is recorded');
ok($min >= 0 && $max < 10000, "... from discovery to FCM's acceptance ($min..$max ms)");

# --- 2. the e-mail user: an instant job alert on the mail queue
my $mail;
ok(wait_until(10, sub {
       ($mail) = grep { $_->{args}{to} eq "mail-$run-1\@example.com" }
                 outbox_tasks('jobscout:queue:mail');
       $mail }), 'the e-mail user\'s job alert is queued for the mailer');
is($mail->{kind}, 'mail.job_alert', '... a mail.job_alert');
is($mail->{args}{jobs}[0]{job_id}, $job, '... of this job');
is($mail->{args}{jobs}[0]{title}, 'Backend Engineer', '... with its title');
like($mail->{id}, qr/^[0-9a-f]{32}$/, '... a task id the mailer takes as Message-ID');
is(psql("SELECT email_status || (notified_at IS NOT NULL) FROM user_job_alerts a JOIN users u"
        . " ON u.id = a.user_id WHERE u.email = 'mail-$run-1\@example.com'"), 'queuedtrue',
   '... and the alert says queued');

# the digest user's waits for the end of the day
is(psql("SELECT email_status || '|' || (email_due_at = date_trunc('day', a.created_at, 'UTC')"
        . " + interval '1 day') FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
        . " WHERE u.email = 'digest-$run-1\@example.com'"), 'pending|true',
   'the daily digest user\'s alert waits for the end of the day');
psql("UPDATE user_job_alerts SET email_due_at = now() - interval '1 second' WHERE user_id ="
     . " (SELECT id FROM users WHERE email = 'digest-$run-1\@example.com')");
my $digest;
ok(wait_until(10, sub {
       ($digest) = grep { $_->{args}{to} eq "digest-$run-1\@example.com" }
                   outbox_tasks('jobscout:queue:mail');
       $digest }), 'when the day is over, the digest is queued (digest_interval)');
ok($digest->{kind} eq 'mail.job_digest' && $digest->{args}{period} eq 'daily',
   '... a daily mail.job_digest');

# --- 3. the same task again: nothing new
my $before = () = $fcm->messages;
redis('lpush', 'jobscout:queue:match', $task);
ok(wait_until(10, sub { $d->log_text =~ /"jobs matched" .* alerts=0 pushes=0/ }),
   'the same task again: matched, no alert inserted');
sleep 0.5;
is(scalar(() = $fcm->messages), $before, '... and no push sent');

# --- 4. a revoked access token: renewed once, the messages sent
$fcm->revoke;
my $job2 = new_job('Senior Backend Engineer');
enqueue($job2);
ok(wait_until(20, sub {
       my %got = map { $_->{token} => 1 } accepted_for($job2);
       !grep { !$got{$_} } @match, $busy, $flaky, $failing }),
   'after the access token is revoked, the next job\'s pushes all go')
    or diag explain [$fcm->stats];
$stats = $fcm->stats;
cmp_ok($stats->{unauthorized}, '>=', 1, '... after a 401');
is($stats->{token_requests}, 2, '... with one new access token');
is(scalar(grep { $_->{token} eq $gone } accepted_for($job2)), 0,
   'the user whose token was cleared gets nothing');

$d->stop;
unlike($d->log_text, qr/AddressSanitizer|runtime error/, 'no sanitizer report');
if ($fcm->{front}) {
    # t/091_notifier_h2.t: every message went on HTTP/2
    my @log = grep { m{/messages:send} } $fcm->front_log;
    cmp_ok(scalar @log, '>=', 40, 'the FCM front served the messages');
    is(scalar(grep { !/^HTTP\/2\.0 / } @log), 0, '... all on HTTP/2');
}
$fcm->stop;

psql("DELETE FROM task_outbox WHERE queue = 'jobscout:queue:mail'");
done_testing();
