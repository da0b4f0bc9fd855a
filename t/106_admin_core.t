# What every admin route stands on: the caller is an admin in the database
# (not only in its token), stats count what they say, the audit lists and
# filters every change, the adapter catalogue is the one jobscoutd uses.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;
use JobScout::Token qw(token);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($admin) = user('achieng');
psql("UPDATE users SET is_admin = true, last_login_at = now()"
     . " WHERE id = '$admin'");
my $token = token(claims => { sub => $admin, role => 'admin' });
my ($plain, $plain_token) = user('kamau');

# a role claim alone is not enough
my ($s, $d) = api(GET => '/admin/stats', undef,
                  token(claims => { sub => $plain, role => 'admin' }));
is($s, 403, 'a token claiming admin for a plain user: 403');
is($d->{error}{code}, 'forbidden', '... forbidden');
($s, $d) = api(GET => '/admin/adapters', undef,
               token(claims => { sub => $plain, role => 'admin' }));
is($s, 403, '... on the catalogue too, which PostgreSQL does not serve');

# a sign-in is noted, for "active in 7 days"
my (undef, undef, $signed) = verified_user("njoki.$$\@example.com",
                                           'a long passphrase', 'Njoki');
is(psql("SELECT last_login_at > now() - interval '1 minute' FROM users"
        . " WHERE id = '$signed'"), 't', 'login notes last_login_at');

# stats
psql("DELETE FROM user_job_alerts; DELETE FROM jobs;");
my $company = company('Sendy');
job($company) for 1 .. 3;
job($company, is_active => 'false');
my $src = psql("INSERT INTO job_sources (company_id, scraper_class, source_url,"
               . " health_status) VALUES ('$company', 'lever',"
               . " 'https://api.lever.co/v0/postings/sendy', 'failing')"
               . " RETURNING id");
redis('del', 'jobscout:dead', 'jobscout:queue:mail');
redis('lpush', 'jobscout:dead', '{"id":"a"}', '{"id":"b"}');
redis('lpush', 'jobscout:queue:mail', '{"id":"c"}');

($s, $d) = api(GET => '/admin/stats', undef, $token);
is($s, 200, 'stats: 200');
is($d->{users}{total}, psql("SELECT count(*) FROM users WHERE deleted_at IS NULL"),
   '... users counted');
is($d->{users}{active_7d}, psql("SELECT count(*) FROM users"
                                . " WHERE last_login_at > now() - interval '7 days'"
                                . " AND deleted_at IS NULL"),
   '... active in 7 days by last sign-in');
is($d->{jobs}{active}, 3, '... active jobs');
is($d->{jobs}{new_24h}, 4, '... new in 24 h');
is($d->{sources}{failing}, psql("SELECT count(*) FROM job_sources"
                                . " WHERE is_active AND health_status = 'failing'"),
   '... failing sources');
is($d->{dead_letters}, 2, '... dead letters from Redis');
is($d->{queues}{mail}{ready}, 1, '... the mail queue\'s depth');
ok(exists $d->{queues}{'scrape:high'}, '... and the scrape queues');
ok(exists $d->{alerts_24h}{created} && exists $d->{pushes_24h}{accepted},
   '... alerts and pushes in 24 h');

($s, $d) = api(GET => '/admin/stats?x=1', undef, $token);
is($s, 422, 'an unknown argument: 422');

# the catalogue, as jobscoutd has it
($s, $d) = api(GET => '/admin/adapters', undef, $token);
is($s, 200, 'adapters: 200');
my %adapters = map { $_->{name} => $_ } @{ $d->{items} || [] };
for my $name (qw(greenhouse lever ashby workable remotive adzuna jsonld html
                 rss atom smartrecruiters workday bamboohr recruitee personio
                 teamtailor)) {
    ok($adapters{$name}, "... $name is listed");
}
ok((grep { $_->{name} eq 'list' } @{ $adapters{html}{keys} || [] }),
   '... html documents its "list" selector');

# the audit: written by other routes (and suites), read here
psql("DELETE FROM admin_audit");
psql("INSERT INTO admin_audit (admin_id, action, target_type, target_id,"
     . " before, after, request_id, created_at)"
     . " SELECT '$admin', CASE WHEN i % 2 = 0 THEN 'company.update'"
     . " ELSE 'source.update' END, CASE WHEN i % 2 = 0 THEN 'company'"
     . " ELSE 'source' END, 'target-' || (i % 3), '{\"n\":1}', '{\"n\":2}',"
     . " 'req-' || i, now() - i * interval '1 minute'"
     . " FROM generate_series(1, 25) i");

($s, $d) = api(GET => '/admin/audit?limit=10', undef, $token);
is($s, 200, 'audit: 200');
is(scalar @{ $d->{items} }, 10, '... a page of 10');
is($d->{items}[0]{request_id}, 'req-1', '... newest first');
is($d->{items}[0]{admin}{id}, $admin, '... naming the admin');
like($d->{items}[0]{admin}{email}, qr/^achieng/, '... and its e-mail');
is_deeply([$d->{items}[0]{before}, $d->{items}[0]{after}], [{n => 1}, {n => 2}],
          '... before and after');
my @seen = map { $_->{request_id} } @{ $d->{items} };
my $cursor = $d->{next_cursor};
while ($cursor) {
    ($s, $d) = api(GET => "/admin/audit?limit=10&cursor=$cursor", undef, $token);
    is($s, 200, '... next page');
    push @seen, map { $_->{request_id} } @{ $d->{items} };
    $cursor = $d->{next_cursor};
}
is_deeply(\@seen, [map { "req-$_" } 1 .. 25], '... every entry once, in order');

($s, $d) = api(GET => '/admin/audit?action=company.update', undef, $token);
is(scalar @{ $d->{items} }, 12, 'filtered by action');
($s, $d) = api(GET => '/admin/audit?target_type=source&target_id=target-0',
               undef, $token);
is(scalar(grep { $_->{target_type} ne 'source' || $_->{target_id} ne 'target-0' }
          @{ $d->{items} }), 0, 'filtered by target');
ok(scalar @{ $d->{items} }, '... and something found');
($s, $d) = api(GET => '/admin/audit?since=' . psql("SELECT to_char(now() -"
               . " interval '5 minutes 30 seconds', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
               . "") , undef, $token);
is($s, 200, 'since: 200');

for my $bad ('cursor=abc', 'limit=0', 'limit=101', 'since=yesterday',
             'action=' . ('x' x 300), 'colour=red') {
    ($s, $d) = api(GET => "/admin/audit?$bad", undef, $token);
    is($s, 422, "audit?$bad: 422");
    is($d->{error}{code}, 'validation_failed', '... validation_failed');
}

# demoted: refused at once, whatever the token says
psql("UPDATE users SET is_admin = false WHERE id = '$admin'");
for my $path ('/admin/stats', '/admin/audit', '/admin/adapters') {
    ($s, $d) = api(GET => $path, undef, $token);
    is($s, 403, "demoted: $path refused at once");
}
psql("UPDATE users SET is_admin = true, is_active = false WHERE id = '$admin'");
($s, $d) = api(GET => '/admin/stats', undef, $token);
is($s, 403, 'disabled: refused at once');

is(error_log_since($log_start) =~ /\[(alert|crit|emerg)\]/ ? 1 : 0, 0,
   'no alert in the error log');

done_testing();
