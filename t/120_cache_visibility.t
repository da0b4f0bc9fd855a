# The response cache never hides a commit for more than a second: a job
# inserted, changed or expired (committed by psql, as jobscoutd commits) is
# visible in the listing, the search, a company's listing and the job's
# own page within 1 s, each page answered from the cache just before the
# commit, however long the answers may be kept (ttl=30s).  A commit whose
# notification never comes (triggers suppressed) still shows once the
# default TTL (1 s) has run out.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);

use JobScout::Cache;
use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "$$" . int(rand(1000));
my $slug = "t120-$run";
my $word = "quokkafish$run";

# answers kept 30 s: only the commits' notifications can show a change
# within 1 s (the TTL's own bound is tested last, with the default 1 s)
my $log_start = error_log_size();
my $db = cache_stack(cache => 'jobscout_cache ttl=30s;');
my $token = JobScout::Token::token();

$db->query("INSERT INTO companies (name, slug, is_active)"
           . " VALUES ('Quokka $run', '$slug', true)");

sub add_job {
    my ($name) = @_;
    return $db->query(<<"SQL");
INSERT INTO jobs (company_id, external_id, title, description, location,
                  apply_url, discovered_at, is_active)
SELECT id, '$run-$name', 'Senior $word $name', 'Build things.', 'Nairobi',
       'https://apply.example.com/$run-$name', now(), true
  FROM companies WHERE slug = '$slug'
RETURNING id
SQL
}

my %id = (first => add_job('first'));

# the pages a job shows in: path, and whether it lists (else: one job)
my @pages = (
    [ listing => "/jobs?company=$slug&limit=20" ],
    [ search => "/jobs?q=$word&limit=20" ],
    [ company => "/companies/$slug/jobs?limit=20" ],
);

sub titles { join ',', sort map { $_->{title} } @{ $_[0]{items} } }

# each case: what psql commits, what every listing shows after it, what
# the job's page shows after it
my @cases = (
    [ 'insert',
      sub { $id{second} = add_job('second') },
      "Senior $word first,Senior $word second" ],
    [ 'update',
      sub { $db->query("UPDATE jobs SET title = 'Senior $word renamed'"
                       . " WHERE id = '$id{first}'") },
      "Senior $word renamed,Senior $word second" ],
    [ 'expiry',
      sub { $db->query("UPDATE jobs SET is_active = false,"
                       . " expires_at = now() WHERE id = '$id{second}'") },
      "Senior $word renamed" ],
);

for my $case (@cases) {
    my ($what, $commit, $expect) = @$case;

    for my $page (@pages) {
        ok(warm($page->[1], $token),
           "$what: the $page->[0] is answered from the cache before");
    }
    # a new job's page was never cached (a 404 is not kept)
    my $job = $what eq 'insert' ? undef
            : "/jobs/" . ($what eq 'expiry' ? $id{second} : $id{first});
    ok(warm($job, $token), "$what: the job's page too") if $job;

    $commit->();

    for my $page (@pages) {
        my $took = until_seen($page->[1], $token,
                              sub { titles($_[0]) eq $expect });
        ok(defined $took && $took < $JobScout::Cache::Bound,
           "$what: the $page->[0] shows it within 1 s")
            or diag defined $took ? "took $took s" : 'never';
    }

    next unless $job;
    my $took = until_seen($job, $token, sub {
        $what eq 'expiry' ? !$_[0]{is_active}
                          : $_[0]{title} eq "Senior $word renamed"
    });
    ok(defined $took && $took < $JobScout::Cache::Bound,
       "$what: the job's page shows it within 1 s")
        or diag defined $took ? "took $took s" : 'never';
}

# a scrape's bookkeeping (seen again, matched) changes nothing shown:
# the page stays cached
# (a page filled just now, so its TTL cannot run out meanwhile)
my $fresh = "/jobs?company=$slug&limit=19";
ok(warm($fresh, $token), 'bookkeeping: a new page is filled and cached');
$db->query("UPDATE jobs SET last_seen_at = now(), missed_scrapes = 0,"
           . " match_queued_at = now() WHERE id = '$id{first}'");
my $kept = 1;
for (1 .. 5) {
    sleep 0.02;
    my ($s, $h) = api('GET', $fresh, $token);
    $kept = 0 if ($h->{'x-cache'} // '') ne 'HIT';
}
ok($kept, 'bookkeeping: the listing stays cached after the UPDATE');

# a commit no trigger tells of: the TTL (1 s, from before the query that
# filled the page) is the bound, plus one poll on a busy machine
stop_nginx();
cache_stack();
ok(warm($pages[0][1], $token), 'silent commit: the listing is cached');
$db->query("SET session_replication_role = replica;"
           . " UPDATE jobs SET title = 'Senior $word silent'"
           . "  WHERE id = '$id{first}';"
           . " RESET session_replication_role");
my $took = until_seen($pages[0][1], $token,
                      sub { titles($_[0]) eq "Senior $word silent" });
ok(defined $took && $took < $JobScout::Cache::Bound + 0.5,
   'silent commit: shown once the TTL ran out')
    or diag defined $took ? "took $took s" : 'never';

# the readiness probe: its answer is kept a moment (ready=250ms) while
# the worker's connections are up
my $hit = 0;
for (1 .. 20) {
    my ($s, $h) = http_request("GET /health/ready");
    $hit = 1, last if $s == 200 && ($h->{'x-cache'} // '') eq 'HIT';
}
ok($hit, 'the readiness probe is answered from the cache');

stop_nginx();
my $errors = grep { /\[(alert|crit|emerg)\]/ } split /\n/,
    error_log_since($log_start);
is($errors, 0, 'no alert in the error log');

done_testing();
