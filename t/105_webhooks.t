# Webhook-triggered scrapes: a secret made on demand and shown once, stored
# sealed; a call signed with it queues one run; a bad, missing, stale,
# replayed or foreign signature is a 401 that queues nothing.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Digest::SHA qw(hmac_sha256_hex);
use JSON::PP qw(decode_json);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;
use JobScout::Token qw(token);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($admin) = user('wanjiru');
psql("UPDATE users SET is_admin = true WHERE id = '$admin'");
my $admin_token = token(claims => { sub => $admin, role => 'admin' });
my ($plain, $plain_token) = user('otieno');

my $company = company('Twiga');
sub source {
    my ($board) = @_;
    return psql("INSERT INTO job_sources (company_id, scraper_class, source_url)"
                . " VALUES ('$company', 'greenhouse',"
                . " 'https://boards-api.greenhouse.io/v1/boards/$board/jobs')"
                . " RETURNING id");
}
my $source = source('twiga');
my $other = source('twiga-fresh');

redis('del', 'jobscout:queue:scrape:high');

sub queued { scalar grep { length } redis('lrange', 'jobscout:queue:scrape:high', 0, -1) }

# POST /webhooks/sources/{id} with a raw body and a signature header
sub call {
    my ($id, $body, $sig) = @_;
    my $req = "POST /api/v1/webhooks/sources/$id HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\nContent-Type: application/json\r\n"
            . (defined $sig ? "X-JobScout-Signature: $sig\r\n" : '')
            . 'Content-Length: ' . length($body) . "\r\n\r\n$body";
    my ($status, $h, $raw) = http_request($req, 10);
    return ($status, eval { decode_json($raw) }, $h);
}
sub sign {
    my ($secret, $t, $body) = @_;
    return "t=$t,v1=" . hmac_sha256_hex("$t.$body", $secret);
}

# the secret: admins only, shown once, sealed at rest
my ($s, $d, $h) = api(POST => "/admin/sources/$source/webhook-secret", undef,
                      $plain_token);
is($s, 403, 'a plain user cannot make a webhook secret');
($s, $d) = api(POST => "/admin/sources/$source/webhook-secret");
is($s, 401, 'nor can a caller without a token');
($s, $d) = api(POST => '/admin/sources/0f0f0f0f-0000-4000-8000-000000000000'
                       . '/webhook-secret', undef, $admin_token);
is($s, 404, 'a missing source: 404');
is(psql("SELECT count(*) FROM admin_audit WHERE target_type = 'source'"
        . " AND target_id IN ('$source', '$other')"), 0,
   '... and nothing audited');

($s, $d, $h) = api(POST => "/admin/sources/$source/webhook-secret", undef,
                   $admin_token);
is($s, 201, 'an admin makes a secret: 201');
like($d->{secret} // '', qr/^[0-9a-f]{64}\z/, '... 64 hex digits');
is($d->{header}, 'X-JobScout-Signature', '... with the header to sign in');
like($h->{'cache-control'} // '', qr/no-store/, '... and not to be cached');
my $secret = $d->{secret};
my $stored = psql("SELECT encode(webhook_secret, 'hex') FROM job_sources"
                  . " WHERE id = '$source'");
is(length $stored, 120, 'stored: nonce, ciphertext and tag (60 bytes)');
unlike($stored, qr/\Q$secret\E/, '... never the secret itself');
is(psql("SELECT action || ' ' || target_id || ' ' || (before IS NULL)"
        . " || ' ' || (after ? 'webhook_secret_at') FROM admin_audit"
        . " WHERE action = 'source.webhook_secret'"),
   "source.webhook_secret $source true true",
   'audited: who made which source a secret, never the secret');

($s, $d) = api(GET => "/admin/sources/$source", undef, $admin_token);
unlike(encode_json_safe($d), qr/\Q$secret\E|\Q$stored\E/,
       'the source as shown has neither the secret nor its sealed form');

# a good call queues one high-priority run, marked as a webhook's
my $body = '{"event":"job.created","id":42}';
my $t = time;
($s, $d) = call($source, $body, sign($secret, $t, $body));
is($s, 202, 'a signed call: 202');
is($d->{status}, 'queued', '... queued');
like($d->{task_id} // '', qr/^[0-9a-f]{32}\z/, '... with the task id');
is(queued(), 1, '... one task on scrape:high');
my ($task) = redis('lrange', 'jobscout:queue:scrape:high', 0, 0);
$task = decode_json($task);
is($task->{args}{source_id}, $source, '... for the source');
is($task->{args}{trigger}, 'webhook', '... marked as a webhook run');
is($task->{id}, $d->{task_id}, '... the id answered');

# the same call again: replayed, whatever the rate limit says
($s, $d) = call($source, $body, sign($secret, $t, $body));
is($s, 401, 'the same signed call again: 401');
like($d->{error}{message}, qr/replayed/, '... as a replay');

# another call while the run is pending: not queued twice
redis('del', "jobscout:scrape:webhook:$source");
my $t2 = $t + 1;
($s, $d) = call($source, $body, sign($secret, $t2, $body));
is($s, 202, 'a new call while the run is pending: 202');
is($d->{status}, 'already_pending', '... already pending');
is(queued(), 1, '... and still one task');

# once the run is done, a call within 10 s is limited
redis('del', "jobscout:scrape:pending:$source");
redis('set', "jobscout:scrape:webhook:$source", 1, 'EX', 10);
($s, $d, $h) = call($source, $body, sign($secret, $t + 2, $body));
is($s, 429, 'a call within the 10 s after a webhook run: 429');
ok(($h->{'retry-after'} // 0) >= 1 && $h->{'retry-after'} <= 10,
   '... with Retry-After');
redis('del', "jobscout:scrape:webhook:$source");
($s, $d) = call($source, $body, sign($secret, $t + 3, $body));
is($s, 202, 'after it: queued again');
is(queued(), 2, '... a second task');

# every refusal is one 401 that queues nothing
my @bad = (
    ['no signature', $source, $body, undef],
    ['a wrong signature', $source, $body, sign('0' x 64, $t, $body)],
    ['the body changed', $source, "$body ", sign($secret, $t + 4, $body)],
    ['a timestamp 6 minutes old', $source, $body, sign($secret, $t - 360, $body)],
    ['a timestamp 6 minutes ahead', $source, $body, sign($secret, $t + 360, $body)],
    ['a source without a secret', $other, $body, sign($secret, $t, $body)],
    ['an unknown source', '0f0f0f0f-0000-4000-8000-000000000000', $body,
     sign($secret, $t, $body)],
    ['not a uuid', 'twiga', $body, sign($secret, $t, $body)],
    ['a malformed header', $source, $body, "v1=abc"],
    ['no timestamp', $source, $body,
     "v1=" . hmac_sha256_hex("$t.$body", $secret)],
    ['an upper-case signature of another time', $source, $body,
     uc sign($secret, $t + 5, "x")],
);
for my $case (@bad) {
    my ($name, $id, $b, $sig) = @$case;
    ($s, $d, $h) = call($id, $b, $sig);
    is($s, 401, "$name: 401");
    is($d->{error}{code}, 'unauthorized', '... unauthorized, in JSON');
}
is(queued(), 2, 'none of them queued anything');

# a signature among several v1= values is enough (rotation on their side)
redis('del', "jobscout:scrape:pending:$source", "jobscout:scrape:webhook:$source");
($s, $d) = call($source, $body,
                sign($secret, $t + 6, $body) =~ s/^(t=\d+),/$1,v1=${\('ab' x 32)},/r);
is($s, 202, 'one good v1= among others: accepted');

# rotating the secret: the old one stops working at once
redis('del', "jobscout:scrape:pending:$source", "jobscout:scrape:webhook:$source");
($s, $d) = api(POST => "/admin/sources/$source/webhook-secret", undef,
               $admin_token);
is($s, 201, 'rotated');
isnt($d->{secret}, $secret, '... a new secret');
my $rotated = $d->{secret};
($s) = call($source, $body, sign($secret, $t + 7, $body));
is($s, 401, 'the old secret: 401');
($s) = call($source, $body, sign($rotated, $t + 8, $body));
is($s, 202, 'the new one: 202');
is(psql("SELECT count(*) FROM admin_audit WHERE action = 'source.webhook_secret'"
        . " AND before IS NOT NULL"), 1,
   'the rotation is audited with the previous secret\'s time');

# a sealed secret moved to another source does not open there
psql("UPDATE job_sources SET webhook_secret = (SELECT webhook_secret"
     . " FROM job_sources WHERE id = '$source') WHERE id = '$other'");
($s) = call($other, $body, sign($rotated, $t + 9, $body));
is($s, 401, 'a sealed secret copied to another source does not verify there');

# an inactive source: verified, but not run
psql("UPDATE job_sources SET is_active = false WHERE id = '$source'");
redis('del', "jobscout:scrape:pending:$source", "jobscout:scrape:webhook:$source");
($s, $d) = call($source, $body, sign($rotated, $t + 10, $body));
is($s, 409, 'an inactive source: 409');

# a demoted admin's token no longer makes secrets
psql("UPDATE users SET is_admin = false WHERE id = '$admin'");
($s, $d) = api(POST => "/admin/sources/$other/webhook-secret", undef,
               $admin_token);
is($s, 403, 'demoted: the same token is refused at once');

is(error_log_since($log_start) =~ /\[(alert|crit|emerg)\]/ ? 1 : 0, 0,
   'no alert in the error log');

sub encode_json_safe { JSON::PP->new->canonical->encode($_[0] // {}) }

done_testing();
