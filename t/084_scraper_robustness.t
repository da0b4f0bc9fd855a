# The scraper under the master's signals: HUP applies a changed scraper
# count; a scraper killed (-9) in the middle of a run leaves its task in
# its processing list, from where the reaper puts it back and another
# scraper runs it, storing nothing twice; QUIT lets a run in flight
# finish and be acked before the master exits.
use strict;
use warnings;

use Test::More;
use JSON::PP;

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $normal = 'jobscout:queue:scrape:normal';
redis('del', 'jobscout:queue:scrape:high', $normal, 'jobscout:queue:match',
      'jobscout:consumers', @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');

start_board();
my %src;
for my $name (qw(killed quit)) {
    $src{$name} = add_source(name => "Robust $name", slug => "robust-084-$name",
                             class => 'greenhouse', url => $name,
                             config => { api_base => board_url() . '/gh' });
}
sub route { my ($delay) = @_;
    board_routes({ map { ("/gh/v1/boards/$_/jobs" => { file => 'greenhouse/jobs.json', delay => $delay }) }
                   qw(killed quit) });
}
route(0);

sub logs { return psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$_[0]'") }
sub in_flight { my ($name) = @_; return grep { $_->{path} =~ m{/boards/$name/} } board_requests() }

# 1. HUP applies a changed scraper count
write_conf(workers => { scraper => 1 }, set => { scrape_host_delay => '0' });
my $master = start_daemon();
ok(wait_until(10, sub { children($normal) == 1 }), 'one scraper');
write_conf(workers => { scraper => 3 }, set => { scrape_host_delay => '0' });
jobscoutd('-s', 'reload');
ok(wait_until(15, sub { children($normal) == 3 }), 'HUP with "workers scraper 3": three scrapers');
write_conf(workers => { scraper => 2 }, set => { scrape_host_delay => '0' });
jobscoutd('-s', 'reload');
ok(wait_until(15, sub { children($normal) == 2 }), 'HUP with "workers scraper 2": two');

# 2. kill -9 in the middle of a run
route(3);
lpush_scrape($src{killed});
ok(wait_until(10, sub { in_flight('killed') }), 'a run is fetching a slow board');
my ($victim) = grep { redis('llen', "jobscout:processing:$_") > 0 }
               keys %{ { @{ redis('hgetall', 'jobscout:consumers') } } };
ok($victim, "... its task is in $victim\'s processing list") or diag explain redis('hgetall', 'jobscout:consumers');
my ($pid) = ($victim // '') =~ /:(\d+)\z/;
kill 'KILL', $pid if $pid;
route(0);
ok(wait_until(40, sub { logs($src{killed}) >= 1 }),
   '... killed: the reaper requeues the task and another scraper runs it');
sleep 1;
is(logs($src{killed}), 1, '... one run stored (the killed one stored nothing)');
is(psql("SELECT count(*) || '|' || count(DISTINCT external_id) FROM jobs WHERE source_id = '$src{killed}'"),
   '4|4', '... its 4 jobs, once each');
my @ids = map { @{ $_->{args}{job_ids} } } match_tasks();
is(scalar @ids, 4, '... and queued for matching once');
ok(wait_until(10, sub { children($normal) == 2 }), 'the master respawned the killed scraper');

# 3. QUIT finishes the run in flight
route(2);
lpush_scrape($src{quit});
ok(wait_until(10, sub { in_flight('quit') }), 'a run is fetching a slow board');
jobscoutd('-s', 'quit');
ok(wait_until(20, sub { !alive($master) }), 'QUIT: the master exits');
is(logs($src{quit}), 1, '... after the run in flight was stored');
is(psql("SELECT status FROM scrape_logs WHERE source_id = '$src{quit}'"), 'success', '... successfully');
is(redis('llen', $normal) + (grep { redis('llen', $_) } @{ redis('keys', 'jobscout:processing:*') }), 0,
   '... and acked: nothing queued or in a processing list');

done_testing();
