# At 50,000 jobs, the listing's query reads jobs through an index for every
# filter, alone and combined, and for a cursor deep in the list: no
# sequential scan of jobs.  The plans are those of the module's own query
# text and values (GET /api/v1/_test/explain/jobs runs EXPLAIN on exactly
# what GET /api/v1/jobs would run, and the statements prepared for the
# listing without a filter are also explained with a generic plan), in a
# database of their own, made by the migrations and loaded by
# t/bench/seed.sql.
#
# sort=relevance ranks every match before it can answer: for a word in
# many jobs (one in ten, here) reading the table costs PostgreSQL about what
# the GIN index and then most of the table's pages would, and it may choose
# either; ranking is checked here with a selective word (one job in twenty).
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(encode_base64url decode_base64url);
use Time::HiRes qw(sleep time);

use JobScout::Psql;
use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $root = $ENV{TEST_JOBSCOUT_ROOT};
my $dbname = "jobscout_explain_$$";
(my $conninfo = $ENV{TEST_NGINX_PG}) =~ s/\bdbname=\S+/dbname=$dbname/
    or die "no dbname= in TEST_NGINX_PG";

my $admin = JobScout::Psql->new($ENV{TEST_NGINX_PG});
$admin->query("CREATE DATABASE $dbname");

my $t0 = time;
system("$root/sql/migrate.sh '$conninfo' >/dev/null") == 0 or BAIL_OUT('migrations failed');
system('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', 'companies=200', '-v', 'jobs=50000',
       '-v', 'users=0', '-v', 'alerts=20', '-d', $conninfo, '-f', "$root/t/bench/seed.sql") == 0
    or BAIL_OUT('seeding failed');
my $db = JobScout::Psql->new($conninfo);
is($db->query('SELECT count(*) FROM jobs WHERE is_active'), 50000, sprintf('50,000 jobs loaded in %.1f s', time - $t0));

write_config(workers => 1,
             http_config => <<"EOC",
    jobscout_postgres "$conninfo";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    jobscout_test_endpoints on;
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
    return ($status, eval { decode_json($raw) }, $raw);
}

# every node of a plan
sub nodes {
    my ($node) = @_;
    return ($node, map { nodes($_) } @{ $node->{Plans} // [] });
}

my $company = 'bench-' . lc('Tembo') . '-pay-3';
my $deep = do {
    my $micros = $db->query("SELECT (extract(epoch FROM listed_at) * 1000000)::bigint || '|' || id"
                            . " FROM jobs WHERE is_active ORDER BY listed_at DESC, id DESC OFFSET 40000 LIMIT 1");
    encode_base64url($micros);
};
my $rank_cursor = do {
    my ($s, $page) = get('/jobs?q=mvua&sort=relevance&limit=100');
    $page->{next_cursor};
};
ok($rank_cursor, 'a relevance cursor to start from');

my @queries = (
    '',
    "company=$company",
    "company=$company&company=bench-safari-pay-0",
    'location=nairobi', 'location=kigali', 'location=KE', 'location=a',
    'location_type=remote', 'location_type=onsite', 'location_type=hybrid',
    'q=python', 'q=rust', 'q=engineer', 'q=%22machine+learning%22', 'q=nosuchword', 'q=the',
    'q=mvua&sort=relevance', "q=mvua&sort=relevance&cursor=$rank_cursor",
    "q=mvua+developer&sort=relevance&location_type=remote",
    'posted_since=2020-01-01', 'posted_since=2099-01-01',
    'salary_min=1000', 'salary_min=10000000',
    'currency=KES', 'currency=USD',
    'skill=python', 'skill=rust&skill=go', 'skill=nosuchskill',
    "cursor=$deep", "cursor=$deep&limit=100",
    "location=nairobi&skill=python&q=engineer&salary_min=2000000&currency=KES",
    "company=$company&location_type=remote&q=developer",
    'location=remote&posted_since=2020-01-01&skill=kotlin',
);

# the plan's nodes that read jobs
sub on_jobs {
    my ($plan) = @_;
    return grep { ($_->{'Relation Name'} // '') eq 'jobs' } nodes($plan->[0]{Plan});
}

my %prepared;
for my $query (@queries) {
    my ($s, $answer, $raw) = get("/_test/explain/jobs?$query");
    is($s, 200, "EXPLAIN ?$query") or diag $raw;
    my @on_jobs = on_jobs($answer->{plan});
    my @indexes = map { $_->{'Index Name'} // () } nodes($answer->{plan}[0]{Plan});
    ok(@on_jobs && !grep({ $_->{'Node Type'} eq 'Seq Scan' } @on_jobs),
       "... reads jobs by index only: @indexes") or diag $raw;

    # A prepared statement (the listing without a filter) may run its
    # generic plan, made without the values: that one too.
    my $name = $answer->{statement} or next;
    $prepared{$name}++;
    my ($limit) = $query =~ /limit=(\d+)/;
    my ($cursor) = $query =~ /cursor=([\w-]+)/;
    my @values = ($limit // 20);
    push @values, map { "'$_'" } split /\|/, decode_base64url($cursor) if $cursor;
    my $plan = decode_json($db->query(
        "SET plan_cache_mode = force_generic_plan;"
        . " PREPARE listing AS $answer->{sql};"
        . " EXPLAIN (FORMAT JSON) EXECUTE listing(" . join(', ', @values) . ");"
        . " DEALLOCATE listing; RESET plan_cache_mode"));
    @on_jobs = on_jobs($plan);
    ok(@on_jobs && !grep({ $_->{'Node Type'} eq 'Seq Scan' } @on_jobs),
       "... and the generic plan of $name: "
       . join(' ', map { $_->{'Index Name'} // () } @on_jobs));
    ok(grep({ ($_->{'Index Cond'} // '') =~ /listed_at/ } @on_jobs),
       '... which starts from the cursor in the index') if $cursor;
}
is_deeply([sort keys %prepared], [qw(jobs_first jobs_next)],
          'the listing without a filter runs the prepared jobs_first and jobs_next');

# and the answers themselves, at this size
for my $query ('limit=20', 'q=python&limit=20', "company=$company&limit=20", 'skill=python&location=nairobi') {
    my ($s, $page) = get("/jobs?$query");
    ok($s == 200 && @{ $page->{items} } > 0, "GET /jobs?$query answers");
}

stop_nginx();
undef $db;
$admin->query("DROP DATABASE $dbname WITH (FORCE)");
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal|query failed/, 'no alert, no crash, no failed query');

done_testing();
