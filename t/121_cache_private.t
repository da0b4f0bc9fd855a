# A user's own pages (/users/me, /alerts, /alerts/unread-count) are cached
# per user: two users asking the same path, both answered from the cache,
# each get their own data; a change of one user's rows leaves the other's
# cached; a user reads their own write at once; a revoked token is refused
# however cached its pages are.
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::Cache;
use JobScout::TestNginx qw(:all);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "$$" . int(rand(1000));
# answers kept 30 s: only the notifications make a change show in 1 s
my $db = cache_stack(cache => 'jobscout_cache ttl=30s;');
my ($rhost, $rport) = split /:/, $ENV{TEST_NGINX_REDIS};

my $fam = "t121fam$run";
my %user;
($user{a}{id}, $user{a}{token}) = user_account($db, "t121a-$run", fam => $fam);
($user{b}{id}, $user{b}{token}) = user_account($db, "t121b-$run");

# alerts: three for a (one read), one for b, on jobs of a company of ours
$db->query(<<"SQL");
INSERT INTO companies (name, slug, is_active) VALUES ('T121 $run', 't121-$run', true);
INSERT INTO jobs (company_id, external_id, title, description, location,
                  apply_url, discovered_at, is_active)
SELECT c.id, '$run-' || n, 'Job ' || n, 'x', 'Nairobi',
       'https://apply.example.com/$run-' || n, now(), true
  FROM companies c, generate_series(1, 3) n WHERE c.slug = 't121-$run';
INSERT INTO user_job_alerts (user_id, job_id, match_score, is_read)
SELECT '$user{a}{id}', j.id, 80, j.external_id = '$run-1'
  FROM jobs j WHERE j.external_id LIKE '$run-%';
INSERT INTO user_job_alerts (user_id, job_id, match_score)
SELECT '$user{b}{id}', j.id, 70 FROM jobs j WHERE j.external_id = '$run-2';
SQL

for my $u (qw(a b)) {
    $user{$u}{alerts} = join ',', sort split /\n/, $db->query(
        "SELECT id FROM user_job_alerts WHERE user_id = '$user{$u}{id}'");
}

# what each page must show of the user: path, the user's value in it
my @pages = (
    [ '/users/me', sub { $_[0]{id} }, sub { $_[0]{id} } ],
    [ '/alerts?limit=20',
      sub { join ',', sort map { $_->{id} } @{ $_[0]{items} } },
      sub { $_[0]{alerts} } ],
    [ '/alerts/unread-count', sub { $_[0]{unread} },
      sub { $_[0] eq $user{a} ? 2 : 1 } ],
);

for my $page (@pages) {
    my ($path, $got, $want) = @$page;
    ok(warm($path, $user{a}{token}) && warm($path, $user{b}{token}),
       "$path: cached for both users");
    for my $round (1, 2) {
        for my $u (qw(a b)) {
            my ($s, $h, $d) = api('GET', $path, $user{$u}{token});
            is($h->{'x-cache'}, 'HIT', "$path, $u, round $round: from the cache");
            is($got->($d), $want->($user{$u}), "$path, $u, round $round: ${u}'s own");
        }
    }
}

# b's rows change: b sees it within 1 s, a's pages stay cached
ok(warm('/alerts?limit=20', $user{a}{token}), "a's alerts cached");
$db->query("UPDATE user_job_alerts SET is_read = true"
           . " WHERE user_id = '$user{b}{id}'");
my $took = until_seen('/alerts/unread-count', $user{b}{token},
                      sub { $_[0]{unread} == 0 });
ok(defined $took && $took < $JobScout::Cache::Bound,
   "b's change shows within 1 s") or diag $took // 'never';
my ($s, $h, $d) = api('GET', '/alerts?limit=20', $user{a}{token});
is($h->{'x-cache'}, 'HIT', "a's alerts still cached");

# one statement for many users (as the matcher inserts a new job's
# alerts): one notification for all, b still sees it within 1 s
ok(warm('/alerts/unread-count', $user{b}{token}), "b's count cached");
$db->query(<<"SQL");
INSERT INTO users (email, hashed_password, full_name)
SELECT 't121-bulk-$run-' || n || '\@example.com', 'x', 'bulk'
  FROM generate_series(1, 70) n;
INSERT INTO user_job_alerts (user_id, job_id, match_score)
SELECT u.id, j.id, 60 FROM users u, jobs j
 WHERE (u.email LIKE 't121-bulk-$run-%' OR u.id = '$user{b}{id}')
   AND j.external_id = '$run-3';
SQL
$took = until_seen('/alerts/unread-count', $user{b}{token},
                   sub { $_[0]{unread} == 1 });
ok(defined $took && $took < $JobScout::Cache::Bound,
   "a statement of 71 users' alerts shows within 1 s") or diag $took // 'never';

# one statement of many rows of one user (0025): that user's pages only
# (the jobs first: new jobs make every cached answer stale)
$db->query(<<"SQL");
INSERT INTO jobs (company_id, external_id, title, description, location,
                  apply_url, discovered_at, is_active)
SELECT c.id, '$run-bulk-' || n, 'Job ' || n, 'x', 'Nairobi',
       'https://apply.example.com/$run-bulk-' || n, now(), true
  FROM companies c, generate_series(1, 70) n WHERE c.slug = 't121-$run';
SQL
ok(warm('/alerts?limit=20', $user{a}{token}), "a's alerts cached again");
ok(warm('/alerts/unread-count', $user{b}{token}), "b's count cached again");
$db->query("INSERT INTO user_job_alerts (user_id, job_id, match_score)"
           . " SELECT '$user{b}{id}', j.id, 60 FROM jobs j"
           . " WHERE j.external_id LIKE '$run-bulk-%'");
$took = until_seen('/alerts/unread-count', $user{b}{token},
                   sub { $_[0]{unread} == 71 });
ok(defined $took && $took < $JobScout::Cache::Bound,
   "a statement of 70 alerts of b's shows within 1 s") or diag $took // 'never';
($s, $h, $d) = api('GET', '/alerts?limit=20', $user{a}{token});
is($h->{'x-cache'}, 'HIT', "... and a's alerts are still cached");

# a writes through the API: the next read shows it, no waiting
ok(warm('/users/me', $user{a}{token}), "a's profile cached");
($s) = api('PATCH', '/users/me', $user{a}{token}, '',
           '{"full_name":"Renamed ' . $run . '"}');
is($s, 200, 'a renames themself');
($s, $h, $d) = api('GET', '/users/me', $user{a}{token});
is($d->{full_name}, "Renamed $run", "a's next read shows the new name");
($s, $h, $d) = api('GET', '/users/me', $user{b}{token});
is($d->{full_name}, "t121b-$run", "b's name is b's");

# a's session revoked (as logout records it in Redis): refused, cached or not
ok(warm('/users/me', $user{a}{token}), "a's profile cached again");
system('redis-cli', '-h', $rhost, '-p', $rport, 'SET',
       "jobscout:revoked:fam:$fam", '1', 'EX', '600') == 0
    or die 'redis-cli failed';
for my $page (@pages) {
    ($s) = api('GET', $page->[0], $user{a}{token});
    is($s, 401, "$page->[0]: a revoked token is refused");
}
($s, $h, $d) = api('GET', '/users/me', $user{b}{token});
is($s, 200, "b is unaffected");

stop_nginx();
done_testing();
