# The scraper's politeness: robots.txt is fetched once per origin and
# cached in Redis (24 h), its group for JobScout obeyed (a disallowed
# board is never requested, the run fails "blocked by robots.txt"); a
# 5xx robots.txt disallows all (cached shorter), a 404 allows all; and
# with two scraper processes, requests to one host (robots.txt included)
# stay at least scrape_host_delay apart, or the gap of the host's
# scrape_host_budget where one is set, and never closer than the
# robots.txt Crawl-delay.
use strict;
use warnings;

use Test::More;
use Time::HiRes qw(time);

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:consumers', @{ redis('keys', 'jobscout:processing:*') });

start_board();
my $robots_key = 'jobscout:robots:' . board_url();
redis('del', $robots_key);

open my $fh, '>', "$dir/board/robots.txt" or die $!;
print $fh "User-agent: *\nDisallow: /\n\n"
        . "User-agent: JobScout\nAllow: /gh/\nDisallow: /gh/v1/boards/blocked\n";
close $fh;

my (%src, %routes);
for my $name (qw(blocked open p1 p2 p3 p4 p5 p6)) {
    $routes{"/gh/v1/boards/$name/jobs"} = { file => 'greenhouse/jobs.json' };
    $src{$name} = add_source(name => "Polite $name", slug => "polite-082-$name",
                             class => 'greenhouse', url => $name,
                             config => { api_base => board_url() . '/gh' });
}
my %with_robots = (%routes, '/robots.txt' => { file => "$dir/board/robots.txt", type => 'text/plain' });
board_routes(\%with_robots);

sub logs { return psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$_[0]'") }

sub run_once {
    my ($name) = @_;
    my $n = logs($src{$name});
    lpush_scrape($src{$name});
    wait_until(15, sub { logs($src{$name}) > $n }) or return 'no run';
    return psql("SELECT concat_ws('|', status, error_message) FROM scrape_logs"
                . " WHERE source_id = '$src{$name}' ORDER BY started_at DESC LIMIT 1");
}

sub requests_to { my ($re) = @_; return scalar grep { $_->{path} =~ $re } board_requests() }

write_conf(workers => { scraper => 1 }, set => { scrape_host_delay => '0' });
start_daemon();

# 1. robots.txt obeyed, fetched once, cached
like(run_once('blocked'), qr{^failed\|blocked by robots\.txt: http://127\.0\.0\.1:\d+/gh/v1/boards/blocked/jobs},
     'a board robots.txt disallows for JobScout: the run fails, blocked');
is(requests_to(qr{/boards/blocked/}), 0, '... the board was never requested');
is(run_once('open'), 'success', 'an allowed board (our group wins over "*") runs');
is(requests_to(qr{^/robots\.txt$}), 1, 'robots.txt was fetched once for both');
cmp_ok(redis('pttl', $robots_key), '>', 23 * 3600 * 1000, '... and cached in Redis for 24 h');
like(redis('get', $robots_key), qr{^A/gh/\nD/gh/v1/boards/blocked\n\z},
     '... as the rules of our group');

# 2. a 5xx robots.txt disallows everything, a 404 allows everything
redis('del', $robots_key);
board_routes({ %routes, '/robots.txt' => { status => 503 } });
like(run_once('open'), qr/^failed\|blocked by robots\.txt/, 'robots.txt 503: all disallowed');
my $pttl = redis('pttl', $robots_key);
ok($pttl > 0 && $pttl <= 2.4 * 3600 * 1000, "... cached for a tenth of the TTL ($pttl ms)");
redis('del', $robots_key);
board_routes(\%routes);
is(run_once('open'), 'success', 'robots.txt 404: all allowed');
is(redis('get', $robots_key), '', '... cached as no rules');
stop_daemon();

# 3. the per-host delay holds across two scraper processes
redis('del', $robots_key);
board_routes(\%with_robots);
write_conf(workers => { scraper => 2 },
           set => { scrape_host_delay => '700ms', scrape_concurrency => 2 });
start_daemon();
ok(wait_until(10, sub { children('jobscout:queue:scrape:normal') == 2 }), 'two scrapers consume');
my $since = time;
my @p = map { "p$_" } 1 .. 6;
lpush_scrape($src{$_}) for @p;
ok(wait_until(30, sub { !grep { logs($src{$_}) == 0 } @p }), 'six sources of one host all run');
my @r = grep { $_->{t} >= $since } board_requests();
my @t = sort { $a <=> $b } map { $_->{t} } @r;
is(scalar(grep { $_->{path} =~ m{^/gh/} } @r), 6, '... one page request each') or diag explain \@r;
is(scalar(grep { $_->{path} eq '/robots.txt' } @r), 1,
   '... robots.txt once for all (the first fetcher holds a lock, the others wait for its rules)');
# Arrival times at a loaded board are noisy: no two requests together, and
# 7 requests spread over at least 6 delays.
my @gaps = map { $t[$_] - $t[$_ - 1] } 1 .. $#t;
my ($min) = sort { $a <=> $b } @gaps;
cmp_ok($min, '>=', 0.35, sprintf('... never two at once (smallest gap %.3f s, delay 0.7 s)', $min));
cmp_ok($t[-1] - $t[0], '>=', 6 * 0.7 - 0.3,
       sprintf('... spread over 6 delays (%.3f s)', $t[-1] - $t[0]));
my %pids = map { /\b(\d+) .*scrape done/ ? ($1 => 1) : () } grep { /scrape done/ } split /\n/, log_text();
cmp_ok(scalar keys %pids, '>=', 2, '... shared by both processes');
is(join(',', map { psql("SELECT status FROM scrape_logs WHERE source_id = '$src{$_}'") } @p),
   join(',', ('success') x 6), '... all successful');
stop_daemon();

# The requests of six runs of the host's sources, queued at once, across
# two scraper processes: [arrival times], the smallest gap, the span.
sub six_runs {
    my $since = time;
    my %n = map { $_ => logs($src{$_}) } @p;
    lpush_scrape($src{$_}) for @p;
    wait_until(40, sub { !grep { logs($src{$_}) == $n{$_} } @p }) or return;
    my @t = sort { $a <=> $b } map { $_->{t} } grep { $_->{t} >= $since } board_requests();
    my ($min) = sort { $a <=> $b } map { $t[$_] - $t[$_ - 1] } 1 .. $#t;
    return (\@t, $min, $t[-1] - $t[0]);
}

# 4. a host budget replaces scrape_host_delay for its host, shared by
# both processes: 100/m is a request every 0.6 s, not every 5 s
redis('del', $robots_key, @{ redis('keys', 'jobscout:host:next:*') });
write_conf(workers => { scraper => 2 },
           set => { scrape_host_delay => '5s', scrape_concurrency => 2 },
           extra => ['scrape_host_budget 127.0.0.1 100/m;']);
start_daemon();
ok(wait_until(10, sub { children('jobscout:queue:scrape:normal') == 2 }), 'two scrapers, a host budget');
my ($t, $span);
($t, $min, $span) = six_runs();
ok($t, 'six sources of the budgeted host all run') or diag explain [board_requests()];
is(scalar @$t, 7, '... 7 requests: robots.txt and a page each');
cmp_ok($min, '>=', 0.3, sprintf('... never two at once (smallest gap %.3f s, budget gap 0.6 s)', $min));
cmp_ok($span, '>=', 6 * 0.6 - 0.3, sprintf('... spread over 6 budget gaps (%.3f s)', $span));
cmp_ok($span, '<', 6 * 5, sprintf('... far sooner than 6 host delays of 5 s (%.3f s)', $span));
stop_daemon();

# 5. a robots.txt Crawl-delay longer than the budget's gap wins
redis('del', $robots_key, @{ redis('keys', 'jobscout:host:next:*') });
open $fh, '>', "$dir/board/robots.txt" or die $!;
print $fh "User-agent: *\nCrawl-delay: 1.5\nAllow: /\n";
close $fh;
board_routes(\%with_robots);
start_daemon();
($t, $min, $span) = six_runs();
ok($t, 'with Crawl-delay: 1.5, the six sources run') or diag explain [board_requests()];
like(redis('get', $robots_key), qr/^C1500\n/m, '... the delay cached with the rules');
# the robots.txt fetch precedes the rules, but the first page waits for
# the crawl delay from it: each request is checked as it is sent
my @pages = @$t[1 .. $#$t];
cmp_ok($min, '>=', 1.2, sprintf('... no request closer than the crawl delay to the one'
       . ' before, robots.txt included (smallest gap %.3f s)', $min));
cmp_ok($pages[-1] - $pages[0], '>=', 5 * 1.5 - 0.3,
       sprintf('... spread over 5 crawl delays (%.3f s)', $pages[-1] - $pages[0]));
stop_daemon();

done_testing();
