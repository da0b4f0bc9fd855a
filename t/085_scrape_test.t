# Dry runs ("test a source before saving it"): scrape.test tasks pushed
# on jobscout:queue:scrape:test, answered on their reply key.  A careers
# page read with selectors over two pages, a Greenhouse board: the jobs
# and their fields, the pages' HTTP facts, useful warnings.  robots.txt
# is honoured, a slow page times out, an HTTP error and a config the
# catalogue refuses are answers with ok false, a task past its deadline
# is dropped unrun, one without a reply key goes to the dead letters;
# dry runs go before scrape:high; and nothing is ever stored: no job, no
# scrape_logs row, no source health, no match task.
use strict;
use warnings;
use utf8;

use Test::More;
use JSON::PP;
use Time::HiRes qw(time);

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $json = JSON::PP->new->canonical;
my $ua = 'JobScout/1.0 (+https://jobscout.dev/bot)';

redis('del', map { "jobscout:queue:$_" } qw(scrape:test scrape:high scrape:normal match));
match_tasks('clear');
redis('del', 'jobscout:consumers', 'jobscout:dead',
      map { @{ redis('keys', $_) } } 'jobscout:processing:*', 'jobscout:robots:*',
      'jobscout:host:next:*');

open my $fh, '>', "$dir/board/robots.txt" or die $!;
print $fh "User-agent: *\nDisallow: /private/\n";
close $fh;

start_board();
board_routes({
    '/robots.txt'             => { file => "$dir/board/robots.txt", type => 'text/plain' },
    '/careers/'               => { file => 'html/careers-1.html', type => 'text/html' },
    '/careers/?page=2'        => { file => 'html/careers-2.html', type => 'text/html' },
    '/empty/'                 => { file => 'html/careers-1.html', type => 'text/html' },
    '/private/careers/'       => { file => 'html/careers-1.html', type => 'text/html' },
    '/gh/v1/boards/acme/jobs' => { file => 'greenhouse/jobs.json' },
    '/slow/jobs'              => { file => 'greenhouse/jobs.json', delay => 4 },
    '/gone/jobs'              => { status => 404 },
    '/first/jobs'             => { file => 'greenhouse/jobs.json', delay => 1 },
    '/second/jobs'            => { file => 'greenhouse/jobs.json' },
});
my $board = board_url();

# a saved source, whose id a dry run may carry
my $src = add_source(name => 'Dry Run 085', slug => 'dry-run-085', class => 'greenhouse',
                     url => 'acme', config => { api_base => "$board/gh" });
redis('set', "jobscout:scrape:pending:$src", '1', 'EX', 600);

write_conf(workers => { scraper => 1 },
           set => { scrape_timeout => '2s', scrape_host_delay => '0',
                    scrape_concurrency => 1 });
start_daemon();

# what must stay as it is
sub stored {
    return psql("SELECT concat_ws('|', (SELECT count(*) FROM jobs),"
                . " (SELECT count(*) FROM scrape_logs),"
                . " (SELECT concat_ws(',', health_status, consecutive_failures,"
                . "  coalesce(last_scraped_at::text, 'never'), coalesce(etag, 'no etag'))"
                . "  FROM job_sources WHERE id = '$src'))")
         . '|' . scalar(match_tasks());
}
my $stored = stored();
like($stored, qr/^\d+\|\d+\|healthy,0,never,no etag\|0\z/,
     'before: the saved source never ran, no match task');

my $html_config = decode_json(do { local $/; open my $c, '<', "$root/t/fixtures/html/config.json" or die $!; <$c> });

sub source {
    my (%o) = @_;
    return { id => undef, company_name => 'Acme Bank', company_slug => 'acme-bank',
             scraper_class => 'html', source_url => "$board/careers/",
             config => $html_config, %o };
}

# pushes a dry run; returns its reply key
sub dry_run {
    my (%args) = @_;
    my $id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    $args{reply} //= "jobscout:scrape:test:reply:$id";
    $args{deadline} //= int(time * 1000) + 30000;
    delete $args{reply} if $args{no_reply};
    delete $args{no_reply};
    redis('lpush', 'jobscout:queue:scrape:test',
          $json->encode({ id => $id, kind => 'scrape.test', args => \%args, attempt => 0,
                          enqueued_at => int(time * 1000) }));
    return wantarray ? ($args{reply}, $id) : $args{reply};
}

# the answer on a reply key, with its TTL as _ttl; undef when none came
sub answer {
    my ($reply) = @_;
    wait_until(15, sub { redis('exists', $reply) }) or return undef;
    my $ttl = redis('ttl', $reply);
    my $a = decode_json(redis('lpop', $reply));
    $a->{_ttl} = $ttl;
    return $a;
}

sub job_of { my ($a, $id) = @_; my ($j) = grep { $_->{external_id} eq $id } @{ $a->{jobs} }; return $j || {} }

sub iso { my @t = gmtime $_[0]; return sprintf '%04d-%02d-%02dT%02d:%02d:%02dZ', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0] }

# 1. a careers page, two pages of it
my $a = answer(dry_run(source => source(), max_pages => 2));
ok($a, 'an html dry run is answered') or BAIL_OUT('no answer: ' . log_text());
ok($a->{ok}, '... ok') or diag explain $a;
is($a->{error}, undef, '... no error');
ok($a->{_ttl} > 0 && $a->{_ttl} <= 120, "... the reply key expires (TTL $a->{_ttl})");
ok($a->{duration_ms} >= 0, '... with its duration');
is(scalar @{ $a->{pages} }, 2, '... two pages fetched');
is_deeply([map { "$_->{url}|$_->{status}" } @{ $a->{pages} }],
          ["$board/careers/|200", "$board/careers/?page=2|200"], '... their URLs and HTTP statuses');
is($a->{pages}[0]{bytes}, -s "$root/t/fixtures/html/careers-1.html", '... their sizes');
ok(!grep({ !defined $_->{duration_ms} || defined $_->{error} } @{ $a->{pages} }),
   '... each timed, without error');
is(scalar @{ $a->{jobs} }, 5, '5 jobs (the intern excluded by the config, the untitled skipped)');
my $j = job_of($a, "$board/careers/senior-java-developer");
is_deeply($j, { external_id => "$board/careers/senior-java-developer",
                title => 'Senior Java Developer', company => undef,
                location => 'Nairobi, Kenya', location_type => 'hybrid',
                employment_type => 'full_time',
                apply_url => "$board/careers/senior-java-developer",
                description => "Build core banking.\n\n- Java\n- Spring",
                salary_min => 150000, salary_max => 200000, salary_currency => 'KES',
                salary_period => 'month', posted_at => '2025-06-01T06:00:00Z',
                valid_through => undef, skills => [] },
          '... every normalized field of a job') or diag explain $j;
is(job_of($a, "$board/careers/ingenieur-reseau")->{title}, 'Ingénieur Réseau',
   '... page 2 read in its charset');
is_deeply(job_of($a, "$board/careers/branch-manager-kisumu")->{salary_max}, undef,
          '... no salary is null');
is_deeply($a->{warnings}, ['3 jobs have no description', '4 jobs have no posting date'],
          '... warnings say what is missing');

# 2. one page of it: more follow
$a = answer(dry_run(source => source()));
is(scalar @{ $a->{pages} }, 1, 'max_pages absent: one page');
is(scalar @{ $a->{jobs} }, 3, '... its 3 jobs');
ok((grep { $_ eq 'stopped after 1 page (max_pages); more follow' } @{ $a->{warnings} }),
   '... a warning says more pages follow') or diag explain $a->{warnings};
ok($a->{ok}, '... still ok');

# 3. selectors that find nothing
$a = answer(dry_run(source => source(source_url => "$board/empty/",
                                     config => { list => 'div.vacancy', fields => { title => 'h2' } })));
ok($a->{ok}, 'a list selector that finds nothing: ok');
is_deeply($a->{warnings}, ['no jobs parsed'], '... warned: no jobs parsed');

# 4. a Greenhouse board, asked twice
my $before = () = board_requests();
for my $n (1, 2) {
    $a = answer(dry_run(source => source(scraper_class => 'greenhouse', source_url => 'acme',
                                         config => { api_base => "$board/gh" }), max_pages => 5));
}
ok($a->{ok}, 'a greenhouse dry run: ok');
is(scalar @{ $a->{jobs} }, 4, '... 4 jobs');
is_deeply([map { $_->{status} } @{ $a->{pages} }], [200], '... one page: the board has no more');
$j = job_of($a, '4012345');
is("$j->{title}|$j->{location}|$j->{employment_type}|$j->{salary_min}|$j->{salary_max}|"
   . "$j->{salary_currency}|$j->{salary_period}|$j->{posted_at}",
   'Senior Backend Engineer (Go)|Nairobi, Kenya|full_time|300000|450000|KES|month|' . iso(1747742400),
   '... its fields');
like($j->{description}, qr/^Acme is hiring a Senior Backend Engineer/, '... with the description');
is_deeply($a->{warnings}, ['1 job has no description', '1 job has no posting date'],
          '... warnings say what is missing');
my @req = board_requests();
@req = @req[$before .. $#req];
is(scalar @req, 2, 'the board saw one request per dry run');
ok(!grep({ ($_->{ua} // '') ne $ua } @req), '... with the honest User-Agent');
ok(!grep({ defined $_->{inm} || defined $_->{ims} } @req), '... never conditional');

# 5. robots.txt
$before = () = board_requests();
$a = answer(dry_run(source => source(source_url => "$board/private/careers/")));
ok($a && !$a->{ok}, 'a page robots.txt forbids: not ok');
like($a->{error}, qr/^blocked by robots\.txt: \Q$board\E\/private\/careers\/\z/, '... the error says so');
is_deeply($a->{warnings}, ["robots.txt forbids $board/private/careers/"], '... and a warning');
is_deeply($a->{pages}, [], '... no page fetched');
is(scalar(my @r = board_requests()), $before, '... the board saw no request');

# 6. a page slower than scrape_timeout, an HTTP error
$a = answer(dry_run(source => source(scraper_class => 'greenhouse', source_url => "$board/slow/jobs",
                                     config => {})));
ok($a && !$a->{ok}, 'a page slower than scrape_timeout: not ok');
like($a->{error}, qr/^fetch \Q$board\E\/slow\/jobs: .*(timed out|timeout)/i, '... a timeout');
is($a->{pages}[0]{status}, undef, '... the page has no HTTP status');
like($a->{pages}[0]{error} // '', qr/timed out|timeout/i, '... and says why');
ok($a->{duration_ms} >= 1900 && $a->{duration_ms} < 4000, "... after scrape_timeout ($a->{duration_ms} ms)");

$a = answer(dry_run(source => source(scraper_class => 'greenhouse', source_url => "$board/gone/jobs",
                                     config => {})));
ok($a && !$a->{ok}, 'a 404: not ok');
is($a->{error}, "fetch $board/gone/jobs: HTTP 404", '... the error says so');
is("$a->{pages}[0]{status}|$a->{pages}[0]{error}", '404|HTTP 404', '... the page too');

# 7. configs the catalogue refuses, sources that are not
$before = () = board_requests();
$a = answer(dry_run(source => source(config => { list => 'div.job-card:first-child',
                                                 fields => { title => 'h3' } })));
ok($a && !$a->{ok}, 'a selector outside the CSS subset: not ok');
is($a->{error}, 'config.list: invalid selector: unsupported CSS "div.job-card:first-child"',
   '... the error names the key and why');
is_deeply($a->{warnings}, [$a->{error}], '... so does the warning');
$a = answer(dry_run(source => source(config => { list => 'div.job', fields => { title => '//h3[' } })));
like($a->{error}, qr/^config\.fields\.title: invalid selector: Invalid .* in "\/\/h3\["\z/,
     'bad XPath: libxml2\'s reason');
$a = answer(dry_run(source => source(config => { list => 'div.job', fields => { title => 'h3' },
                                                 max_pages => 0 })));
is($a->{error}, 'config.max_pages: must be an integer from 1 to 100', 'a bound');
$a = answer(dry_run(source => source(config => { list => 'div.job' })));
is($a->{error}, 'config.fields: is required', 'a required key');
$a = answer(dry_run(source => source(scraper_class => 'static_html')));
is($a->{error}, 'unknown scraper_class "static_html"', 'an unknown scraper_class');
$a = answer(dry_run(source => source(source_url => 42)));
is($a->{error}, 'args.source.source_url: must be a string', 'a source_url that is no string');
$a = answer(dry_run(source => source(id => 'not-a-uuid')));
is($a->{error}, 'args.source.id: must be a uuid or null', 'a bad id');
is(scalar(@r = board_requests()), $before, 'none of them fetched anything');

# 8. a dry run of a saved source: still nothing stored
$a = answer(dry_run(source => source(id => $src, scraper_class => 'greenhouse', source_url => 'acme',
                                     config => { api_base => "$board/gh" })));
ok($a->{ok}, 'a dry run of a saved source');
is(redis('exists', "jobscout:scrape:pending:$src"), 1, '... leaves its pending key alone');
is(stored(), $stored, 'nothing stored by any dry run: jobs, scrape_logs, source health, match tasks');

# 9. past its deadline: dropped; without a reply key: dead
my ($late, $late_id) = dry_run(source => source(), deadline => int(time * 1000) - 1000);
my (undef, $dead_id) = dry_run(source => source(), no_reply => 1);
$a = answer(dry_run(source => source(config => { list => 'div.job', fields => { title => 'h3' } })));
ok($a, 'a dry run queued after them is answered');
is(redis('exists', $late), 0, '... the one past its deadline was not');
like(log_text(), qr/dry run past its deadline, dropped.*\Q$late_id\E/, '... it was dropped');
ok(wait_until(5, sub { grep { /\Q$dead_id\E/ } @{ redis('lrange', 'jobscout:dead', 0, -1) } }),
   'one without a reply key is a dead letter');
is(redis('llen', 'jobscout:queue:scrape:test'), 0, 'the test queue is empty');
ok(!grep({ redis('llen', $_) } @{ redis('keys', 'jobscout:processing:*') }), '... every task acked');

# 10. dry runs go before scrape:high (one run at a time: scrape_concurrency 1)
my $first = add_source(name => 'Dry Run 085', slug => 'dry-run-085', class => 'greenhouse',
                       url => "$board/first/jobs");
my $second = add_source(name => 'Dry Run 085', slug => 'dry-run-085', class => 'greenhouse',
                        url => "$board/second/jobs");
lpush_scrape($first, 'high');
ok(wait_until(5, sub { grep { $_->{path} eq '/first/jobs' } board_requests() }),
   'a slow run is under way');
lpush_scrape($second, 'high');
$a = answer(dry_run(source => source(scraper_class => 'greenhouse', source_url => 'acme',
                                     config => { api_base => "$board/gh" })));
ok(wait_until(10, sub { psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$second'") }),
   '... the run queued before the dry run is done too');
my %t = map { ($_->{path} =~ s/\?.*//r) => $_->{t} } board_requests();
ok(defined $t{'/second/jobs'} && $t{'/gh/v1/boards/acme/jobs'} < $t{'/second/jobs'},
   '... after the dry run, which went first');

stop_daemon();
unlike(log_text(), qr/\b(alert|crit)\b/, 'no alert in the log');

done_testing();
