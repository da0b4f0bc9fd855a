# /api/v1/admin/companies: an operator creates, reads, lists, changes and
# deactivates companies; every change leaves one audit row written in the
# same statement, a refused request leaves nothing, and only a user who is
# an admin in the database right now gets in.  (Request-by-request refusals:
# t/101_admin_companies_requests.t.)
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP ();

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Token qw(token);
use JobScout::Tracker;
use JobScout::Admin qw(openapi_fields);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

start_api();

my ($admin, $atok) = admin('wanjiru');
my ($plain, $utok) = user('otieno');

sub counts {
    return psql("SELECT (SELECT count(*) FROM companies) || '/'"
                . " || (SELECT count(*) FROM admin_audit)");
}

sub audit {
    my ($target, $n) = @_;
    my $rows = psql("SELECT coalesce(json_agg(a ORDER BY a.created_at DESC)"
                    . " , '[]') FROM (SELECT * FROM admin_audit"
                    . " WHERE target_id = '$target' ORDER BY created_at DESC"
                    . " LIMIT " . ($n // 1) . ") a");
    return JSON::PP::decode_json($rows);
}

# --- who gets in ------------------------------------------------------------

my ($s, $d) = api(GET => '/admin/companies');
is($s, 401, 'no token: 401');
($s, $d) = api(GET => '/admin/companies', undef, $utok);
is($s, 403, 'a user: 403');
is($d->{error}{code}, 'forbidden', '... forbidden');
my $claims_admin = token(claims => { sub => $plain, role => 'admin' });
my $before = counts();
($s, $d) = api(POST => '/admin/companies', { name => 'Sneaky' },
               $claims_admin);
is($s, 403, 'a token claiming admin for a user who is not: 403');
is(counts(), $before, '... and nothing was written');

# --- create -----------------------------------------------------------------

($s, $d) = api(POST => '/admin/companies',
               { name => "Safaricom PLC (Kenya) \x{2014} M-Pesa",
                 careers_url => 'https://careers.safaricom.example/jobs' },
               $atok);
is($s, 201, 'create: 201');
my $saf = $d;
like($saf->{id}, qr/^[0-9a-f-]{36}$/, '... an id');
is($saf->{slug}, 'safaricom-plc-kenya-m-pesa',
   '... the slug made from the name');
is($saf->{careers_url}, 'https://careers.safaricom.example/jobs',
   '... the careers URL');
is($saf->{logo_url}, undef, '... no logo');
ok($saf->{is_active}, '... active');
is_deeply([@$saf{qw(sources active_jobs)}], [0, 0],
          '... nothing counted yet');
my $a = audit($saf->{id});
is(scalar @$a, 1, 'one audit row');
is($a->[0]{action}, 'company.create', '... company.create');
is($a->[0]{target_type}, 'company', '... of a company');
is($a->[0]{admin_id}, $admin, '... by the admin');
is($a->[0]{before}, undef, '... nothing before');
is($a->[0]{after}{slug}, $saf->{slug}, '... the row after');
like($a->[0]{request_id}, qr/^[0-9a-f]{32}$/, '... and the request id');

($s, $d) = api(POST => '/admin/companies',
               { name => 'Twiga Foods', slug => 'twiga',
                 logo_url => 'http://cdn.example/twiga.png',
                 careers_url => undef }, $atok);
is($s, 201, 'create with a slug of its own: 201');
my $twiga = $d;
is($twiga->{slug}, 'twiga', '... that slug');
is($twiga->{careers_url}, undef, '... a null URL is none');

$before = counts();
($s, $d) = api(POST => '/admin/companies', { name => 'Twiga Two',
                                             slug => 'twiga' }, $atok);
is($s, 409, 'a slug taken: 409');
is($d->{error}{code}, 'conflict', '... conflict');
is($d->{error}{message}, 'a company with this slug already exists',
   '... said for people');
($s, $d) = api(POST => '/admin/companies', { name => 'twiga' }, $atok);
is($s, 409, 'a name whose slug is taken: 409');
($s, $d) = api(POST => '/admin/companies',
               { name => 'Good', careers_url => 'ftp://x.example/' }, $atok);
is($s, 422, 'a refused field: 422');
is($d->{error}{field}, 'careers_url', '... naming it');
is(counts(), $before, 'no company and no audit row from refused requests');

# --- get --------------------------------------------------------------------

my $src = psql("INSERT INTO job_sources (company_id, scraper_class,"
               . " source_url) VALUES ('$saf->{id}', 'greenhouse',"
               . " 'https://boards.example/saf') RETURNING id");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url,"
     . " is_active) VALUES ('$saf->{id}', 'lever', 'https://l.example/s',"
     . " false)");
job($saf->{id}, title => "'Data Engineer'") for 1 .. 3;
job($saf->{id}, is_active => 'false');

($s, $d) = api(GET => "/admin/companies/$saf->{id}", undef, $atok);
is($s, 200, 'get: 200');
is($d->{name}, $saf->{name}, '... the company');
is_deeply([@$d{qw(sources active_jobs)}], [2, 3],
          '... its sources (active or not) and listed jobs counted');
like($d->{created_at}, qr/^\d{4}-\d\d-\d\dT/, '... with its times');
is_deeply([sort keys %$d], openapi_fields('AdminCompany'),
          '... the fields conf/openapi.json describes');
($s, $d) = api(GET => '/admin/companies/not-a-uuid', undef, $atok);
is($s, 404, 'a malformed id: 404');
($s, $d) = api(GET => '/admin/companies/00000000-0000-4000-8000-00000000dead',
               undef, $atok);
is($s, 404, 'an unknown id: 404');
is($d->{error}{message}, 'no such company', '... no such company');
($s, $d) = api(GET => "/admin/companies/$saf->{id}", undef, $utok);
is($s, 403, 'get as a user: 403');

# --- list -------------------------------------------------------------------

my @made = ($saf->{id}, $twiga->{id});
for my $name ('Kopo Kopo', 'Andela Kenya', 'Cellulant', 'BRCK') {
    ($s, $d) = api(POST => '/admin/companies', { name => $name }, $atok);
    push @made, $d->{id};
}
psql("UPDATE companies SET is_active = false WHERE slug = 'brck'");
my $total = psql("SELECT count(*) FROM companies");

my (@seen, @sizes, $cursor, $pages);
do {
    ($s, $d) = api(GET => '/admin/companies?limit=2'
                          . ($cursor ? "&cursor=$cursor" : ''), undef, $atok);
    push @sizes, $s == 200 ? scalar @{ $d->{items} } : "status $s";
    push @seen, map { $_->{id} } @{ $d->{items} || [] };
    $cursor = $d->{next_cursor};
    $pages++;
} while ($cursor && $pages < 50);
ok(!grep({ !/^[12]$/ } @sizes), 'pages of 1 or 2, each 200')
    or diag("@sizes");
is(scalar @seen, $total, 'the pages hold every company');
my %u = map { $_ => 1 } @seen;
is(scalar keys %u, $total, '... once each');
is_deeply([@seen[0 .. 5]], [reverse @made], '... newest first');
is($pages, int(($total + 1) / 2), '... in as many pages as needed');

# every company a query lists (other suites' too), over all its pages
sub listed {
    my ($query) = @_;
    my (@items, $cursor);
    for (1 .. 100) {
        my ($s, $d) = api(GET => "/admin/companies?limit=100$query"
                                 . ($cursor ? "&cursor=$cursor" : ''),
                          undef, $atok);
        return "status $s" unless $s == 200;
        push @items, @{ $d->{items} };
        $cursor = $d->{next_cursor} or last;
    }
    return \@items;
}

my %mine = map { $_ => 1 } @made;
sub mine { [sort map { $_->{slug} } grep { $mine{$_->{id}} } @{ $_[0] }] }

my $items = listed('&q=KENYA');
is_deeply(mine($items), ['andela-kenya', 'safaricom-plc-kenya-m-pesa'],
          'q: a fragment of the name, case-blind');
ok(!grep({ "$_->{name} $_->{slug}" !~ /kenya/i } @$items),
   '... and only such companies');
is_deeply(mine(listed('&q=plc-kenya')), ['safaricom-plc-kenya-m-pesa'],
          'q: or of the slug');
$items = listed('&active=false');
is_deeply(mine($items), ['brck'], 'active=false: the inactive ones');
ok(!grep({ $_->{is_active} } @$items), '... only');
$items = listed('&active=true');
is_deeply(mine($items), [sort grep { $_ ne 'brck' } map { $_->{slug} }
                         grep { $mine{$_->{id}} } @{ listed('') }],
          'active=true: the active ones');
ok(!grep({ !$_->{is_active} } @$items), '... only');
($s, $d) = api(GET => '/admin/companies?q=no-such-thing', undef, $atok);
is_deeply($d, { items => [], next_cursor => undef }, 'no match: an empty page');
($s, $d) = api(GET => '/admin/companies', undef, $utok);
is($s, 403, 'list as a user: 403');

# --- update -----------------------------------------------------------------

($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}",
               { name => 'Twiga Foods Ltd', careers_url =>
                 'https://twiga.example/careers' }, $atok);
is($s, 200, 'update: 200');
is($d->{name}, 'Twiga Foods Ltd', '... the new name');
is($d->{slug}, 'twiga', '... the slug kept');
is($d->{careers_url}, 'https://twiga.example/careers', '... the URL set');
is($d->{logo_url}, 'http://cdn.example/twiga.png', '... the logo kept');
$a = audit($twiga->{id});
is($a->[0]{action}, 'company.update', 'audited: company.update');
is($a->[0]{before}{name}, 'Twiga Foods', '... the name before');
is($a->[0]{after}{name}, 'Twiga Foods Ltd', '... and after');
is($a->[0]{before}{careers_url}, undef, '... the URL before');

($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}",
               { logo_url => undef }, $atok);
is($s, 200, 'null clears a URL: 200');
is($d->{logo_url}, undef, '... cleared');
is(audit($twiga->{id})->[0]{before}{logo_url}, 'http://cdn.example/twiga.png',
   '... audited');

$before = counts();
my $updated_at = $d->{updated_at};
($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}",
               { name => 'Twiga Foods Ltd', slug => 'twiga' }, $atok);
is($s, 200, 'a change to the same values: 200');
is($d->{updated_at}, $updated_at, '... the row untouched');
($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}", {}, $atok);
is($s, 200, 'an empty change: 200');
is(counts(), $before, '... neither audited');

($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}",
               { slug => 'andela-kenya' }, $atok);
is($s, 409, 'a slug taken: 409');
($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}",
               { name => 'Fine', slug => 'Not A Slug' }, $atok);
is($s, 422, 'a bad slug: 422');
is($d->{error}{field}, 'slug', '... naming it');
($s, $d) = api(PATCH => "/admin/companies/$twiga->{id}",
               { name => 'Fine', is_active => 'yes' }, $atok);
is($d->{error}{field}, 'is_active', 'is_active must be a boolean');
is(counts(), $before, 'refused changes change and audit nothing');
is(psql("SELECT name FROM companies WHERE id = '$twiga->{id}'"),
   'Twiga Foods Ltd', '... the name as it was');
($s, $d) = api(PATCH => '/admin/companies/00000000-0000-4000-8000-00000000dead',
               { name => 'Ghost' }, $atok);
is($s, 404, 'update of an unknown company: 404');
is(counts(), $before, '... nothing written');

# --- deactivate and back ----------------------------------------------------

my $jobs = psql("SELECT count(*) FROM jobs WHERE company_id = '$saf->{id}'");
($s, $d) = api(DELETE => "/admin/companies/$saf->{id}", undef, $atok);
is($s, 200, 'deactivate: 200');
ok(!$d->{is_active}, '... inactive');
is($d->{active_jobs}, 3, '... its jobs kept');
is(psql("SELECT count(*) FROM jobs WHERE company_id = '$saf->{id}'"), $jobs,
   '... every one of them');
$a = audit($saf->{id});
is($a->[0]{action}, 'company.deactivate', 'audited: company.deactivate');
ok($a->[0]{before}{is_active}, '... active before');
ok(!$a->[0]{after}{is_active}, '... inactive after');
is(psql("SELECT count(*) FROM job_sources s JOIN companies c"
        . " ON c.id = s.company_id WHERE s.id = '$src'"
        . " AND s.is_active AND c.is_active"), 0,
   'its active source is no longer one the scheduler runs');
is(psql("SELECT is_active FROM job_sources WHERE id = '$src'"), 't',
   '... though itself unchanged');

$before = counts();
($s, $d) = api(DELETE => "/admin/companies/$saf->{id}", undef, $atok);
is($s, 200, 'deactivate again: 200');
is(counts(), $before, '... nothing more audited');

($s, $d) = api(PATCH => "/admin/companies/$saf->{id}",
               { is_active => JSON::PP::true }, $atok);
is($s, 200, 'is_active true: 200');
ok($d->{is_active}, '... active again');
is(audit($saf->{id})->[0]{action}, 'company.update', '... audited');
($s, $d) = api(DELETE => '/admin/companies/nope', undef, $atok);
is($s, 404, 'deactivate a malformed id: 404');
($s, $d) = api(DELETE => '/admin/companies/00000000-0000-4000-8000-00000000dead',
               undef, $atok);
is($s, 404, 'deactivate an unknown id: 404');

# --- demoted, disabled: out at once ------------------------------------------

psql("UPDATE users SET is_admin = false WHERE id = '$admin'");
$before = counts();
($s, $d) = api(GET => '/admin/companies', undef, $atok);
is($s, 403, 'demoted, the same token: 403 at once');
($s, $d) = api(POST => '/admin/companies', { name => 'After Demotion' },
               $atok);
is($s, 403, '... for writes too');
($s, $d) = api(DELETE => "/admin/companies/$twiga->{id}", undef, $atok);
is($s, 403, '... and deactivations');
is(counts(), $before, '... which wrote nothing');
ok(psql("SELECT is_active FROM companies WHERE id = '$twiga->{id}'") eq 't',
   '... the company still active');
psql("UPDATE users SET is_admin = true, is_active = false"
     . " WHERE id = '$admin'");
($s, $d) = api(GET => "/admin/companies/$twiga->{id}", undef, $atok);
is($s, 403, 'disabled: 403');
psql("UPDATE users SET is_active = true WHERE id = '$admin'");
($s, $d) = api(GET => "/admin/companies/$twiga->{id}", undef, $atok);
is($s, 200, 'enabled again: 200');

done_testing();
