# Adapters with detail calls through a real scrape: jobscoutd against a
# fixture board (t/lib/fixture_http.py) serving t/fixtures/ in each
# provider's shape, into PostgreSQL.  SmartRecruiters: two pages by
# offset, then a detail GET per posting, no more than the source's
# max_details (the rest stored as listed); the descriptions, pay,
# remote / employment type flags come from the details; a detail that
# fails fails nothing (the job keeps what it had).  Workday: the search
# is POSTed (JSON, paged by the body's offset), then the details, bounded
# the same way; one robots.txt forbids is skipped, the run still a
# success.  Every request keeps the host's gap, detail calls included.
# A dry run makes the same calls, listed in its pages, storing nothing.
use strict;
use warnings;

use Test::More;
use JSON::PP;
use Time::HiRes qw(time);

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');

my $gap = 0.2;    # scrape_host_delay, seconds
my $sr = '/sr/v1/companies/AcmeKenya/postings';
my $wd = '/wday/cxs/acme/External';
my @sr_ids = qw(744000012345601 744000012345602 744000012345603);
my %wd_jobs = (
    'JR-0001' => '/job/Nairobi-Kenya/Senior-Software-Engineer_JR-0001',
    'JR-0002' => '/job/Kenya-Remote/Site-Reliability-Engineer_JR-0002',
    'JR-0003' => '/job/Mombasa-Kenya/QA-Analyst_JR-0003',
);

# robots.txt forbids the Mombasa postings' details, nothing else
open my $fh, '>', "$dir/board/robots.txt" or die $!;
print $fh "User-agent: *\nDisallow: $wd/job/Mombasa-Kenya/\n";
close $fh;

my %routes = (
    '/robots.txt' => { file => "$dir/board/robots.txt", type => 'text/plain' },
    "$sr?limit=2&offset=0" => { file => 'smartrecruiters/postings-1.json' },
    "$sr?limit=2&offset=2" => { file => 'smartrecruiters/postings-2.json' },
    (map { ("$sr/$_" => { file => "smartrecruiters/posting-$_.json" }) } @sr_ids),
    "$wd/jobs" => { body_key => 'offset',
                    files => { 0 => 'workday/jobs-1.json', 2 => 'workday/jobs-2.json' } },
    (map { ("$wd$wd_jobs{$_}" => { file => "workday/job-$_.json" }) } keys %wd_jobs),
);
start_board();
board_routes(\%routes);
my $board = board_url();

my $srs = add_source(name => 'Acme Kenya', slug => 'acme-kenya-086',
                     class => 'smartrecruiters', url => 'AcmeKenya',
                     config => { api_base => "$board/sr", page_size => 2,
                                 max_details => 2 });
my $wds = add_source(name => 'Acme Kenya', slug => 'acme-kenya-086',
                     class => 'workday', url => "$board$wd/jobs",
                     config => { page_size => 2, max_details => 1 });
like("$srs $wds", qr/^[0-9a-f-]{36} [0-9a-f-]{36}\z/,
     'a smartrecruiters and a workday source on the fixture board');

write_conf(workers => { scraper => 1 },
           set => { scrape_timeout => '5s', scrape_host_delay => $gap * 1000 . 'ms',
                    scrape_max_details => 50 });
my $out = jobscoutd('-t');
is($? >> 8, 0, '-t accepts scrape_max_details') or diag $out;
start_daemon();

sub logs { return psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$_[0]'") }

# one run of the source without validators: "status|found|new|error"
sub run_full {
    my ($src) = @_;
    psql("UPDATE job_sources SET etag = NULL, last_modified = NULL WHERE id = '$src'");
    my $n = logs($src);
    lpush_scrape($src);
    wait_until(30, sub { logs($src) > $n }) or return 'no run';
    return psql("SELECT concat_ws('|', status, jobs_found, new_jobs, pages, error_message)"
                . " FROM scrape_logs WHERE source_id = '$src'"
                . " ORDER BY started_at DESC LIMIT 1");
}

# a stored job's fields, '|'-joined, '-' for null
sub job {
    my ($src, $id, @cols) = @_;
    my $list = join ', ', map { "coalesce(${_}::text, '-')" } @cols;
    return psql("SELECT concat_ws('|', $list) FROM jobs"
                . " WHERE source_id = '$src' AND external_id = '$id'");
}

# the requests a run made: those logged after $from
sub since { my ($from) = @_; my @r = board_requests(); return @r[$from .. $#r]; }

# every request after the first keeps the host's gap to the one before
sub gaps_kept {
    my @r = @_;
    for my $i (1 .. $#r) {
        return "$r[$i]{path} came " . ($r[$i]{t} - $r[$i - 1]{t}) . 's after the one before'
            if $r[$i]{t} - $r[$i - 1]{t} < $gap;
    }
    return 'kept';
}


# 1. SmartRecruiters: 2 pages, 3 jobs, max_details 2 of them detailed
is(run_full($srs), 'success|3|3|2', 'smartrecruiters: 3 jobs from 2 pages, all new');
my @req = board_requests();
my @details = grep { $_->{path} =~ m{^\Q$sr\E/\d+\z} } @req;
is(scalar(grep { $_->{path} =~ m{^\Q$sr\E\?} } @req), 2, '... 2 list requests');
is(scalar @details, 2, '... and 2 detail requests: max_details bounds them');
is(join(',', map { $_->{path} =~ m{(\d+)\z} } @details),
   '744000012345601,744000012345602', '... for the first 2 postings listed');
ok(!grep({ ($_->{method} // '') ne 'GET' } @req), '... all of them GETs');
is(gaps_kept(@req), 'kept', "... every request $gap s or more after the one before");

like(job($srs, '744000012345601', 'description'),
     qr/\ACompany Description\n\nAcme Kenya builds payments for East Africa\.\n\nJob Description\n\nBuild M-Pesa integrations in Go\./,
     'the description comes from the detail\'s jobAd sections');
is(job($srs, '744000012345601', qw(title location_type employment_type salary_min
                                   salary_max salary_currency salary_period apply_url)),
   'Senior Backend Engineer (Go)|hybrid|full_time|300000.00|450000.00|KES|month|'
   . 'https://jobs.smartrecruiters.com/AcmeKenya/744000012345601-senior-backend-engineer-go-',
   '... hybrid and full-time from the list, the pay and link from the detail');
is(job($srs, '744000012345602', qw(location_type employment_type salary_min salary_max
                                   salary_currency salary_period)),
   'remote|contract|4000.00|5000.00|USD|month',
   'location.remote and Contract; no compensation: the pay line of the description');
is(job($srs, '744000012345603', qw(title employment_type description apply_url)),
   'Mobile Engineer Intern|internship|-|https://jobs.smartrecruiters.com/AcmeKenya/744000012345603',
   'the posting past max_details is stored as listed');
is(psql("SELECT health_status FROM job_sources WHERE id = '$srs'"), 'healthy',
   '... the source is healthy');

# 2. a detail that fails fails nothing
board_routes({ %routes, "$sr/744000012345601" => { status => 500 } });
psql("UPDATE job_sources SET config = config || '{\"max_details\": 3}' WHERE id = '$srs'");
my $from = scalar(my @all = board_requests());
is(run_full($srs), 'success|3|0|2', 'a detail answering 500: the run is still a success');
@details = grep { $_->{path} =~ m{^\Q$sr\E/\d+\z} } since($from);
is(join(',', map { "$_->{status}" } @details), '500,200,200',
   '... max_details 3: 3 detail calls, the first failed');
like(job($srs, '744000012345601', 'description'), qr/Build M-Pesa integrations in Go/,
     '... the failed one keeps the description an earlier run read');
like(job($srs, '744000012345603', 'description'), qr/Learn Kotlin and Swift/,
     '... the third posting has its description now');
like(log_text(), qr/detail not read, job kept as listed.*HTTP 500/,
     '... the failed detail is logged');
board_routes(\%routes);

# 3. Workday: the search POSTed page by page, max_details 1
$from = scalar(@all = board_requests());
is(run_full($wds), 'success|3|3|2', 'workday: 3 jobs from 2 POSTed pages, all new');
@req = since($from);
my @posts = grep { $_->{method} eq 'POST' } @req;
is(join(' ', map { $_->{path} } @posts), "$wd/jobs $wd/jobs", '... 2 POSTs to the jobs endpoint');
is(join(' ', map { decode_json($_->{body})->{offset} } @posts), '0 2',
   '... at offsets 0 and 2');
is(join(' ', map { $_->{ctype} // '-' } @posts), 'application/json application/json',
   '... as JSON');
is_deeply(decode_json($posts[0]{body}),
          { appliedFacets => {}, limit => 2, offset => 0, searchText => '' },
          '... the documented search body');
@details = grep { $_->{method} eq 'GET' && $_->{path} =~ m{^\Q$wd\E/job/} } @req;
is(join(' ', map { $_->{path} } @details), "$wd$wd_jobs{'JR-0001'}",
   '... then 1 detail GET: max_details 1');
is(gaps_kept(@req), 'kept', "... every request $gap s or more after the one before");
is(job($wds, $wd_jobs{'JR-0001'}, qw(title location_type employment_type salary_min
                                     salary_max salary_currency salary_period apply_url)),
   'Senior Software Engineer|hybrid|full_time|350000.00|500000.00|KES|month|'
   . "https://acme.wd3.myworkdayjobs.com/External$wd_jobs{'JR-0001'}",
   'remoteType, timeType and the pay line from the detail, externalUrl its link');
like(job($wds, $wd_jobs{'JR-0001'}, 'description'), qr/\AAbout the role\n\nBuild the services/,
     '... and its jobDescription');
is(job($wds, $wd_jobs{'JR-0002'}, qw(location_type description apply_url)),
   "remote|-|$board/External$wd_jobs{'JR-0002'}",
   'past max_details: the listed remoteType, no description, the career site\'s link');

# 4. max_details 3: robots.txt forbids one detail, the rest are read
psql("UPDATE job_sources SET config = config || '{\"max_details\": 3}' WHERE id = '$wds'");
$from = scalar(@all = board_requests());
is(run_full($wds), 'success|3|0|2', 'workday again, max_details 3: a success');
@details = grep { $_->{method} eq 'GET' && $_->{path} =~ m{^\Q$wd\E/job/} } since($from);
is(join(' ', sort map { $_->{path} } @details),
   "$wd$wd_jobs{'JR-0002'} $wd$wd_jobs{'JR-0001'}",
   '... 2 detail GETs: none robots.txt forbids');
like(job($wds, $wd_jobs{'JR-0002'}, 'description'), qr/Keep our platform up/,
     '... JR-0002 has its description now');
is(job($wds, $wd_jobs{'JR-0003'}, qw(title location description)),
   'QA Analyst (Part-time)|Mombasa, Kenya|-',
   '... JR-0003, forbidden, is stored as listed');
like(log_text(), qr/detail forbidden by robots\.txt/, '... which is logged');

# 5. a dry run makes the same calls, and says so in its pages
my $reply = 'jobscout:scrape:test:reply:086';
redis('del', $reply);
my $jobs_before = psql("SELECT count(*) FROM jobs");
redis('lpush', 'jobscout:queue:scrape:test', JSON::PP->new->canonical->encode({
    id => 'dryrun086', kind => 'scrape.test', attempt => 0, enqueued_at => int(time * 1000),
    args => { reply => $reply, deadline => int(time * 1000) + 30000, max_pages => 5,
              source => { id => undef, company_name => 'Acme', company_slug => 'acme',
                          scraper_class => 'workday', source_url => "$board$wd/jobs",
                          config => { page_size => 2, max_details => 2 } } } }));
ok(wait_until(20, sub { redis('exists', $reply) }), 'a workday dry run is answered');
my $dry = decode_json(redis('lpop', $reply) // '{}');
ok($dry->{ok}, '... ok') or diag explain $dry;
is_deeply([map { $_->{url} =~ s/^\Q$board\E//r . "|$_->{status}" } @{ $dry->{pages} || [] }],
          ["$wd/jobs|200", "$wd/jobs|200", "$wd$wd_jobs{'JR-0001'}|200",
           "$wd$wd_jobs{'JR-0002'}|200"],
          '... its pages: the 2 searches, then max_details 2 details');
is(scalar(grep { defined $_->{description} } @{ $dry->{jobs} || [] }), 2,
   '... 2 jobs with their description');
is(psql("SELECT count(*) FROM jobs"), $jobs_before, '... and nothing stored');

stop_daemon();
unlike(log_text(), qr/\b(alert|crit)\b/, 'no alert in the log');

done_testing();
