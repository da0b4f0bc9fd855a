# Error tracking from jobscoutd (issue 20 §3): with sentry_dsn and
# sentry_listen, the sentry role sends to Sentry - the local fake, which
# checks every envelope as Sentry does - a task given up (dead-lettered,
# with its role, queue, kind and id) and a worker the master saw die (its
# role, its signal) and a failing scrape (its source; three per source,
# then one a minute); hostile datagrams on the port are dropped without
# harm; a 429 from Sentry stops sending for its Retry-After; after a
# reload the new sentry role has the port.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(sleep time);

use JobScout::Api qw(redis psql);
use JobScout::FakeSentry;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $dir = tempdir(CLEANUP => 1);
my $sentry = JobScout::FakeSentry->start(dir => $dir);
my $udp = JobScout::FakeSentry::free_udp_port();

redis('del', 'jobscout:queue:match', 'jobscout:delayed', 'jobscout:dead',
      'jobscout:queue:scrape:normal', 'jobscout:queue:scrape:high');

my $d = JobScout::Jobscoutd->new(dir => $dir,
    workers => { notifier => 1, heartbeat => 1, scraper => 1 },
    directives => { sentry_dsn => $sentry->{dsn},
                    sentry_listen => "127.0.0.1:$udp",
                    sentry_release => 'jobscout@9.9.9-test',
                    scrape_host_delay => '0', scrape_timeout => '2s' });
my $master = $d->start;

sub role_pid {
    my ($role) = @_;
    for (1 .. 100) {
        for my $pid (split ' ', `pgrep -P $master`) {
            return $pid if $d->log_text =~ /worker=$role worker_pid=$pid\b/;
        }
        sleep 0.1;
    }
    return;
}

my $sentry_pid = role_pid('sentry');
ok($sentry_pid, 'the sentry role runs, implied by sentry_dsn');

# --- a task given up: the notifier takes no other kind than match.jobs
my $task = encode_json({ id => 'ab' x 16, kind => 'bogus.kind', args => {},
                         attempt => 0, enqueued_at => int(time * 1000) });
redis('lpush', 'jobscout:queue:match', $task);

my @events = $sentry->wait_events(1);
my ($e) = grep { ($_->{tags}{role} // '') eq 'notifier' } @events;
ok($e, 'a dead-lettered task reached Sentry');
$e //= {};
is($e->{tags}{task_kind}, 'bogus.kind', '... with its kind');
is($e->{tags}{queue}, 'jobscout:queue:match', '... its queue');
is($e->{extra}{task_id}, 'ab' x 16, '... its id');
is($e->{extra}{attempt}, 1, '... its attempts');
like($e->{message}{formatted}, qr/dead-lettered: not a match\.jobs task/,
     '... and why');
is($e->{platform}, 'native', '... platform native');
is($e->{release}, 'jobscout@9.9.9-test', '... the configured release');
is($e->{environment}, 'production', '... the default environment');
ok(redis('llen', 'jobscout:dead') >= 1, '... and the task is in the dead letters');

# --- a worker killed: the master reports it
$sentry->reset;
my $hb = role_pid('heartbeat');
kill 'KILL', $hb;
@events = $sentry->wait_events(1);
($e) = grep { ($_->{tags}{role} // '') eq 'heartbeat' } @events;
ok($e, 'a killed worker reached Sentry');
is($e->{extra}{exit}, 'signal 9', '... with its signal') if $e;
is($e->{level}, 'fatal', '... as fatal') if $e;

# --- a source whose board is down: five failed runs, three events
my $dead = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', Proto => 'tcp',
                                  Listen => 1) or die $!;
    my $p = $s->sockport;
    close $s;
    $p;
};
psql("INSERT INTO companies (name, slug) VALUES ('Down Ltd', 'down-136-$$')");
my $src = psql("INSERT INTO job_sources (company_id, scraper_class, source_url,"
    . " config) SELECT id, 'greenhouse', 'down', '{\"api_base\":"
    . " \"http://127.0.0.1:$dead/gh\"}' FROM companies"
    . " WHERE slug = 'down-136-$$' RETURNING id");
$sentry->reset;
sub runs { psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$src'") }
for my $i (1 .. 5) {
    my $n = runs();
    redis('lpush', 'jobscout:queue:scrape:normal', encode_json({
        id => sprintf('%032x', $i), kind => 'scrape.source',
        args => { source_id => $src }, attempt => 0,
        enqueued_at => int(time * 1000) }));
    my $end = time + 15;
    sleep 0.1 while runs() == $n && time < $end;
}
is(runs(), 5, 'five failed runs of a source whose board is down');
sleep 2;
my @scrape = grep { ($_->{tags}{scrape_source} // '') eq $src } $sentry->events;
is(scalar @scrape, 3, '... three reached Sentry: the rest wait a minute');
is($scrape[0]{tags}{role}, 'scraper', '... from the scraper') if @scrape;
is($scrape[0]{level}, 'warning', '... as warnings') if @scrape;
like($scrape[0]{message}{formatted}, qr/^scrape failed: /, '... saying why')
    if @scrape;

# --- hostile datagrams: dropped, the role unharmed
$sentry->reset;
my $sock = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$udp", Proto => 'udp')
    or die $!;
my @hostile = (
    '', 'garbage', '[1,2]', '{}', '{"source":"nginx"}',
    '{"source":"nginx","message":"m","extra":"x"}',
    '{"source":"nginx","message":"m","message":"n"}',
    '{"source":"nginx","message":"m","status":"503"}',
    '{"source":"nginx","message":"m","status":200}',
    '{"source":"nginx","message":"a\nb"}',
    qq({"source":"nginx","message":"\xff\xfe"}),
    '{"source":"nginx","message":"m","user_id":"1; DROP TABLE users"}',
    '{"source":"nginx","message":"' . ('x' x 1025) . '"}',
    '{"source":"nginx","message":"m","pad":"' . ('x' x 8000) . '"}',
    '[' x 4000,
    "\0" x 100,
);
$sock->send($_) for @hostile;
sleep 1;
$sock->send('{"source":"nginx","message":"after the hostile ones",'
            . '"route":"/probe"}');
@events = $sentry->wait_events(1);
is(scalar @events, 1, 'of ' . (@hostile + 1) . ' datagrams only the valid one was sent');
is($events[0]{message}{formatted}, 'after the hostile ones', '... this one')
    if @events;
is(role_pid('sentry'), $sentry_pid, '... by the same sentry process');
is($sentry->stats->{rejects}, 0, 'Sentry refused no envelope');

# --- a 429: nothing sent before its Retry-After
$sentry->reset;
$sentry->config(status => 429, retry_after => 4, count => 1);
$sock->send('{"source":"nginx","message":"first","route":"/a"}');
sleep 0.5;
$sock->send('{"source":"nginx","message":"second","route":"/b"}');
sleep 2;
is($sentry->stats->{requests}, 1, '429: no request during its Retry-After');
@events = $sentry->wait_events(1, 15);
is(scalar @events, 1, '... then the queued one is sent');
is($events[0]{message}{formatted}, 'second', '... the one after the 429')
    if @events;

like($d->log_text, qr/sentry rate limit, sending paused.*retry_after_s=4/,
     'the pause is logged');

# --- a reload: the new generation's role takes the port over
$sentry->reset;
kill 'HUP', $master;
my $new;
for (1 .. 100) {
    $new = role_pid('sentry');
    last if $new && $new != $sentry_pid && !JobScout::Jobscoutd::alive($sentry_pid);
    sleep 0.1;
}
isnt($new, $sentry_pid, 'after a reload another sentry process runs');
$sock->send('{"source":"nginx","message":"after the reload","route":"/c"}');
@events = $sentry->wait_events(1);
is($events[0]{message}{formatted}, 'after the reload', '... and sends')
    if @events;
unlike($d->log_text, qr/cannot listen for reports/, '... its port bound');

$d->stop;
$sentry->stop;

# what this suite left, so that no later suite meets it
psql("DELETE FROM scrape_logs WHERE source_id = '$src'");
psql("DELETE FROM job_sources WHERE id = '$src'");
psql("DELETE FROM companies WHERE slug = 'down-136-$$'");
redis('del', 'jobscout:dead', 'jobscout:delayed',
      'jobscout:queue:scrape:normal', 'jobscout:queue:match');

done_testing();
