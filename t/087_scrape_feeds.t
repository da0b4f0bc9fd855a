# Real scrapes of the boards read from a company's subdomain, fixture board
# (t/lib/fixture_http.py serving t/fixtures/ in each provider's real
# format) -> jobscoutd -> PostgreSQL: Recruitee's offers, Personio's XML
# feed (its job pages on the feed's host), Teamtailor's RSS feed over two
# pages; and a JSON-LD posting's validThrough: a later one is stored in
# jobs.valid_through, a passed one is no longer offered, so the job is
# missed like a posting gone from its board, and closes at once when the
# valid_through it had has passed.
use strict;
use warnings;

use Test::More;
use JSON::PP;

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');

start_board();
write_conf(workers => { scraper => 1 },
           set => { scrape_timeout => '5s', scrape_host_delay => '0' });
start_daemon();

# one run of the source, to its scrape_logs row: "status|found|new|pages[|error]"
sub run_once {
    my ($src) = @_;
    my $logs = "SELECT count(*) FROM scrape_logs WHERE source_id = '$src'";
    my $n = psql($logs);
    psql("UPDATE job_sources SET etag = NULL, last_modified = NULL WHERE id = '$src'");
    lpush_scrape($src, 'high');
    wait_until(15, sub { psql($logs) > $n }) or return 'no run';
    return psql("SELECT concat_ws('|', status, jobs_found, new_jobs, pages, error_message)"
                . " FROM scrape_logs WHERE source_id = '$src'"
                . " ORDER BY started_at DESC LIMIT 1");
}

sub job {
    my ($src, $id, $cols) = @_;
    return psql("SELECT concat_ws('|', $cols) FROM jobs"
                . " WHERE source_id = '$src' AND external_id = '$id'");
}

board_routes({
    '/api/offers/' => { file => 'recruitee/offers.json' },
    '/personio/xml' => { file => 'personio/positions.xml',
                         type => 'text/xml' },
    '/tt/jobs.rss?per_page=3&offset=0' => { file => 'teamtailor/jobs-1.rss',
                                            type => 'application/rss+xml' },
    '/tt/jobs.rss?per_page=3&offset=3' => { file => 'teamtailor/jobs-2.rss',
                                            type => 'application/rss+xml' },
});

# --- recruitee ----------------------------------------------------------------

my $rc = add_source(name => 'Acme Recruitee', slug => 'acme-rc-086',
                    class => 'recruitee', url => board_url() . '/api/offers/');
is(run_once($rc), 'success|3|3|1', 'recruitee: 3 offers found and stored, one page');
is(job($rc, '1804512', 'title, location_type, employment_type, salary_min::int,'
       . ' salary_max::int, salary_currency, salary_period'),
   'Senior Backend Engineer (Go)|hybrid|full_time|300000|450000|KES|month',
   '... the flags and the salary object');
is(psql("SELECT string_agg(s.skill_name, ',' ORDER BY s.skill_name) FROM job_skills s"
        . " JOIN jobs j ON j.id = s.job_id WHERE j.source_id = '$rc'"
        . " AND j.external_id = '1804512'"), 'Go,PostgreSQL,Redis',
   '... tags as skills, canonical (0017), and the description\'s');
is(job($rc, '1804513', 'location_type, employment_type, salary_currency'),
   'remote|contract|USD', '... remote, a fixed term, the pay line');
is(psql("SELECT count(*) FROM jobs WHERE source_id = '$rc' AND external_id = '1804515'"),
   0, '... a closed offer is not stored');

# --- personio -----------------------------------------------------------------

my $pe = add_source(name => 'Acme Personio', slug => 'acme-pe-086',
                    class => 'personio', url => board_url() . '/personio/xml',
                    config => { language => 'en' });
is(run_once($pe), 'success|4|4|1', 'personio: 4 positions found and stored');
is(job($pe, '2800938', 'location, location_type, employment_type, apply_url'),
   'Berlin; Remote|remote|full_time|' . board_url() . '/job/2800938',
   '... offices, remote, schedule, the job page on the feed host');
my @req = grep { $_->{path} =~ m{^/personio/} } board_requests();
is($req[-1]{path}, '/personio/xml?language=en', '... the language asked for');
is(job($pe, '2800939', 'employment_type'), 'internship', '... an intern position');

# --- teamtailor ---------------------------------------------------------------

my $tt = add_source(name => 'Acme Teamtailor', slug => 'acme-tt-086',
                    class => 'teamtailor', url => board_url() . '/tt/jobs.rss',
                    config => { per_page => 3 });
is(run_once($tt), 'success|4|4|2', 'teamtailor: 4 jobs over 2 pages');
is(psql("SELECT string_agg(location_type, ',' ORDER BY external_id) FROM jobs"
        . " WHERE source_id = '$tt'"), 'hybrid,remote,onsite,hybrid',
   '... remoteStatus as the location type');
is(job($tt, '0b5f7c1e-6a1d-4a8e-9f3b-2c4d5e6f7a81', 'location, salary_min::int'),
   'Nairobi, Kenya; Kigali, Rwanda|250000', '... tt:locations and the pay line');

# --- jsonld: validThrough -----------------------------------------------------

sub page_with {
    my ($valid, $broken) = @_;
    my $postings = JSON::PP->new->canonical->encode([
        { '@type' => 'JobPosting', identifier => 'vt-1', title => 'Open Role',
          url => '/jobs/1', validThrough => $valid },
        { '@type' => 'JobPosting', identifier => 'vt-2', title => 'Expired Role',
          url => '/jobs/2', validThrough => '2020-01-31T00:00:00Z' } ]);
    # a block that is not JSON (a CMS's trailing comma), when asked for
    $postings = "[{\"\@type\": \"JobPosting\", \"identifier\": \"vt-1\",}]"
        if $broken;
    open my $fh, '>', "$dir/board/careers.html" or die $!;
    print $fh "<html><head><script type=\"application/ld+json\">$postings"
              . "</script></head><body></body></html>";
    close $fh;
    board_routes({ '/careers' => { file => "$dir/board/careers.html",
                                   type => 'text/html' } });
}

page_with('2099-12-31T23:59:00Z');
my $ld = add_source(name => 'Acme Careers', slug => 'acme-ld-086',
                    class => 'jsonld', url => board_url() . '/careers');
is(run_once($ld), 'success|1|1|1', 'jsonld: the posting past validThrough is not offered');
is(job($ld, 'vt-1', "to_char(valid_through AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), is_active"),
   '2099-12-31 23:59|t', '... a later validThrough stored in jobs.valid_through');
page_with('2099-12-31T23:59:00Z', 'broken');
is(run_once($ld), 'partial|0|0|1|jsonld: a JSON-LD block is not JSON: its postings,'
   . ' if any, were not read', 'a block that is not JSON: a partial run, saying why');
is(job($ld, 'vt-1', 'missed_scrapes, is_active'), '0|t',
   '... which counts no job as missed');
like(log_text(), qr/scrape partial: no job counted missed/, '... and is logged as such');
page_with('2021-06-30T00:00:00Z');
is(run_once($ld), 'success|0|0|1', 'a validThrough moved into the past: not offered');
is(job($ld, 'vt-1', 'missed_scrapes, is_active'), '1|t',
   '... the job is missed, as a posting gone from its board (its stored'
   . ' valid_through still ahead)');
psql("UPDATE jobs SET valid_through = now() - interval '1 minute'"
     . " WHERE source_id = '$ld' AND external_id = 'vt-1'");
is(run_once($ld), 'success|0|0|1', 'once the stored valid_through has passed');
is(job($ld, 'vt-1', 'missed_scrapes, is_active'), '2|f',
   '... the missed job closes at once, not after scrape_expire_after runs');
is(psql("SELECT expired_jobs FROM scrape_logs WHERE source_id = '$ld'"
        . " ORDER BY started_at DESC LIMIT 1"), 1, '... counted as expired');

stop_daemon();
unlike(log_text(), qr/\b(alert|crit)\b/, 'no alert in the log');

done_testing();
