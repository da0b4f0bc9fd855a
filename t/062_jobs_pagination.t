# Keyset pagination walks every row exactly once while jobs are inserted
# concurrently: a psql session commits new jobs all through the walk (older,
# newer and at the very timestamps of existing ones), and more are inserted
# between pages at the timestamp of the last row sent.  Many jobs share a
# timestamp, so the id tiebreak is exercised.  Without a filter (prepared
# statements), with one (the company), and by rank.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep);

use JobScout::Psql;
use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "$$" . int(rand(1000));
my $slug = "t62-$run";
my $jobs = 200;         # 20 timestamps, 10 jobs each

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});
sub psql { $db->query(@_) }

# titles "Engineer", "Senior Engineer" or "Engineer Engineer": three ranks
psql(<<"SQL");
INSERT INTO companies (name, slug) VALUES ('Pagination $run', '$slug');
INSERT INTO jobs (company_id, external_id, title, description, discovered_at)
SELECT c.id, 'orig-' || n,
       (ARRAY['Engineer', 'Senior Engineer', 'Engineer Engineer'])[n % 3 + 1],
       'Writes software.', now() - interval '1 hour' - (n / 10) * interval '1 minute'
  FROM companies c, generate_series(0, $jobs - 1) AS n
 WHERE c.slug = '$slug';
SQL

my %original = map { $_ => 1 } split /\n/,
    psql("SELECT j.id FROM jobs j JOIN companies c ON c.id = j.company_id WHERE c.slug = '$slug'");
is(scalar keys %original, $jobs, "$jobs jobs in 20 timestamps");

write_config(workers => 1,
             http_config => <<"EOC",
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
EOC
             config => 'location / { jobscout_api; }');
my $log_start = error_log_size();
my ($ok, $err) = start_nginx();
ok($ok, 'nginx starts') or diag $err;
for (1 .. 100) { my ($s) = http_request("GET /health/ready"); last if $s && $s == 200; sleep 0.03 }

my $token = JobScout::Token::token();

sub get {
    my ($path) = @_;
    my ($status, $h, $raw) = http_request(
        "GET /api/v1$path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        . "Authorization: Bearer $token\r\n\r\n", 10);
    return ($status, eval { decode_json($raw) });
}

# a psql session committing one job every 2 ms: older, newer, and on the
# existing timestamps (n / 10 minutes back, as the fixture's)
sub start_inserter {
    my ($tag) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        exec 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $ENV{TEST_NGINX_PG}, '-c', <<"SQL";
DO \$\$
DECLARE
    company uuid := (SELECT id FROM companies WHERE slug = '$slug');
BEGIN
    FOR i IN 1..200 LOOP
        INSERT INTO jobs (company_id, external_id, title, description, discovered_at)
        VALUES (company, '$tag-' || i,
                (ARRAY['Engineer', 'Senior Engineer', 'Engineer Engineer'])[i % 3 + 1],
                'Writes software.',
                CASE i % 3
                WHEN 0 THEN now() - interval '1 hour' - (i % 20) * interval '1 minute'
                WHEN 1 THEN now() - interval '5 hours' * random()
                ELSE now() END);
        COMMIT;
        PERFORM pg_sleep(0.002);
    END LOOP;
END
\$\$;
SQL
        exit 127;
    }
    return $pid;
}

sub count_jobs {
    psql("SELECT count(*) FROM jobs j JOIN companies c ON c.id = j.company_id WHERE c.slug = '$slug'");
}

sub walk {
    my ($path, $tag, $original) = @_;
    my ($cursor, @seen, $pages, $between);
    my $before = count_jobs();
    my $inserter = start_inserter($tag);

    # walk once the inserter is under way
    for (1 .. 500) { last if count_jobs() > $before; sleep 0.01 }
    $before = count_jobs();

    while (1) {
        my ($s, $page) = get("$path" . ($cursor ? "&cursor=$cursor" : ''));
        if ($s != 200) {
            fail("page $pages: status $s");
            last;
        }
        push @seen, map { $_->{id} } @{ $page->{items} };
        $pages++;
        $cursor = $page->{next_cursor} or last;
        if ($pages > 2000) {
            fail("$tag: more than 2000 pages");
            last;
        }

        # more jobs exactly at the timestamp of the last row sent
        my $last = $page->{items}[-1]{id};
        psql("INSERT INTO jobs (company_id, external_id, title, description, discovered_at)
              SELECT c.id, '$tag-between-$pages', 'Engineer', 'Writes software.', j.listed_at
                FROM jobs j, companies c WHERE j.id = '$last' AND c.slug = '$slug'");
        $between++;
    }

    my $during = count_jobs() - $before;
    waitpid $inserter, 0;
    is($? >> 8, 0, "$tag: the concurrent inserter ran without error");
    ok($during > $between, "$tag: jobs were inserted concurrently with the walk ("
                           . ($during - $between) . " by the inserter, $between between pages)");

    my %count;
    $count{$_}++ for @seen;
    my @twice = grep { $count{$_} > 1 } keys %count;
    my @missed = grep { !$count{$_} } keys %$original;
    ok(!@twice, "$tag: no job is sent twice") or diag scalar(@twice) . " sent twice";
    ok(!@missed, "$tag: every job that existed before the walk is sent") or diag scalar(@missed) . " missed";
    return \@seen;
}

# the order as the database sees it
sub in_order {
    my ($seen, $key) = @_;
    my $list = join ',', map { "('$seen->[$_]'::uuid, $_)" } 0 .. $#$seen;
    return psql(<<"SQL");
SELECT count(*) FROM (
    SELECT s.n, $key AS k, j.id,
           lag($key) OVER (ORDER BY s.n) AS prev_k, lag(j.id) OVER (ORDER BY s.n) AS prev_id
      FROM (VALUES $list) AS s (id, n) JOIN jobs j ON j.id = s.id) AS t
 WHERE prev_k IS NOT NULL AND (k, id) >= (prev_k, prev_id)
SQL
}

# every listed job: the statements prepared for listings without a filter
my %listed = map { $_ => 1 } split /\n/,
    psql("SELECT j.id FROM jobs j JOIN companies c ON c.id = j.company_id WHERE j.is_active AND c.is_active");
my $seen = walk('/jobs?sort=newest&limit=37', 'unfiltered', \%listed);
is(in_order($seen, 'j.listed_at'), 0, 'unfiltered: every page follows the last, (listed_at, id) strictly descending');

$seen = walk("/companies/$slug/jobs?sort=newest&limit=9", 'newest', \%original);
is(in_order($seen, 'j.listed_at'), 0, 'newest: every page follows the last, (listed_at, id) strictly descending');

$seen = walk("/companies/$slug/jobs?q=engineer&sort=relevance&limit=9", 'relevance', \%original);
my $rank = "ts_rank(j.search, websearch_to_tsquery('english', 'engineer'))";
is(psql("SELECT count(*) FROM (SELECT $rank AS r, j.listed_at, j.id FROM jobs j WHERE j.id IN ("
        . join(',', map { "'$_'" } @$seen) . ")) x"), scalar @$seen, 'relevance: the jobs sent exist');
is(in_order($seen, "($rank, j.listed_at)"), 0,
   'relevance: (rank, listed_at, id) strictly descending across pages');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal|query failed/, 'no alert, no crash, no failed query');

done_testing();
