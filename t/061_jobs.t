# GET /api/v1/jobs, /jobs/{id}, /companies, /companies/{slug} and
# /companies/{slug}/jobs: the shape of the answers, every filter alone and
# combined, full-text ranking, small pages, and malformed ids, cursors and
# parameters (422 naming the parameter, 404 for ids).
#
# The fixture's companies are new in each run; listings are scoped to them
# (company=...), so jobs other suites leave in the database do not matter.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(encode_base64url decode_base64url);
use POSIX qw(strftime);
use Time::HiRes qw(sleep);

use JobScout::Psql;
use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "$$" . int(rand(1000));
my ($A, $B, $X) = ("t61a-$run", "t61b-$run", "t61x-$run");

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});
sub psql { $db->query(@_) }

# Jobs by name: company, title, description, location, location_type,
# salary (min, max, currency), skills (the first required), age of listing,
# active.  "android" was posted 10 days ago but found an hour ago: it is
# listed by its posting date.
psql(<<"SQL");
INSERT INTO companies (name, slug, logo_url, careers_url, is_active) VALUES
    ('Acacia Pay $run', '$A', 'https://logos.example.com/acacia.png', 'https://acacia.example.com/jobs', true),
    ('Baobab Labs $run', '$B', NULL, NULL, true),
    ('Xylo Gone $run', '$X', NULL, NULL, false);
CREATE TEMPORARY TABLE fixture (name text, slug text, title text, description text,
    location text, location_type text, smin numeric, smax numeric, cur text,
    skills text[], age interval, posted interval, active boolean);
INSERT INTO fixture VALUES
 ('python', '$A', 'Senior Python Engineer', 'Build APIs with Django.', 'Nairobi, Kenya', 'hybrid', 3000000, 4500000, 'KES', '{Python,django}', '1 hour', NULL, true),
 ('backend', '$A', 'Backend Developer', 'Services in python and Go.', 'Westlands, Nairobi', 'onsite', NULL, NULL, NULL, '{go,python}', '30 minutes', NULL, true),
 ('analyst', '$A', 'Data Analyst', 'SQL dashboards for the sales team.', 'Mombasa, Kenya', 'onsite', 1000000, 1500000, 'KES', '{sql}', '3 days', NULL, true),
 ('android', '$A', 'Android Developer', 'Kotlin apps for low-end phones.', 'Remote (Africa)', 'remote', 40000, 60000, 'USD', '{kotlin,android}', '1 hour', '10 days', true),
 ('frontend', '$B', 'Frontend Engineer', 'React and TypeScript.', 'Remote (100% async)', 'remote', NULL, NULL, NULL, '{react}', '5 hours', NULL, true),
 ('devops', '$B', 'DevOps Engineer', 'Kubernetes, Terraform.', 'Kampala, Uganda', 'onsite', 2000000, 5000000, 'KES', '{kubernetes,terraform}', '1 day', NULL, true),
 ('closed', '$B', 'QA Engineer', 'Closed already.', 'Kigali, Rwanda', 'hybrid', NULL, NULL, NULL, '{}', '10 minutes', NULL, false),
 ('ghost', '$X', 'Ghost Engineer', 'Of an inactive company.', 'Nairobi, Kenya', 'hybrid', NULL, NULL, NULL, '{}', '5 minutes', NULL, true);
INSERT INTO jobs (company_id, external_id, title, description, location, location_type,
                  salary_min, salary_max, salary_currency, apply_url, employment_type,
                  discovered_at, posted_at, is_active)
SELECT c.id, '$run-' || f.name, f.title, f.description, f.location, f.location_type,
       f.smin, f.smax, f.cur, 'https://apply.example.com/' || f.name, 'full_time',
       now() - f.age, now() - f.posted, f.active
  FROM fixture f JOIN companies c ON c.slug = f.slug;
INSERT INTO job_skills (job_id, skill_name, is_required, min_years)
SELECT j.id, s.skill, s.n = 1, CASE WHEN s.n = 1 THEN 2 END
  FROM fixture f JOIN jobs j ON j.external_id = '$run-' || f.name,
       unnest(f.skills) WITH ORDINALITY AS s (skill, n);
SQL

my %id = map { split /\|/ } split /\n/,
    psql("SELECT substr(external_id, length('$run-') + 1), id FROM jobs WHERE external_id LIKE '$run-%'");
my %name = reverse %id;
is(scalar keys %id, 8, 'the fixture is in');

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
    my ($path, $tok) = @_;
    my ($status, $h, $raw) = http_request(
        "GET /api/v1$path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        . (defined $tok ? ($tok ? "Authorization: Bearer $tok\r\n" : '')
                        : "Authorization: Bearer $token\r\n")
        . "\r\n", 10);
    return ($status, eval { decode_json($raw) }, $h);
}

my $scope = "company=$A&company=$B";

# the fixture names a listing answers, in order (scoped unless it names
# companies itself)
sub names {
    my ($query) = @_;
    my ($s, $d) = get('/jobs?' . ($query =~ /company=/ ? '' : "$scope&") . $query);
    return "status $s: " . ($d->{error}{message} // '') unless $s == 200;
    return join ' ', map { $name{ $_->{id} } // "other:$_->{id}" } @{ $d->{items} };
}

# --- tokens ------------------------------------------------------------------

for my $path ('/jobs', "/jobs/$id{python}", '/companies', "/companies/$A", "/companies/$A/jobs") {
    my ($s, $d, $h) = get($path, '');
    is($s, 401, "$path without a token: 401");
    like($h->{'www-authenticate'} // '', qr/^Bearer/, '... with WWW-Authenticate');
}

# --- the listing ---------------------------------------------------------------

my ($s, $d) = get("/jobs?$scope");
is($s, 200, 'the listing: 200');
is_deeply([sort keys %$d], [qw(items next_cursor)], '... items and next_cursor');
is(join(' ', map { $name{ $_->{id} } } @{ $d->{items} }),
   'backend python frontend devops analyst android',
   '... active jobs of active companies, newest first; listed by the posting date');
ok(!defined $d->{next_cursor}, '... one page: next_cursor is null');

my ($python) = grep { $_->{id} eq $id{python} } @{ $d->{items} };
is_deeply($python->{company}, { slug => $A, name => "Acacia Pay $run",
                                logo_url => 'https://logos.example.com/acacia.png' },
          'an item embeds its company: slug, name, logo');
is_deeply($python->{skills}, [ { name => 'Python', required => JSON::PP::true, min_years => 2 },
                               { name => 'django', required => JSON::PP::false, min_years => undef } ],
          '... and its skills, required first');
is_deeply([ @$python{qw(title location location_type salary_min salary_max salary_currency employment_type apply_url)} ],
          [ 'Senior Python Engineer', 'Nairobi, Kenya', 'hybrid', 3000000, 4500000, 'KES', 'full_time', 'https://apply.example.com/python' ],
          '... and its fields');
like($python->{listed_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, '... listed_at is a timestamp');
ok(!exists $python->{description}, '... but not the description');
my ($android) = grep { $_->{id} eq $id{android} } @{ $d->{items} };
isnt($android->{listed_at}, $android->{discovered_at}, 'listed_at is the posting date when it is earlier');

my %filters = (
    "company=$A"                       => 'backend python analyst android',
    "company=$B"                       => 'frontend devops',
    'location=nairobi'                 => 'backend python',
    'location=NAIROBI'                 => 'backend python',
    'location=100%25'                  => 'frontend',
    'location=_'                       => '',
    'location=Remote+(Africa)'         => 'android',
    'location_type=remote'             => 'frontend android',
    'location_type=onsite'             => 'backend devops analyst',
    'location_type=hybrid'             => 'python',
    'q=python'                         => 'backend python',
    'q=PYTHON'                         => 'backend python',
    'q=%22data+analyst%22'             => 'analyst',
    'q=python+-django'                 => 'backend',
    'q=kotlin+or+react'                => 'frontend android',
    'q=the'                            => '',
    'posted_since=' . strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time - 90 * 60)) => 'backend python',
    'posted_since=' . strftime('%Y-%m-%dT%H:%M:%S.123456%%2B03:00', gmtime(time + 3 * 3600 - 6 * 3600)) => 'backend python frontend',
    'posted_since=' . strftime('%Y-%m-%dT%H:%M:%S+03:00', gmtime(time + 3 * 3600 - 6 * 3600)) => 'backend python frontend',
    'posted_since=' . strftime('%Y-%m-%d', gmtime(time - 5 * 86400)) => 'backend python frontend devops analyst',
    'salary_min=4000000'               => 'python devops',
    'salary_min=0'                     => 'python devops analyst android',
    'salary_min=50000&currency=USD'    => 'android',
    'currency=kes'                     => 'python devops analyst',
    'skill=python'                     => 'backend python',
    'skill=Kotlin'                     => 'android',
    'skill=kotlin&skill=react'         => 'frontend android',
    'skill=cobol'                      => '',
);
for my $query (sort keys %filters) {
    is(names($query), $filters{$query}, "filter $query");
}

my %combined = (
    'location_type=onsite&skill=python'                   => 'backend',
    'q=engineer&location=remote'                          => 'frontend',
    'q=engineer&salary_min=1&currency=KES'                => 'python devops',
    "company=$A&location_type=onsite&salary_min=1"        => 'analyst',
    'location=kenya&skill=sql&q=dashboards&salary_min=1000000&currency=KES&location_type=onsite'
                                                          => 'analyst',
    'posted_since=' . strftime('%Y-%m-%d', gmtime(time - 2 * 86400)) . '&q=engineer' => 'python frontend devops',
);
for my $query (sort keys %combined) {
    is(names($query), $combined{$query}, "filters combined: $query");
}

# --- ranking -------------------------------------------------------------------

is(names('q=python&sort=relevance'), 'python backend',
   'sort=relevance: the title match outranks the newer description match');
is(names('q=python&sort=newest'), 'backend python', 'sort=newest: the newer first');
is(names('q=python&sort=relevance&location=nairobi&limit=5'), 'python backend',
   '... ranking combines with filters');

# --- pages -----------------------------------------------------------------------

sub walk {
    my ($query, $limit) = @_;
    my ($cursor, @seen, $pages);
    while (1) {
        my ($st, $page) = get("/jobs?$scope&$query&limit=$limit" . ($cursor ? "&cursor=$cursor" : ''));
        return "status $st" unless $st == 200;
        ok(@{ $page->{items} } <= $limit, "... a page holds at most $limit");
        push @seen, map { $name{ $_->{id} } } @{ $page->{items} };
        $pages++;
        $cursor = $page->{next_cursor} or last;
        like($cursor, qr/^[A-Za-z0-9_-]+$/, '... next_cursor is base64url');
        return 'too many pages' if $pages > 20;
    }
    return join ' ', @seen;
}

# without a filter: every active job of every active company
my ($cursor_all, @all, $pages_all);
do {
    ($s, $d) = get('/jobs?limit=100' . ($cursor_all ? "&cursor=$cursor_all" : ''));
    push @all, map { $name{ $_->{id} } // () } @{ $d->{items} };
    $cursor_all = $d->{next_cursor};
} while ($s == 200 && $cursor_all && ++$pages_all < 10000);
is($s, 200, 'the listing without a filter: 200');
is("@all", 'backend python frontend devops analyst android',
   '... its pages hold the fixture once, in order, and not the inactive');

is(walk('', 2), 'backend python frontend devops analyst android', 'pages of 2 walk every job once, in order');
is(walk('', 6), 'backend python frontend devops analyst android', 'a full page before the end has a next_cursor');
is(walk('q=engineer&sort=relevance', 1), names('q=engineer&sort=relevance'),
   'relevance pages of 1 walk the ranked matches once, in order');

($s, $d) = get("/jobs?$scope&limit=1");
is(scalar @{ $d->{items} }, 1, 'limit=1: one item');
my $cursor = $d->{next_cursor};
like(decode_base64url($cursor), qr/^-?\d+\|[0-9a-f-]{36}$/, 'a newest cursor wraps micros|id');

($s, $d) = get("/jobs?$scope&limit=100");
is($s, 200, 'limit=100 is allowed');

# --- 422 naming the parameter ------------------------------------------------------

my $rank_cursor = do {
    my ($st, $page) = get("/jobs?$scope&q=engineer&sort=relevance&limit=1");
    $page->{next_cursor};
};
like(decode_base64url($rank_cursor), qr/^[0-9.e-]+\|-?\d+\|[0-9a-f-]{36}$/, 'a relevance cursor wraps rank|micros|id');

# the cursors of this run refused where they do not belong (every other
# refused parameter: t/061_jobs_requests.t)
my @invalid = (
    [ "cursor=$rank_cursor", 'cursor' ],
    [ "cursor=$cursor&sort=relevance&q=engineer", 'cursor' ],
);
for my $case (@invalid) {
    my ($query, $field) = @$case;
    my ($st, $e) = get("/jobs?$query");
    is($st, 422, "$query: 422");
    is($e->{error}{field}, $field, "... naming $field");
    is($e->{error}{code}, 'validation_failed', '... validation_failed');
}

($s, $d) = get("/jobs?$scope&&limit=2&");
is($s, 200, 'empty pairs between & are ignored');

# --- one job -----------------------------------------------------------------------

($s, $d) = get("/jobs/$id{python}");
is($s, 200, 'GET /jobs/{id}: 200');
is($d->{description}, 'Build APIs with Django.', '... with the description');
ok($d->{is_active}, '... active');
is($d->{company}{slug}, $A, '... and the company');
($s, $d) = get("/jobs/" . uc $id{python});
is($s, 200, 'an upper-case id is the same job');

($s, $d) = get("/jobs/$id{closed}");
is($s, 200, 'an inactive job is still shown');
ok(!$d->{is_active}, '... as inactive');
($s, $d) = get("/jobs/$id{ghost}");
ok($s == 200 && !$d->{is_active}, "a job of an inactive company is shown as inactive");

for my $bad ("$id{python}x", substr($id{python}, 1)) {
    ($s, $d) = get("/jobs/$bad");
    is($s, 404, "GET /jobs/$bad: 404");
    is($d->{error}{code}, 'not_found', '... not_found');
}
($s, $d) = get("/jobs/$id{python}?x=1");
is($s, 422, 'GET /jobs/{id} with a parameter: 422');

# --- companies -----------------------------------------------------------------------

($s, $d) = get('/companies');
is($s, 200, 'GET /companies: 200');
my %companies = map { $_->{slug} => $_ } @{ $d->{items} };
is($companies{$A}{active_jobs}, 4, '... with the count of active jobs');
is($companies{$B}{active_jobs}, 2, '... of each company');
ok(!$companies{$X}, '... not the inactive company');
is_deeply([sort keys %{ $companies{$A} }], [qw(active_jobs careers_url logo_url name slug)], '... its fields');
my @names = map { $_->{name} } @{ $d->{items} };
is_deeply(\@names, [sort { $a cmp $b } @names], '... by name');

($s, $d) = get("/companies/$A");
is($s, 200, 'GET /companies/{slug}: 200');
is($d->{name}, "Acacia Pay $run", '... the company');
is($d->{active_jobs}, 4, '... with its count of active jobs');
ok($d->{created_at}, '... and created_at');

for my $bad ($X, "nope-$run") {
    ($s, $d) = get("/companies/$bad");
    is($s, 404, "GET /companies/$bad: 404");
    ($s, $d) = get("/companies/$bad/jobs");
    is($s, 404, "GET /companies/$bad/jobs: 404");
}

($s, $d) = get("/companies/$A/jobs");
is($s, 200, 'GET /companies/{slug}/jobs: 200');
is(join(' ', map { $name{ $_->{id} } } @{ $d->{items} }), 'backend python analyst android', '... its active jobs, newest first');
($s, $d) = get("/companies/$A/jobs?location_type=remote");
is(join(' ', map { $name{ $_->{id} } } @{ $d->{items} }), 'android', '... filtered');
($s, $d) = get("/companies/$A/jobs?limit=3");
my $next = $d->{next_cursor};
($s, $d) = get("/companies/$A/jobs?limit=3&cursor=$next");
is(join(' ', map { $name{ $_->{id} } } @{ $d->{items} }), 'android', '... paged');
($s, $d) = get("/companies/$A/jobs?company=$B");
is($s, 422, 'GET /companies/{slug}/jobs?company=...: 422');
is($d->{error}{field}, 'company', '... naming company');

stop_nginx();
my $log = error_log_since($log_start);
unlike($log, qr/\[alert\]|exited on signal/, 'no alert, no crash');
unlike($log, qr/jobscout: \d+ internal_error|query failed/, 'no query failed');
like($log, qr/PostgreSQL NOTICE: text-search query contains only stop words/,
     'a notice of PostgreSQL goes to the error log');

done_testing();
