#!/usr/bin/perl
# make bench, scrape part: 200 greenhouse sources of 50 jobs each, every
# one on its own host name (sNNN.localhost: libcurl resolves *.localhost
# to 127.0.0.1, so the per-host delay does not serialize them), served by
# the fixture board; jobscoutd with its shipped scraper count runs them
# all from the queue.  Prints the wall time, the jobs stored per second
# and the peak RSS of each scraper process.
#
# Called by conf/stack.sh bench with JOBSCOUTD, PG_CONNINFO and
# REDIS_ADDR set and PostgreSQL/Redis running (the bench database).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/..";
use lib "$FindBin::Bin/../lib";
use JSON::PP;
use Time::HiRes qw(time sleep);

BEGIN {
    $ENV{TEST_NGINX_PG} = $ENV{PG_CONNINFO};
    $ENV{TEST_NGINX_REDIS} = $ENV{REDIS_ADDR};
    $ENV{TEST_JOBSCOUT_ROOT} = "$FindBin::Bin/../..";
    ($ENV{TEST_JOBSCOUT_BUILD} = $ENV{JOBSCOUTD}) =~ s{/jobscoutd\z}{};
}
use JobScout::Scrape;

my $SOURCES = $ENV{BENCH_SOURCES} || 200;
my $JOBS = $ENV{BENCH_JOBS} || 50;

my $json = JSON::PP->new->utf8->canonical;
my $fixture = $json->decode(do { local $/; open my $fh, '<', "$root/t/fixtures/greenhouse/jobs.json" or die $!; <$fh> });
my $model = $fixture->{jobs}[0];

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal', 'jobscout:queue:match',
      @{ redis('keys', 'jobscout:robots:*') }, @{ redis('keys', 'jobscout:host:next:*') });

start_board();
my $port = (board_url() =~ /:(\d+)\z/)[0];
my (%routes, @src);
for my $s (1 .. $SOURCES) {
    my @jobs = map {
        my $id = $s * 1000 + $_;
        +{ %$model, id => $id, title => "Engineer $id, team $s",
          absolute_url => "https://boards.greenhouse.io/bench$s/jobs/$id",
          content => "&lt;p&gt;Job $id of board $s: build services in Go and PostgreSQL, "
                   . "number $_ of $JOBS.&lt;/p&gt;" }
    } 1 .. $JOBS;
    open my $fh, '>', "$dir/board/b$s.json" or die $!;
    print $fh $json->encode({ jobs => \@jobs, meta => { total => $JOBS } });
    close $fh;
    $routes{"/gh/v1/boards/bench$s/jobs"} = { file => "$dir/board/b$s.json" };
    push @src, add_source(name => "Bench $s", slug => "bench-$s", class => 'greenhouse',
                          url => "bench$s", config => { api_base => "http://s$s.localhost:$port/gh" });
}
board_routes(\%routes);
my $ids = join ',', map { "'$_'" } @src;
psql("DELETE FROM scrape_logs WHERE source_id IN ($ids)");

write_conf(workers => { scraper => 2 }, set => { scrape_jitter => '0' });
start_daemon();
wait_until(10, sub { children('jobscout:queue:scrape:normal') == 2 }) or die 'no scrapers';
my @pids = children('jobscout:queue:scrape:normal');

my $t0 = time;
lpush_scrape($_) for @src;
wait_until(600, sub { psql("SELECT count(*) FROM scrape_logs WHERE source_id IN ($ids)") == $SOURCES })
    or die 'bench: not every source ran';
my $wall = time - $t0;

my $stored = psql("SELECT count(*) FROM jobs WHERE source_id IN ($ids)");
my $failed = psql("SELECT count(*) FROM scrape_logs WHERE source_id IN ($ids) AND status <> 'success'");
my @rss = map { (`cat /proc/$_/status` =~ /^VmHWM:\s+(\d+)/m)[0] // 0 } @pids;
stop_daemon();
print log_text() if $ENV{BENCH_LOG};

printf "\nscrape: %d sources x %d jobs on %d hosts, %d scraper processes\n",
    $SOURCES, $JOBS, $SOURCES, scalar @pids;
printf "%-16s %12.2f s\n", 'wall time', $wall;
printf "%-16s %12d (%d failed runs)\n", 'jobs stored', $stored, $failed;
printf "%-16s %12.0f jobs/s\n", 'throughput', $stored / $wall;
printf "%-16s %12s kB  (VmHWM per scraper process)\n", 'peak RSS', join(' ', @rss);
exit($stored == $SOURCES * $JOBS && !$failed ? 0 : 1);
