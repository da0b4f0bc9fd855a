# jobscoutd's scraper against a fixture job board (t/lib/fixture_http.py
# serving t/fixtures/ in each provider's real format): a scrape task
# stores the source's jobs, one scrape_logs row and one match task with
# the new jobs' ids; the next run sends If-None-Match (304: nothing
# changes); a run without validators stores no duplicate and queues no
# match; a changed job is updated in place; a job missing from 3
# successful runs expires and comes back when listed again; 500 makes
# the source degraded, three in a row failing, a success healthy again;
# a 404 and a body slower than scrape_timeout are failed runs; an
# aggregator's jobs belong to their hiring companies.  Every run's
# scrape_logs row says how many pages it fetched, the last HTTP status,
# the jobs updated and expired, and what triggered it; a config the
# adapter catalogue refuses fails the run without a fetch.
use strict;
use warnings;

use Test::More;
use JSON::PP;

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $json = JSON::PP->new->canonical;
my $gh_path = '/gh/v1/boards/acme/jobs';

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');

start_board();
board_routes({ $gh_path => { file => 'greenhouse/jobs.json', gzip => 1 } });

my $src = add_source(name => 'Acme Kenya', slug => 'acme-kenya-080',
                     class => 'greenhouse', url => 'acme',
                     config => { api_base => board_url() . '/gh' });
like($src, qr/^[0-9a-f-]{36}\z/, 'a greenhouse source pointing at the fixture board');

write_conf(workers => { scraper => 1 },
           set => { scrape_timeout => '2s', scrape_host_delay => '0' });
my $out = jobscoutd('-t');
is($? >> 8, 0, '-t accepts the scraper configuration') or diag $out;
start_daemon();

sub logs { return psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$src'") }

# one run of the source, to its scrape_logs row: "status|found|new|error"
sub run_once {
    my $n = logs();
    lpush_scrape($src);
    wait_until(10, sub { logs() > $n }) or return 'no run';
    return psql("SELECT concat_ws('|', status, jobs_found, new_jobs, error_message)"
                . " FROM scrape_logs WHERE source_id = '$src'"
                . " ORDER BY started_at DESC LIMIT 1");
}

# the same without validators: the board answers 200, not 304
sub run_full {
    psql("UPDATE job_sources SET etag = NULL, last_modified = NULL WHERE id = '$src'");
    return run_once();
}

sub jobs {
    return psql("SELECT string_agg(concat_ws('|', external_id, is_active, missed_scrapes),"
                . " ',' ORDER BY external_id) FROM jobs WHERE source_id = '$src'");
}

# the rest of the last run's row: "pages|http_status|updated|expired|duplicates|trigger"
sub facts {
    return psql("SELECT concat_ws('|', pages, coalesce(http_status::text, '-'), updated_jobs,"
                . " expired_jobs, duplicate_jobs, trigger)"
                . " FROM scrape_logs WHERE source_id = '$src'"
                . " ORDER BY started_at DESC LIMIT 1");
}

sub health {
    return psql("SELECT concat_ws('|', health_status, consecutive_failures)"
                . " FROM job_sources WHERE id = '$src'");
}


# 1. the first run
is(run_once(), 'success|4|4', 'first run: 4 jobs found, 4 new');
is(jobs(), '4012345|t|0,4012346|t|0,4012347|t|0,4012349|t|0',
   '... stored by external id (the fixture\'s 2 invalid jobs skipped)');
is(psql("SELECT title FROM jobs WHERE source_id = '$src' AND external_id = '4012345'"),
   'Senior Backend Engineer (Go)', '... with their titles');
my @m = match_tasks();
is(scalar @m, 1, '... one match task queued');
is($m[0]{kind}, 'match.jobs', '... of kind match.jobs');
is(join(',', sort @{ $m[0]{args}{job_ids} || [] }),
   psql("SELECT string_agg(id::text, ',' ORDER BY id::text) FROM jobs WHERE source_id = '$src'"),
   '... naming the 4 new jobs');
is(psql("SELECT count(*) FROM jobs WHERE source_id = '$src' AND match_queued_at IS NULL"), 0,
   '... which are marked queued');
is(facts(), '1|200|0|0|0|schedule',
   '... one page, HTTP 200, nothing updated or expired, queued by the scheduler');
is(health(), 'healthy|0', '... the source is healthy');
like(psql("SELECT etag FROM job_sources WHERE id = '$src'"), qr/^"[0-9a-f]{32}"\z/,
     '... and keeps the board\'s ETag');
my @req = board_requests();
is($req[0]{ua}, 'JobScout/1.0 (+https://jobscout.dev/bot)', 'the User-Agent is honest');
like($req[0]{ae} // '', qr/gzip/, '... compression is accepted (the board sent gzip)');
ok(wait_until(5, sub { !@{ redis('keys', 'jobscout:processing:*') }
                       || !grep { redis('llen', $_) } @{ redis('keys', 'jobscout:processing:*') } }),
   '... and the task was acked');

# 2. the same board again: conditional, 304
is(run_once(), 'success|0|0', 'second run: 304, nothing found or new');
@req = board_requests();
like($req[-1]{inm} // '', qr/^"[0-9a-f]{32}"\z/, '... the request carried If-None-Match');
is($req[-1]{status}, 304, '... the board answered 304');
is(facts(), '1|304|0|0|0|schedule', '... recorded: one page, HTTP 304');
is(scalar(match_tasks()), 1, '... no new match task');

# 3. without validators: a full run stores no duplicate
is(run_full(), 'success|4|0', 'a full run of the same jobs: 4 found, none new');
is(psql("SELECT count(*) FROM jobs WHERE source_id = '$src'"), 4, '... no duplicate row');
is(scalar(match_tasks()), 1, '... no new match task');

# 4. a changed job is updated in place
my $board = $json->decode(do { local $/; open my $fh, '<', "$root/t/fixtures/greenhouse/jobs.json"; <$fh> });
sub variant {
    my ($name, $edit) = @_;
    my $b = $json->decode($json->encode($board));
    $edit->($b);
    open my $fh, '>', "$dir/board/$name.json" or die $!;
    print $fh $json->encode($b);
    close $fh;
    board_routes({ $gh_path => { file => "$dir/board/$name.json" } });
}
my $id_before = psql("SELECT id FROM jobs WHERE source_id = '$src' AND external_id = '4012345'");
variant('changed', sub { $_[0]{jobs}[0]{title} = 'Principal Backend Engineer (Go)' });
is(run_once(), 'success|4|0', 'a changed board: 4 found, none new');
is(psql("SELECT id || '|' || title FROM jobs WHERE source_id = '$src' AND external_id = '4012345'"),
   "$id_before|Principal Backend Engineer (Go)", '... the job is updated in place');
is(facts(), '1|200|1|0|0|schedule', '... one job counted as updated');

# 5. a vanished job expires after 3 successful runs, and comes back
variant('vanished', sub { $_[0]{jobs} = [grep { ($_->{id} // 0) != 4012349 } @{ $_[0]{jobs} }] });
is(run_once(), 'success|3|0', 'the job is gone from the board');
like(jobs(), qr/4012349\|t\|1\z/, '... missed once, still active');
is(run_once(), 'success|0|0', '... a 304 counts no miss');
like(jobs(), qr/4012349\|t\|1\z/, '... still missed once');
run_full();
like(jobs(), qr/4012349\|t\|2\z/, '... missed twice, still active');
run_full();
like(jobs(), qr/4012349\|f\|3\z/, '... missed three times: expired');
is(facts(), '1|200|0|1|0|schedule', '... that run counts one expired job');
like(jobs(), qr/^4012345\|t\|0,/, '... the others stay active');
board_routes({ $gh_path => { file => 'greenhouse/jobs.json' } });
is(run_once(), 'success|4|0', 'the job reappears: not new');
like(jobs(), qr/4012349\|t\|0\z/, '... active again');
is(scalar(match_tasks()), 1, '... and not alerted again');

# 6. health: 500 -> degraded, 3 times -> failing, success -> healthy
board_routes({ $gh_path => { status => 500 } });
like(run_once(), qr/^failed\|0\|0\|fetch .*HTTP 500\z/, 'a 500 is a failed run');
is(health(), 'degraded|1', '... the source is degraded');
is(facts(), '1|500|0|0|0|schedule', '... recorded: one page, HTTP 500');
run_once();
is(health(), 'degraded|2', '... twice: degraded');
run_once();
is(health(), 'failing|3', '... three times: failing');
like(psql("SELECT last_error FROM job_sources WHERE id = '$src'"), qr/HTTP 500/,
     '... with the last error');
is(jobs(), '4012345|t|0,4012346|t|0,4012347|t|0,4012349|t|0', '... failed runs expire nothing');
board_routes({ $gh_path => { file => 'greenhouse/jobs.json' } });
is(run_full(), 'success|4|0', 'the board is back');
is(health(), 'healthy|0', '... the source is healthy again');

board_routes({ $gh_path => { status => 404 } });
like(run_once(), qr/^failed\|0\|0\|.*HTTP 404\z/, 'a 404 is a failed run');
board_routes({ $gh_path => { file => 'greenhouse/jobs.json', delay => 4 } });
like(run_full(), qr/^failed\|0\|0\|.*(timed out|Timeout)/i,
     'a body slower than scrape_timeout is a failed run');
is(facts(), '0|-|0|0|0|schedule', '... no page answered, no HTTP status');
board_routes({ $gh_path => { file => 'greenhouse/jobs.json' } });

# 7. what triggered the run: the module queues manual and webhook runs
for my $trigger (qw(manual webhook)) {
    my $n = logs();
    redis('lpush', 'jobscout:queue:scrape:high',
          task('scrape.source', source_id => $src, trigger => $trigger));
    wait_until(10, sub { logs() > $n });
    like(facts(), qr/\|$trigger\z/, "a $trigger run is recorded as $trigger");
}
my $n0 = logs();
redis('lpush', 'jobscout:queue:scrape:high',
      task('scrape.source', source_id => $src, trigger => 'cron; DROP TABLE jobs'));
wait_until(10, sub { logs() > $n0 });
like(facts(), qr/\|schedule\z/, 'an unknown trigger is recorded as schedule');

# 8. a config the catalogue refuses: a failed run, nothing fetched
my $fetches = () = board_requests();
psql("UPDATE job_sources SET config = config || '{\"board_token\": \"acme\"}' WHERE id = '$src'");
is(run_full(), 'failed|0|0|config.board_token: unknown key',
   'an unknown config key fails the run, naming it');
is(scalar(my @r = board_requests()), $fetches, '... without a fetch');
is(health(), 'degraded|1', '... as any failed run');
psql("UPDATE job_sources SET config = config - 'board_token' WHERE id = '$src'");

# 9. an aggregator's jobs belong to their hiring companies
board_routes({ '/rm/api/remote-jobs' => { file => 'remotive/remote-jobs.json' } });
my $agg = add_source(name => 'Remotive', slug => 'remotive-080', class => 'remotive',
                     url => 'software-dev', config => { api_base => board_url() . '/rm' });
my $n = psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$agg'");
lpush_scrape($agg, 'high');
ok(wait_until(10, sub { psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$agg'") > $n }),
   'an aggregator source (on scrape:high) runs');
is(psql("SELECT status FROM scrape_logs WHERE source_id = '$agg'"), 'success', '... successfully');
is(psql("SELECT string_agg(DISTINCT c.slug, ',' ORDER BY c.slug) FROM jobs j"
        . " JOIN companies c ON c.id = j.company_id WHERE j.source_id = '$agg'"),
   'andela,docs-co,flutterwave,kuda', '... its jobs belong to the hiring companies, found or created by slug');

stop_daemon();
unlike(log_text(), qr/\b(alert|crit)\b/, 'no alert in the log');

done_testing();
