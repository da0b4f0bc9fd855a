# jobscoutd's scheduler: due sources (active, never scraped or scraped
# longer ago than their priority's interval or their own
# scrape_interval_seconds) go on the scrape queue of their priority,
# once: a source already queued (its jobscout:scrape:pending:<id> key
# set) is not queued again by later passes.  With scrape_jitter the
# tasks wait in the delayed set, spread over the jitter, and the scraper
# runs them, clears the pending keys, and the sources are no longer due.
use strict;
use warnings;

use Test::More;
use JSON::PP;
use Time::HiRes qw(time);

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

sub clean_redis {
    redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
          'jobscout:queue:match', 'jobscout:delayed', 'jobscout:consumers',
          @{ redis('keys', 'jobscout:processing:*') },
          @{ redis('keys', 'jobscout:scrape:pending:*') });
}
clean_redis();

# Only this suite's sources may be due: the others' are pushed back.
psql("UPDATE job_sources SET last_scraped_at = now()");

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
psql("UPDATE job_sources SET last_scraped_at = now() - interval '3 hours' WHERE id = '$src{due}'");
psql("UPDATE job_sources SET last_scraped_at = now() - interval '1 hour' WHERE id = '$src{fresh}'");
psql("UPDATE job_sources SET is_active = false WHERE id = '$src{inactive}'");
psql("UPDATE job_sources SET scrape_interval_seconds = 60,"
     . " last_scraped_at = now() - interval '2 minutes' WHERE id = '$src{own}'");
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
is(queued('high'), $src{hi}, 'a never-scraped high-priority source goes on scrape:high');
is(queued('normal'), join(',', sort $src{due}, $src{own}),
   'on scrape:normal: the one scraped 3 h ago (interval 2 h) and the one past its own 60 s;'
   . ' not the fresh, inactive or orphaned ones');
ok(redis('ttl', "jobscout:scrape:pending:$src{due}") > 0, '... each marked pending, with a TTL');
my $task = decode_json(redis('lindex', 'jobscout:queue:scrape:normal', 0));
is($task->{kind}, 'scrape.source', '... the tasks are scrape.source');
is($task->{attempt}, 0, '... attempt 0');

sleep 3;
is(queued('high') . ';' . queued('normal'), "$src{hi};" . join(',', sort $src{due}, $src{own}),
   'later passes queue nothing twice');
stop_daemon();

# 2. with jitter and a scraper: spread, run, cleared, not due any more
clean_redis();
write_conf(workers => { scheduler => 1 },
           set => { scrape_jitter => '3s', scheduler_interval => '1s',
                    scrape_host_delay => '0' });
start_daemon();
ok(wait_until(10, sub { redis('zcard', 'jobscout:delayed') == 3 }),
   'with scrape_jitter the 3 tasks wait in the delayed set');
my $t0 = time * 1000;
my $delayed = redis('zrange', 'jobscout:delayed', 0, -1, 'WITHSCORES');
my %delayed = @$delayed;
my @q = sort map { decode_json($_)->{queue} } keys %delayed;
is("@q", 'jobscout:queue:scrape:high jobscout:queue:scrape:normal jobscout:queue:scrape:normal',
   '... each naming its queue');
ok(!(grep { $_ < $t0 - 2000 || $_ > $t0 + 3000 } values %delayed),
   '... due within the jitter') or diag explain \%delayed;
stop_daemon();

write_conf(workers => { scheduler => 1, scraper => 1 },
           set => { scrape_jitter => '1s', scheduler_interval => '1s',
                    scrape_host_delay => '0' });
start_daemon();
my $ids = join ',', map { "'$_'" } @src{qw(hi due own)};
ok(wait_until(20, sub { psql("SELECT count(DISTINCT source_id) FROM scrape_logs WHERE source_id IN ($ids)") == 3 }),
   'the scraper runs the 3 due sources');
ok(wait_until(5, sub { !@{ redis('keys', 'jobscout:scrape:pending:*') } }),
   '... and clears their pending keys');
sleep 3;
is(psql("SELECT count(*) FROM scrape_logs WHERE source_id IN ($ids)"), 3,
   '... which are not due again: each ran once');
is(psql("SELECT count(*) FROM scrape_logs WHERE source_id IN ('$src{fresh}', '$src{inactive}', '$src{orphan}')"), 0,
   'the others never ran');
stop_daemon();

done_testing();
