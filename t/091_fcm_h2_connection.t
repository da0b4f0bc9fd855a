# The notifier's HTTP/2 client (workers/lib/h2.c) when FCM's connection
# does not simply work: FCM behind an nginx front on TLS and HTTP/2,
# proxying to the fake (t/fakes/fcm.py), which checks every message and
# answers after a delay, so that messages are in flight when
#   - the front reloads: its old connection is told GOAWAY, finishes what
#     it took, and the rest go on a new one;
#   - its worker is killed: the connection is cut, what was in flight is
#     sent again (the fake drops what it could not answer);
#   - the fake holds answers past fcm_timeout: the streams are reset,
#     the messages sent again once it answers;
# and when the server takes no HTTP/2 (libcurl then), or its certificate
# is not the one trusted (nothing sent, the reason logged); when more are
# in flight than the server takes streams on one connection (more
# connections, up to 8); and by name
# (localhost: looked up off the loop, ::1 refused, then 127.0.0.1).  Each time
# every matching user gets exactly one accepted message.
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

my $run = "h$$";
my $dir = tempdir(CLEANUP => 1);
my $users = 40;

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

psql("INSERT INTO companies (name, slug) VALUES ('Mtandao $run', 'mtandao-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
     . " 'fixture', 'https://example.com/mtandao' FROM companies"
     . " WHERE slug = 'mtandao-$run'");
my $prefs = encode_json({ companies => ["mtandao-$run"], roles => ['backend_engineer'] });
psql("INSERT INTO users (email, hashed_password, full_name, preferences, fcm_token,"
     . " email_verified, email_verified_at)"
     . " SELECT 'h2-$run-' || i || '\@example.com', '!', 'User ' || i, '$prefs',"
     . " 'h2-$run-' || i, true, now() FROM generate_series(1, $users) i");
my @tokens = map { "h2-$run-$_" } 1 .. $users;

sub new_job {
    return psql("INSERT INTO jobs (company_id, source_id, external_id, title, location,"
        . " location_type) SELECT company_id, id, md5(random()::text), 'Backend Engineer',"
        . " 'Nairobi, Kenya', 'hybrid' FROM job_sources WHERE source_url ="
        . " 'https://example.com/mtandao' RETURNING id");
}

sub enqueue {
    my ($job) = @_;
    redis('lpush', 'jobscout:queue:match',
          encode_json({ id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16),
                        kind => 'match.jobs', args => { job_ids => [$job] },
                        attempt => 0, enqueued_at => int(time * 1000) }));
}

# the tokens FCM accepted a message for, for the job: token => count
sub accepted {
    my ($fcm, $job) = @_;
    my %n;
    $n{ $_->{message}{token} }++
        for grep { $_->{message}{data}{job_id} eq $job } $fcm->messages;
    return \%n;
}

sub all_once {
    my ($n) = @_;
    return !grep { ($n->{$_} // 0) != 1 } @tokens;
}

sub pending {
    my ($job) = @_;
    return psql("SELECT count(*) FROM user_job_alerts WHERE job_id = '$job'"
                . " AND push_status <> 'accepted'");
}

# a notifier against a fresh fake (and front)
sub stack {
    my ($name, %o) = @_;
    my $sub = "$dir/$name";
    mkdir $sub;
    my $fcm = JobScout::FakeFCM->start(dir => $sub, front => $o{front} // 'h2',
                                       streams => $o{streams});
    my $d = JobScout::Jobscoutd->new(dir => $sub, workers => { notifier => 1 },
        directives => { fcm_service_account => $fcm->{account},
                        fcm_base_url => $o{localhost}
                                        ? $fcm->{url} =~ s/127\.0\.0\.1/localhost/r
                                        : $fcm->{url},
                        fcm_timeout => $o{timeout} // '5s',
                        fcm_ca_file => $o{ca} // $fcm->{ca},
                        fcm_max_in_flight => $o{in_flight} // 25,
                        fcm_backoff => '200ms 500ms', fcm_max_attempts => 10,
                        push_claim_timeout => '20s' });
    $d->start;
    ok(wait_until(10, sub { $d->consumers('jobscout:queue:match') }),
       "$name: the notifier is up");
    return ($fcm, $d);
}

sub finish {
    my ($fcm, $d) = @_;
    $d->stop;
    unlike($d->log_text, qr/AddressSanitizer|runtime error|LeakSanitizer/,
           'no sanitizer report');
    $fcm->stop;
}

# --- 1. a graceful reload of the front: GOAWAY
{
    my ($fcm, $d) = stack('goaway', in_flight => 10);
    $fcm->config(delay_ms => 500);
    my $job = new_job();
    enqueue($job);
    ok(wait_until(10, sub { grep { m{ 200 .*/messages:send} } $fcm->front_log }),
       'goaway: messages are answered');
    $fcm->front_signal('HUP');
    ok(wait_until(30, sub { all_once(accepted($fcm, $job)) }),
       'goaway: after the reload, every user has exactly one message')
        or diag explain accepted($fcm, $job);
    ok(wait_until(10, sub { pending($job) == 0 }), 'goaway: every alert is accepted');
    my @log = grep { m{/messages:send} } $fcm->front_log;
    my %pids = map { (split ' ')[2] => 1 } @log;
    cmp_ok(scalar keys %pids, '>=', 2, 'goaway: messages were served by the old worker'
           . ' and the new one');
    is(scalar(grep { !m{^HTTP/2\.0 200 } } @log), 0, 'goaway: all on HTTP/2, all 200');
    unlike($d->log_text, qr/push to retry/, 'goaway: none had to be retried');
    finish($fcm, $d);
}

# --- 2. the front's worker killed mid-answer: the connection cut
{
    my ($fcm, $d) = stack('cut');
    $fcm->config(delay_ms => 1000);
    my $job = new_job();
    enqueue($job);
    ok(wait_until(10, sub { ($fcm->stats->{attempts} // 0) > 0
                            || grep { m{/messages:send} } $fcm->front_log }),
       'cut: messages reach the fake');
    sleep 0.3;
    $fcm->front_kill_workers;
    $fcm->config(delay_ms => 0);
    ok(wait_until(30, sub { all_once(accepted($fcm, $job)) }),
       'cut: after the cut, every user has exactly one message')
        or diag explain accepted($fcm, $job);
    ok(wait_until(10, sub { pending($job) == 0 }), 'cut: every alert is accepted');
    like($d->log_text, qr/push to retry.*connection lost/, 'cut: what was in flight was'
         . ' retried, the connection lost');
    finish($fcm, $d);
}

# --- 3. answers held past fcm_timeout: streams reset, sent again
{
    my ($fcm, $d) = stack('timeout', timeout => '1s');
    $fcm->config(hold => JSON::PP::true);
    my $job = new_job();
    enqueue($job);
    ok(wait_until(10, sub { $d->log_text =~ /push to retry.*timed out after 1000 ms/ }),
       'timeout: messages unanswered after fcm_timeout are given up');
    $fcm->config(hold => JSON::PP::false);
    ok(wait_until(30, sub { all_once(accepted($fcm, $job)) }),
       'timeout: once the fake answers, every user has exactly one message')
        or diag explain accepted($fcm, $job);
    ok(wait_until(10, sub { pending($job) == 0 }), 'timeout: every alert is accepted');
    finish($fcm, $d);
}

# --- 4. TLS without HTTP/2: libcurl sends them
{
    my ($fcm, $d) = stack('http1', front => 'tls');
    my $job = new_job();
    enqueue($job);
    ok(wait_until(30, sub { all_once(accepted($fcm, $job)) }),
       'http1: every user has exactly one message')
        or diag explain accepted($fcm, $job);
    like($d->log_text, qr/server does not take HTTP\/2/, 'http1: the fallback is logged');
    my @log = grep { m{/messages:send} } $fcm->front_log;
    is(scalar(grep { !m{^HTTP/1\.1 200 } } @log), 0, 'http1: all on HTTP/1.1, all 200');
    finish($fcm, $d);
}

# --- 5. more in flight than the server's streams: more connections
{
    my ($fcm, $d) = stack('streams', streams => 5, in_flight => 20);
    $fcm->config(delay_ms => 300);
    my $job = new_job();
    enqueue($job);
    ok(wait_until(30, sub { all_once(accepted($fcm, $job)) }),
       'streams: every user has exactly one message')
        or diag explain accepted($fcm, $job);
    my @log = grep { m{/messages:send} } $fcm->front_log;
    my %conns = map { (split ' ')[3] => 1 } @log;
    cmp_ok(scalar keys %conns, '>=', 4, 'streams: 20 in flight, 5 streams a connection:'
           . ' at least 4 connections') or diag explain \%conns;
    cmp_ok(scalar keys %conns, '<=', 8, '... 8 at most');
    is(scalar(grep { !m{^HTTP/2\.0 200 } } @log), 0, 'streams: all on HTTP/2, all 200');
    finish($fcm, $d);
}

# --- 6. by name
{
    my ($fcm, $d) = stack('name', localhost => 1);
    my $job = new_job();
    enqueue($job);
    ok(wait_until(30, sub { all_once(accepted($fcm, $job)) }),
       'name: every user has exactly one message')
        or diag explain accepted($fcm, $job);
    my @log = grep { m{/messages:send} } $fcm->front_log;
    is(scalar(grep { !m{^HTTP/2\.0 200 } } @log), 0, 'name: all on HTTP/2, all 200');
    finish($fcm, $d);
}

# --- 7. a certificate that is not the trusted one: nothing sent
{
    my $other = "$dir/other.pem";
    JobScout::Fake::self_signed("$dir/other-key.pem", $other);
    my ($fcm, $d) = stack('untrusted', ca => $other, timeout => '1s');
    my $job = new_job();
    enqueue($job);
    ok(wait_until(10, sub { $d->log_text =~ /push to retry.*certificate verify failed/ }),
       'untrusted: the certificate is refused, and said so');
    is(scalar keys %{ accepted($fcm, $job) }, 0, 'untrusted: nothing reached FCM');
    is(scalar(grep { m{/messages:send} } $fcm->front_log), 0, '... nor its front');
    finish($fcm, $d);
    psql("DELETE FROM user_job_alerts WHERE job_id = '$job'");
}

psql("DELETE FROM users WHERE email LIKE 'h2-$run-%'");
psql("DELETE FROM jobs WHERE source_id IN (SELECT id FROM job_sources"
     . " WHERE source_url = 'https://example.com/mtandao')");
done_testing();
