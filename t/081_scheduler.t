# jobscoutd's scheduler and adaptive polling (workers/lib/polling.h).
#
# Due: active sources whose next_check_at has passed or was never set go
# on the scrape queue of their priority, once (a source already queued,
# its jobscout:scrape:pending:<id> key set, is not queued again).  A
# never-polled source waits a random delay up to scrape_jitter.  Per
# host, no more runs are queued than the host can serve before the next
# pass (its scrape_host_budget, else scrape_host_delay), high priority
# first, then the sources most likely to hold a change.  After each run
# the scraper records what the poll saw (changed, unchanged, 304,
# failed; bytes) and sets the next check between the floor and the
# ceiling of the priority: a change brings it back to the floor, quiet
# polls double it up to the ceiling; an interval set on the source wins.
use strict;
use warnings;

use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use File::Temp qw(tempdir);

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

sub clean_redis {
    redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
          'jobscout:queue:match', 'jobscout:delayed', 'jobscout:consumers',
          @{ redis('keys', 'jobscout:processing:*') },
          @{ redis('keys', 'jobscout:scrape:pending:*') },
          @{ redis('keys', 'jobscout:host:next:*') });
}
clean_redis();

# Only this suite's sources may be due: the others' are pushed back.
sub park_others { psql("UPDATE job_sources SET next_check_at = now() + interval '1 day'") }
park_others();

start_board();
my %src;
my %routes;
for my $name (qw(hi due fresh inactive own orphan)) {
    $routes{"/gh/v1/boards/$name/jobs"} = { file => 'greenhouse/jobs.json' };
    $src{$name} = add_source(name => "Sched $name", slug => "sched-081-$name",
                             class => 'greenhouse', url => $name,
                             config => { api_base => board_url() . '/gh' },
                             priority => $name eq 'hi' ? 'high' : 'normal');
}
board_routes(\%routes);
psql("UPDATE job_sources SET next_check_at = now() - interval '1 minute',"
     . " last_scraped_at = now() - interval '3 hours' WHERE id = '$src{due}'");
psql("UPDATE job_sources SET next_check_at = now() + interval '1 hour' WHERE id = '$src{fresh}'");
psql("UPDATE job_sources SET is_active = false WHERE id = '$src{inactive}'");
# (setting the interval makes the source due at once: then a past check)
psql("UPDATE job_sources SET scrape_interval_seconds = 60 WHERE id = '$src{own}'");
psql("UPDATE job_sources SET next_check_at = now() - interval '1 second' WHERE id = '$src{own}'");
psql("UPDATE companies SET is_active = false WHERE slug = 'sched-081-orphan'");

sub queued {
    my ($queue) = @_;
    return join ',', sort map { decode_json($_)->{args}{source_id} }
        @{ redis('lrange', "jobscout:queue:scrape:$queue", 0, -1) };
}

# 1. the scheduler alone, no jitter
write_conf(workers => { scheduler => 1 },
           set => { scrape_jitter => '0', scheduler_interval => '1s' });
my $out = jobscoutd('-t');
is($? >> 8, 0, '-t accepts the scheduler configuration') or diag $out;
start_daemon();

ok(wait_until(10, sub { queued('normal') =~ /,/ }), 'the scheduler queues sources');
is(queued('high'), $src{hi}, 'a never-polled high-priority source goes on scrape:high');
is(queued('normal'), join(',', sort $src{due}, $src{own}),
   'on scrape:normal: the ones whose next check has passed;'
   . ' not the one due in an hour, the inactive or the orphaned one');
ok(redis('ttl', "jobscout:scrape:pending:$src{due}") > 0, '... each marked pending, with a TTL');
my $task = decode_json(redis('lindex', 'jobscout:queue:scrape:normal', 0));
is($task->{kind}, 'scrape.source', '... the tasks are scrape.source');
is($task->{attempt}, 0, '... attempt 0');

sleep 3;
is(queued('high') . ';' . queued('normal'), "$src{hi};" . join(',', sort $src{due}, $src{own}),
   'later passes queue nothing twice');
stop_daemon();

# 2. with jitter: a never-polled source waits in the delayed set, the
# polled ones go straight to their queue
clean_redis();
write_conf(workers => { scheduler => 1 },
           set => { scrape_jitter => '3s', scheduler_interval => '1s' });
start_daemon();
ok(wait_until(10, sub { queued('normal') =~ /,/ && redis('zcard', 'jobscout:delayed') == 1 }),
   'with scrape_jitter the never-polled source waits in the delayed set')
    or diag explain redis('zrange', 'jobscout:delayed', 0, -1);
my $t0 = time * 1000;
my %delayed = @{ redis('zrange', 'jobscout:delayed', 0, -1, 'WITHSCORES') };
my ($first) = keys %delayed;
is(decode_json($first)->{args}{source_id}, $src{hi}, '... the never-polled one');
ok($delayed{$first} >= $t0 - 2000 && $delayed{$first} <= $t0 + 3000, '... due within the jitter');
is(queued('normal'), join(',', sort $src{due}, $src{own}), '... the polled ones queued at once');
stop_daemon();
clean_redis();

# 3. host budgets: per pass, no more runs than the host can serve before
# the next one, those already queued counted; high priority first, then
# the likeliest to hold a change
psql("UPDATE job_sources SET next_check_at = now() + interval '1 day'");
my %b;
for my $name (qw(b1 b2 b3 b4 b5 c1 c2)) {
    my $host = $name =~ /^b/ ? 'budget-081.localhost' : 'plain-081.localhost';
    $b{$name} = add_source(name => "Budget $name", slug => "budget-081-$name",
                           class => 'greenhouse', url => "http://$host/$name",
                           priority => $name eq 'b1' ? 'high' : 'normal');
}
my $ids = join ',', map { "'$_'" } values %b;
# b3 and b5 change often; b5 was polled longest ago
psql("UPDATE job_sources SET next_check_at = now() - interval '1 second',"
     . " last_scraped_at = now() - interval '10 minutes',"
     . " poll_changes = 0, poll_hours = 48 WHERE id IN ($ids)");
psql("UPDATE job_sources SET poll_changes = 50, poll_hours = 10 WHERE id IN ('$b{b3}', '$b{b5}')");
psql("UPDATE job_sources SET last_scraped_at = now() - interval '1 hour' WHERE id = '$b{b5}'");

write_conf(workers => { scheduler => 1 },
           set => { scrape_jitter => '0', scheduler_interval => '1s',
                    scrape_host_delay => '6s' },
           extra => ['scrape_host_budget budget-081.localhost 120/m;']);
$out = jobscoutd('-t');
is($? >> 8, 0, '-t accepts scrape_host_budget') or diag $out;
start_daemon();
ok(wait_until(10, sub { queued('normal') ne '' }), 'the budgeted sources are queued');
sleep 3.5;
is(queued('high') . ';' . queued('normal'),
   join(';', $b{b1}, join(',', sort $b{b5}, $b{c1} lt $b{c2} ? $b{c1} : $b{c2})),
   'budget 120/m, a pass a second: 2 runs for budget-081 (the high one, then'
   . ' the busiest polled longest ago), 1 for a host at 6 s; later passes add'
   . ' none while they wait');
like(log_text(), qr/sources queued.*held_by_host_budget=\d/, 'the log says how many the budgets held');
stop_daemon();
clean_redis();
psql("UPDATE job_sources SET is_active = false WHERE id IN ($ids)");

# 4. polling adapts: a scraper runs the source; after a change the next
# check is the floor, each quiet poll doubles it up to the ceiling, and
# every poll says what it saw
park_others();
my $dir = tempdir(CLEANUP => 1);
my $jobs = do { local $/; open my $fh, '<', 't/fixtures/greenhouse/jobs.json' or die $!; <$fh> };
my $adapt = add_source(name => 'Adapt', slug => 'sched-081-adapt', class => 'greenhouse',
                       url => 'adapt', config => { api_base => board_url() . '/gh' });
$routes{'/gh/v1/boards/adapt/jobs'} = { file => 'greenhouse/jobs.json' };
board_routes(\%routes);

write_conf(workers => { scheduler => 1, scraper => 1 },
           set => { scrape_jitter => '0', scheduler_interval => '500ms',
                    scrape_host_delay => '0', scrape_poll_normal => '2s 8s' });
start_daemon();

sub polls {
    return map { [split /\|/] } split /\n/, psql(
        "SELECT outcome, bytes, extract(epoch FROM started_at)"
        . " FROM scrape_logs WHERE source_id = '$adapt' ORDER BY started_at");
}
ok(wait_until(40, sub { my @p = polls(); @p >= 6 }), 'the source is polled again and again')
    or diag explain [polls()];
my @p = polls();
is($p[0][0], 'changed', 'the first poll finds jobs: changed');
ok($p[0][1] > 1000, "... and says the bytes it read ($p[0][1])");
is(join(',', map { $_->[0] } @p[1 .. 5]), join(',', ('not_modified') x 5),
   'then 304s: not_modified');
is(join(',', map { $_->[1] } @p[1 .. 5]), '0,0,0,0,0', '... no bytes read');
my @gap = map { $p[$_][2] - $p[$_ - 1][2] } 1 .. 5;
my $shape = join ',', map { sprintf '%.0f', $_ } @gap;
ok($gap[0] >= 1.7 && $gap[0] < 3.5, "after a change: the floor of 2 s ($shape)");
ok($gap[1] >= 3.5 && $gap[1] < 5.5, "... then doubled: 4 s ($shape)");
ok((!grep { $_ > 9.5 } @gap) && $gap[2] >= 7, "... then the ceiling of 8 s, never above ($shape)");
my ($next, $why, $host) = split /\|/, psql(
    "SELECT extract(epoch FROM next_check_at - now()), next_check_reason, fetch_host"
    . " FROM job_sources WHERE id = '$adapt'");
ok($next > -1 && $next <= 8.8, "the next check is at most the ceiling away ($next)");
like($why, qr/ceiling of 8s/, "... and says why: $why");
is($host, '127.0.0.1', 'the host it fetches is recorded');

# the board changes: back to the floor
(my $changed = $jobs) =~ s/"title":\s*"([^"]*)"/"title": "$1 (Senior)"/;
open my $fh, '>', "$dir/jobs.json" or die $!;
print $fh $changed;
close $fh;
my $n = @p = polls();
$routes{'/gh/v1/boards/adapt/jobs'} = { file => "$dir/jobs.json" };
board_routes(\%routes);
ok(wait_until(20, sub { @p = polls(); @p >= $n + 2 && $p[-2][0] eq 'changed' }),
   'the board changes: the poll says changed') or diag explain \@p;
my $gap = $p[-1][2] - $p[-2][2];
ok($gap < 3.5, sprintf('... and the next poll comes after the floor (%.1f s)', $gap));
like(psql("SELECT next_check_reason FROM job_sources WHERE id = '$adapt'"),
     qr/changed|floor/, '... the reason follows');
like(log_text(), qr/scrape done.*outcome=changed.*next_check_s=\d+.*why=/,
     'the log line says what the poll saw and when the next check is');
stop_daemon();

# 5. an interval set on the source wins over the estimate
clean_redis();
psql("UPDATE job_sources SET scrape_interval_seconds = 3 WHERE id = '$adapt'");
start_daemon();
$n = @p = polls();
ok(wait_until(15, sub { @p = polls(); @p >= $n + 3 }), 'the pinned source is polled');
@gap = map { $p[$_][2] - $p[$_ - 1][2] } $n + 1 .. $#p;
ok(!(grep { $_ < 2.8 || $_ > 4.5 } @gap), 'every 3 s, as set ('
   . join(',', map { sprintf '%.1f', $_ } @gap) . ')');
like(psql("SELECT next_check_reason FROM job_sources WHERE id = '$adapt'"),
     qr/^set on the source: every 3s/, '... and says so');
stop_daemon();
psql("UPDATE job_sources SET is_active = false WHERE id = '$adapt'");

done_testing();
