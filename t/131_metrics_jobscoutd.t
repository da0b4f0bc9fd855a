# jobscoutd's Prometheus metrics: the master serves /metrics on
# metrics_listen (libmicrohttpd), the queues' depths read from Redis at the
# scrape, its workers' counts summed from their shared segment; promtool
# accepts the output.  t/132_prometheus.t has a real Prometheus scrape it.
use strict;
use warnings;

use Test::More;
use HTTP::Tiny;
use File::Temp qw(tempfile);
use JSON::PP ();

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $port = $ENV{TEST_JOBSCOUTD_METRICS_PORT} || 9513;
my $url = "http://127.0.0.1:$port/metrics";
my $http = HTTP::Tiny->new(timeout => 5);

sub metrics { my $r = $http->get($url); return $r->{success} ? $r->{content} : '' }

# the value of one sample, undef when absent
sub sample {
    my ($text, $name) = @_;
    return $text =~ /^\Q$name\E (\S+)$/m ? $1 : undef;
}

# a config that is refused: no name, only a numeric address
write_conf(workers => { heartbeat => 1 },
           extra => ['metrics_listen localhost:9513;']);
like(jobscoutd('-t'), qr/invalid value "localhost:9513" in "metrics_listen"/,
     'metrics_listen takes a numeric address only');

# the match queue as a test sets it: 3 ready, 2 taken by a consumer, one
# waiting for a retry, one dead; nothing here consumes it.  The mail queue
# empty (earlier suites leave tasks there): a mailer runs
my $q = 'jobscout:queue:match';
redis('del', $q, 'jobscout:queue:mail', 'jobscout:delayed', 'jobscout:dead',
      'jobscout:consumers', @{ redis('keys', 'jobscout:processing:*') });
redis('lpush', $q, task('match.jobs', job_ids => [$_])) for 1 .. 3;
redis('hset', 'jobscout:consumers', 'metrics-test:1', $q);
redis('set', 'jobscoutd:heartbeat:metrics-test:1', '{}', 'EX', 120);
redis('lpush', 'jobscout:processing:metrics-test:1', task('match.jobs')) for 1 .. 2;
(my $failed = task('match.jobs')) =~ s/\}$/,"queue":"$q","error":"x"}/;
redis('zadd', 'jobscout:delayed', int(time * 1000) + 3_600_000, $failed);
redis('lpush', 'jobscout:dead', $failed);

# the mailer's SMTP server (smtp://127.0.0.1:9) refuses: retries wait an hour
write_conf(workers => { heartbeat => 1, mailer => 1 },
           set => { metrics_listen => "127.0.0.1:$port",
                    mail_backoff => '1h 2h' });
my $master = start_daemon();

ok(wait_until(5, sub { metrics() ne '' }), 'the master serves /metrics');
my $r = $http->get($url);
is($r->{status}, 200, '... 200');
is($r->{headers}{'content-type'}, 'text/plain; version=0.0.4; charset=utf-8',
   '... in the text exposition format');
my $text = $r->{content};
is(sample($text, 'jobscoutd_queue_readable'), 1, 'the queues were read from Redis');
is(sample($text, qq{jobscoutd_queue_tasks{queue="match",state="$_->[0]"}}), $_->[1],
   "match: $_->[1] $_->[0]")
    for [ready => 3], [processing => 2], [delayed => 1], [dead => 1];
is(sample($text, 'jobscoutd_queue_tasks{queue="mail",state="ready"}'), 0,
   'mail: none ready');
is(sample($text, 'jobscoutd_worker_restarts_total{role="heartbeat"}'), 0,
   'no worker restarted');
like($text, qr/^jobscoutd_scrape_duration_seconds_bucket\{adapter="greenhouse",le="\+Inf"\} 0$/m,
     'a duration histogram per adapter');
like($text, qr/^jobscoutd_push_latency_seconds_bucket\{le="1"\} 0$/m,
     'the commit -> push latency histogram');

my ($fh, $file) = tempfile(UNLINK => 1);
print $fh $text;
close $fh;
my $lint = `promtool check metrics < $file 2>&1`;
is($?, 0, 'promtool check metrics accepts it') or diag $lint;

# a mail the SMTP server refuses: a failed delivery, a task retried
my $id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
redis('lpush', 'jobscout:queue:mail', JSON::PP::encode_json({
    id => $id, kind => 'mail.verify_email', attempt => 0,
    enqueued_at => int(time * 1000),
    args => { to => "metrics$$\@example.com", name => 'M', token => 'ab' x 32 } }));
ok(wait_until(15, sub {
       (sample(metrics(), 'jobscoutd_tasks_total{role="mailer",outcome="retried"}') // 0) == 1 }),
   'the mailer\'s task retried, counted');
$text = metrics();
is(sample($text, 'jobscoutd_mails_total{outcome="failed"}'), 1, '... a failed delivery');
is(sample($text, 'jobscoutd_mails_total{outcome="sent"}'), 0, '... none sent');
is(sample($text, 'jobscoutd_queue_tasks{queue="mail",state="delayed"}'), 1,
   '... the task waiting for its retry');

# a worker killed is respawned and counted, by role
my ($mailer) = children('jobscout:queue:mail');
ok($mailer, 'the mailer') and kill 'KILL', $mailer;
ok(wait_until(10, sub {
       (sample(metrics(), 'jobscoutd_worker_restarts_total{role="mailer"}') // 0) == 1 }),
   'its restart is counted');
is(sample(metrics(), 'jobscoutd_worker_restarts_total{role="heartbeat"}'), 0,
   '... under its role only');

is($http->post($url)->{status}, 405, 'a POST: 405');
is($http->get("http://127.0.0.1:$port/")->{status}, 404, 'another path: 404');

# Redis away: the depths are left out, said so, within the timeout
redis('config', 'set', 'requirepass', 'metrics-test');
my $t0 = time;
$text = metrics();
redis('auth', 'metrics-test');
redis('config', 'set', 'requirepass', '');
is(sample($text, 'jobscoutd_queue_readable'), 0, 'Redis refusing: the depths unread');
unlike($text, qr/jobscoutd_queue_tasks\{/, '... and left out');
ok(time - $t0 <= 3, '... the scrape still answered');

stop_daemon();
ok(!$http->get($url)->{success}, 'the master gone, nothing listens');

redis('del', $q, 'jobscout:delayed', 'jobscout:dead', 'jobscout:consumers',
      'jobscoutd:heartbeat:metrics-test:1', 'jobscout:processing:metrics-test:1');
unlike(log_text(), qr/AddressSanitizer|runtime error/, 'no sanitizer report');
done_testing();
