# Validators: a cached route's 200 carries a weak ETag, the same for the
# same answer whichever worker or cache fill sent it; If-None-Match with it
# is answered 304 without a body; once the page changes, 200 with a new
# ETag.  A user's ETag does not get another user a 304.
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::Cache;
use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $run = "$$" . int(rand(1000));
# answers kept 30 s: only the notifications make a change show in 1 s
my $db = cache_stack(cache => 'jobscout_cache ttl=30s;');
my $token = JobScout::Token::token();
my $slug = "t122-$run";

$db->query(<<"SQL");
INSERT INTO companies (name, slug, is_active) VALUES ('T122 $run', '$slug', true);
INSERT INTO jobs (company_id, external_id, title, description, location,
                  apply_url, discovered_at, is_active)
SELECT id, '$run-1', 'Etag Engineer', 'x', 'Nairobi',
       'https://apply.example.com/$run-1', now(), true
  FROM companies WHERE slug = '$slug';
SQL

my $path = "/jobs?company=$slug&limit=20";
my $weak = qr{^W/"[0-9a-f]{16}"$};

my ($s, $h, $d, $raw) = api('GET', $path, $token);
is($s, 200, 'the page');
like($h->{etag} // '', $weak, 'a weak ETag');
my $etag = $h->{etag};

ok(warm($path, $token), 'the page is cached');
($s, $h) = api('GET', $path, $token);
is($h->{etag}, $etag, 'the cached answer has the same ETag');

# each row: If-None-Match sent, the status, a body or none
for my $case ([ $etag, 304, 0 ],
              [ "W/\"0000000000000000\"", 200, 1 ],
              [ "\"other\", $etag", 304, 0 ],
              [ '*', 304, 0 ]) {
    my ($inm, $status, $body) = @$case;
    ($s, $h, $d, $raw) = api('GET', $path, $token, "If-None-Match: $inm\r\n");
    is($s, $status, "If-None-Match: $inm: $status");
    is(length($raw // '') > 0 ? 1 : 0, $body, '... ' . ($body ? 'with' : 'without') . ' a body');
    is($h->{etag}, $etag, '... and the ETag') if $status == 304;
}

# the page changes: 200 and a new ETag within 1 s
$db->query("UPDATE jobs SET title = 'Etag Engineer II' WHERE external_id = '$run-1'");
my $took = until_seen($path, $token, sub { $_[0]{items}[0]{title} eq 'Etag Engineer II' });
ok(defined $took && $took < $JobScout::Cache::Bound, 'the change shows within 1 s');
($s, $h) = api('GET', $path, $token, "If-None-Match: $etag\r\n");
is($s, 200, 'the old ETag no longer matches: 200');
like($h->{etag} // '', $weak, '... with a weak ETag');
isnt($h->{etag}, $etag, '... a new one');

# a user's own page: 304 for them, never for another user
my ($ida, $a) = user_account($db, "t122a-$run");
my ($idb, $b) = user_account($db, "t122b-$run");
ok(warm('/users/me', $a), "a's profile cached");
($s, $h) = api('GET', '/users/me', $a);
my $mine = $h->{etag};
($s) = api('GET', '/users/me', $a, "If-None-Match: $mine\r\n");
is($s, 304, "a's own ETag: 304");
($s, $h, $d) = api('GET', '/users/me', $b, "If-None-Match: $mine\r\n");
is($s, 200, "b sending a's ETag: 200");
is($d->{id}, $idb, "... with b's profile");

# an answer of a route the cache does not keep has no ETag
($s, $h) = api('GET', '/companies?limit=5', $token);
is($h->{etag}, undef, 'no ETag on a route not cached');

stop_nginx();
done_testing();
