# Cross-source dedup: a second board of the same company lists a job of
# the first under another spelling of its title (same canonical key),
# another with a different title but the same description (SimHash),
# and one new job.  The first two are stored as duplicates of the first
# board's jobs and never go on the match queue: the same job alerts once.
use strict;
use warnings;

use Test::More;
use JSON::PP;

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $json = JSON::PP->new->canonical;

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');

start_board();
my $board = $json->decode(do { local $/; open my $fh, '<', "$root/t/fixtures/greenhouse/jobs.json" or die $!; <$fh> });
my @j = @{ $board->{jobs} }[0 .. 2];
my %copy = (
    5000001 => { %{ $j[0] }, id => 5000001, title => "Senior Backend Engineer \x{2013} Go" },
    5000002 => { %{ $j[1] }, id => 5000002, title => 'Sr. Data Analyst (Hybrid)' },
    5000003 => { %{ $j[2] }, id => 5000003, title => 'Platform Engineer',
                 content => '&lt;p&gt;Run our Kubernetes clusters, own the on-call rotation '
                          . 'and the deployment pipeline of forty services.&lt;/p&gt;' },
);
$_->{absolute_url} =~ s/(\d+)$/$_->{id}/ for values %copy;
open my $fh, '>', "$dir/board/second.json" or die $!;
print $fh JSON::PP->new->utf8->canonical->encode({ jobs => [map { $copy{$_} } sort keys %copy],
                                                   meta => { total => 3 } });
close $fh;

board_routes({ '/gh/v1/boards/first/jobs'  => { file => 'greenhouse/jobs.json' },
               '/gh/v1/boards/second/jobs' => { file => "$dir/board/second.json" } });

my %src;
for my $name (qw(first second)) {
    $src{$name} = add_source(name => 'Dedup Acme', slug => 'dedup-acme-083',
                             class => 'greenhouse', url => $name,
                             config => { api_base => board_url() . '/gh' });
}

write_conf(workers => { scraper => 1 }, set => { scrape_host_delay => '0' });
start_daemon();

sub run_once {
    my ($name) = @_;
    my $q = "SELECT count(*) FROM scrape_logs WHERE source_id = '$src{$name}'";
    my $n = psql($q);
    lpush_scrape($src{$name});
    wait_until(15, sub { psql($q) > $n }) or return 'no run';
    return psql("SELECT concat_ws('|', status, jobs_found, new_jobs, error_message)"
                . " FROM scrape_logs WHERE source_id = '$src{$name}' ORDER BY started_at DESC LIMIT 1");
}

sub job_id {
    my ($name, $ext) = @_;
    return psql("SELECT id FROM jobs WHERE source_id = '$src{$name}' AND external_id = '$ext'");
}

sub matched { return map { @{ $_->{args}{job_ids} } } match_tasks() }

is(run_once('first'), 'success|4|4', 'the first board: 4 new jobs');
is(psql("SELECT duplicate_jobs FROM scrape_logs WHERE source_id = '$src{first}'"), 0,
   '... no duplicate among them');
is(scalar(my @m = matched()), 4, '... all 4 queued for matching');

is(run_once('second'), 'success|3|3', 'the second board: 3 rows stored');
is(psql("SELECT duplicate_jobs FROM scrape_logs WHERE source_id = '$src{second}'"), 2,
   '... its scrape_logs row counts 2 duplicates');
is(psql("SELECT duplicate_of FROM jobs WHERE source_id = '$src{second}' AND external_id = '5000001'"),
   job_id('first', '4012345'), 'the same title spelled otherwise is a duplicate (canonical key)');
is(psql("SELECT duplicate_of FROM jobs WHERE source_id = '$src{second}' AND external_id = '5000002'"),
   job_id('first', '4012346'), 'another title with the same description is a duplicate (SimHash)');
is(psql("SELECT duplicate_of IS NULL FROM jobs WHERE source_id = '$src{second}' AND external_id = '5000003'"),
   't', 'a different job is not');

my @ids = matched();
is(scalar @ids, 5, 'one more job queued for matching');
my %seen;
is(scalar(grep { $seen{$_}++ } @ids), 0, '... no job queued twice');
ok($seen{ job_id('second', '5000003') }, '... the new one');
ok(!$seen{ job_id('second', '5000001') } && !$seen{ job_id('second', '5000002') },
   '... never the duplicates');

is(run_once('second'), 'success|0|0', 'the second board again (304)');
is(psql("SELECT duplicate_jobs FROM scrape_logs WHERE source_id = '$src{second}'"
        . " ORDER BY started_at DESC LIMIT 1"), 0, '... counts no duplicate (none stored)');
is(scalar(my @again = matched()), 5, '... queues nothing more');

done_testing();
