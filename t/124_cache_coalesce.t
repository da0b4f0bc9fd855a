# The response cache sends one query per page at a time: once a page's
# TTL has run out (and nothing was committed since its query), the first
# request refills it and, while that fill is young (< 500 ms), the others
# get the page it replaces (X-Cache: UPDATING) instead of each sending the
# same query.  A page of an older generation (a commit since its query) is
# never given out so: every request then asks PostgreSQL.  The fill is
# held up by a lock on jobs, so the queries in flight can be counted in
# pg_stat_activity.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);

use JobScout::Cache;
use JobScout::Psql;
use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "$$" . int(rand(1000));
my $slug = "t124-$run";

my $log_start = error_log_size();
my $db = cache_stack(cache => 'jobscout_cache ttl=200ms;');
my $locker = JobScout::Psql->new($ENV{TEST_NGINX_PG});
my $token = JobScout::Token::token();

$db->query("INSERT INTO companies (name, slug, is_active)"
           . " VALUES ('Coalesce $run', '$slug', true)");
$db->query(<<"SQL");
INSERT INTO jobs (company_id, external_id, title, description, location,
                  apply_url, discovered_at, is_active)
SELECT id, '$run', 'Engineer $run', 'Build things.', 'Nairobi',
       'https://apply.example.com/$run', now(), true
  FROM companies WHERE slug = '$slug'
SQL

my $page = "/jobs?company=$slug&limit=20";

# the listing queries of this page waiting for the lock on jobs
sub waiting {
    return $db->query("SELECT count(*) FROM pg_stat_activity"
                      . " WHERE wait_event_type = 'Lock'"
                      . "   AND query LIKE '%FROM jobs j%'");
}

sub until_waiting {
    my ($n) = @_;
    for (1 .. 250) {
        return 1 if waiting() >= $n;
        sleep 0.02;
    }
    return 0;
}

# GETs of the page in child processes, at once: a handle to read their
# "status x-cache length" lines from, and their pids
sub spawn {
    my ($n) = @_;
    my @pids;
    pipe(my $r, my $w) or die "pipe: $!";
    for (1 .. $n) {
        my $pid = fork // die "fork: $!";
        push(@pids, $pid), next if $pid;
        close $r;
        my ($s, $h, $d, $raw) = api('GET', $page, $token);
        syswrite $w, "$s " . ($h->{'x-cache'} // '-') . " "
                     . length($raw // '') . "\n";
        require POSIX;
        POSIX::_exit(0);
    }
    close $w;
    return [ $r, @pids ];
}

sub collect {
    my ($r, @pids) = @{ $_[0] };
    my @lines = <$r>;
    waitpid $_, 0 for @pids;
    chomp @lines;
    return @lines;
}

sub expire { sleep 0.3 }            # past the TTL of 200 ms

ok(warm($page, $token), 'the page is answered from the cache');
my ($s0, $h0, $d0, $raw0) = api('GET', $page, $token);
expire();

# one refill, held up; every other request meanwhile gets the old page
$locker->query("BEGIN; LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
my $filler = spawn(1);
ok(until_waiting(1), 'TTL run out: the first request sends the query');
my @others = collect(spawn(10));
is(scalar(grep { $_ eq "200 UPDATING " . length($raw0) } @others), 10,
   'ten more requests meanwhile: each gets the page being refilled')
    or diag explain \@others;
is(waiting(), 1, 'and none of them sends a query of its own');
$locker->query("ROLLBACK");
my ($fill) = collect($filler);
like($fill, qr/^200 MISS /, 'the refill answers once the lock is gone');
my ($s1, $h1) = api('GET', $page, $token);
is($h1->{'x-cache'}, 'HIT', 'and its answer is kept');

# a refill taken as lost after 500 ms: the next request refills again
expire();
$locker->query("BEGIN; LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
$filler = spawn(1);
ok(until_waiting(1), 'a refill is held up');
sleep 0.6;
my $second = spawn(1);
ok(until_waiting(2), 'after 500 ms the next request sends the query too');
$locker->query("ROLLBACK");
is(scalar(grep { /^200 MISS / } collect($filler), collect($second)), 2,
   'both answer from PostgreSQL');

# a commit since the page's query: the old page is never given out
ok(warm($page, $token), 'the page is cached again');
expire();
$db->query("UPDATE companies SET name = 'Coalesce $run renamed'"
           . " WHERE slug = '$slug'");
sleep 0.2;                          # the notification reaches the workers
$locker->query("BEGIN; LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE");
$filler = spawn(1);
ok(until_waiting(1), 'after a commit the first request sends the query');
$second = spawn(1);
ok(until_waiting(2), 'and so does the next: no older generation is used');
$locker->query("ROLLBACK");
my @after = (collect($filler), collect($second));
is(scalar(grep { /^200 MISS / } @after), 2, 'both answer from PostgreSQL')
    or diag explain \@after;
my ($s2, $h2, $d2) = api('GET', $page, $token);
is($d2->{items}[0]{company}{name} // '',
   "Coalesce $run renamed", 'the page shows the commit');

stop_nginx();
my $errors = grep { /\[(alert|crit|emerg)\]/ } split /\n/,
    error_log_since($log_start);
is($errors, 0, 'no alert in the error log');

done_testing();
