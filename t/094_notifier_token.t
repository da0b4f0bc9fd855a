# The notifier's access token and its stops, against the fake FCM:
#   - a service account whose key is not the one Google knows: the fake
#     refuses the assertion (invalid_grant), nothing is sent, the pushes
#     wait; with the right key they all go;
#   - a short-lived access token is renewed before it expires: no 401;
#   - a slow token endpoint holds up nothing but the messages: a job is
#     matched while the renewal is on its way, one request serves every
#     401; a failing one is asked again after a backoff, not per 401;
#   - TERM mid-batch: what was queued or in flight goes back to
#     'pending', and the next notifier sends each push once.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP qw(encode_json decode_json);
use Time::HiRes qw(sleep time);

use JobScout::Api;
use JobScout::FakeFCM;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "t$$";
my $dir = tempdir(CLEANUP => 1);

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

my $fcm = JobScout::FakeFCM->start(dir => $dir, token_ttl => 4);

# the same account, signed with a key of its own
system("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $dir/other.pem"
       . " 2>/dev/null") == 0 or die 'openssl failed';
my $sa = decode_json(do { local $/; open my $f, '<', $fcm->{account} or die $!; <$f> });
$sa->{private_key} = do { local $/; open my $f, '<', "$dir/other.pem" or die $!; <$f> };
open my $f, '>', "$dir/wrong-key.json" or die $!;
print $f encode_json($sa);
close $f;

psql("INSERT INTO companies (name, slug) VALUES ('Token $run', 'token-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
     . " 'fixture', 'https://example.com/$run' FROM companies WHERE slug = 'token-$run'");
my $prefs = encode_json({ companies => ["token-$run"] });
psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
     . " SELECT 'u$run-' || i || '\@example.com', '!', '$prefs', 'tok-$run-' || i"
     . " FROM generate_series(1, 20) i");

sub job {
    my $job = psql("INSERT INTO jobs (company_id, source_id, external_id, title)"
        . " SELECT company_id, id, md5(random()::text), 'QA Engineer' FROM job_sources"
        . " WHERE source_url = 'https://example.com/$run' RETURNING id");
    redis('lpush', 'jobscout:queue:match',
          encode_json({ id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16),
                        kind => 'match.jobs', args => { job_ids => [$job] },
                        attempt => 0, enqueued_at => int(time * 1000) }));
    return $job;
}

# this test's users' pushes of a job, as the fake accepted them
sub pushed {
    my ($job) = @_;
    my %n;
    $n{ $_->{token} }++ for grep { $_->{message}{data}{job_id} eq $job
                                   && $_->{token} =~ /^tok-$run-/ } $fcm->messages;
    return \%n;
}

sub notifier {
    my ($account) = @_;
    my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { notifier => 1 },
        directives => { fcm_service_account => $account, fcm_base_url => $fcm->{url},
                        fcm_timeout => '1s', push_claim_timeout => '3s',
                        fcm_max_in_flight => 5 });
    $d->start;
    wait_until(10, sub { $d->consumers('jobscout:queue:match') });
    return $d;
}

# --- the wrong key
my $d = notifier("$dir/wrong-key.json");
my $j1 = job();
ok(wait_until(10, sub { $d->log_text =~ /fcm access token request failed.*invalid_grant/ }),
   'a key Google does not know: the token request is refused (invalid_grant)');
like($d->log_text, qr/bad signature/, '... the fake found the signature wrong');
sleep 1;
is(scalar keys %{ pushed($j1) }, 0, '... and nothing is sent without a token');
is(psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
        . " WHERE a.job_id = '$j1' AND u.email LIKE 'u$run-%'"
        . " AND a.push_status IN ('pending', 'sending')"), 20, '... the pushes wait');
$d->stop;

# --- the right key: the waiting pushes go, the token is renewed before expiry
$d = notifier($fcm->{account});
ok(wait_until(15, sub { keys %{ pushed($j1) } == 20 }), 'with the right key the waiting pushes go');
my $before = $fcm->stats;
sleep 2.5;        # half the token's 4 s life: due for renewal
my $j2 = job();
ok(wait_until(10, sub { keys %{ pushed($j2) } == 20 }), 'a later job\'s pushes go too');
my $after = $fcm->stats;
is($after->{token_requests} - $before->{token_requests}, 1,
   'the token was renewed once, before it expired');
is($after->{unauthorized}, 0, '... so no message met a 401');

# --- TERM mid-batch
$fcm->config(hold => JSON::PP::true);
my $j3 = job();
ok(wait_until(10, sub { $fcm->stats->{waiting} == 5 }), '5 messages in flight, held');
my $t0 = time;
$d->run('-s', 'stop');
ok(wait_until(10, sub { !JobScout::Jobscoutd::alive($d->{master}) }), 'TERM: jobscoutd stops');
cmp_ok(time - $t0, '<', 5, '... at once, without waiting for FCM');
is(psql("SELECT string_agg(DISTINCT push_status, ',') FROM user_job_alerts a JOIN users u"
        . " ON u.id = a.user_id WHERE a.job_id = '$j3' AND u.email LIKE 'u$run-%'"), 'pending',
   '... its pushes back to pending, due at once (queued or abandoned in flight)');
like($d->log_text, qr/"notifier stopped" reason=terminate/, '... and it says why it stopped');
$fcm->config(hold => JSON::PP::false);
ok(wait_until(10, sub { $fcm->stats->{dropped} >= 5 }), 'the held messages die with their client');

$d = notifier($fcm->{account});
ok(wait_until(15, sub { keys %{ pushed($j3) } == 20 }), 'the next notifier sends them');
is(scalar(grep { $_ != 1 } values %{ pushed($j3) }), 0, '... once each');

# --- a slow token endpoint: nothing waits for it but the messages
sub alerts_of {
    psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
         . " WHERE a.job_id = '$_[0]' AND u.email LIKE 'u$run-%'");
}
$fcm->config(token_delay_ms => 800);     # within fcm_timeout (1 s)
$fcm->revoke;
my $r0 = $fcm->stats->{token_requests};
my $u0 = $fcm->stats->{unauthorized};
my $j4 = job();
ok(wait_until(10, sub { $fcm->stats->{unauthorized} > $u0 }),
   'a revoked token: messages meet 401s, the renewal takes 0.8 s');
my $j5 = job();
ok(wait_until(10, sub { alerts_of($j5) == 20 }), '... meanwhile a new job is matched');
my $inserted_at = time;
ok(wait_until(15, sub { keys %{ pushed($j4) } == 20 && keys %{ pushed($j5) } == 20 }),
   '... and with the new token every push goes');
my ($first) = sort { $a <=> $b } map { $_->{at} } grep { $_->{message}{data}{job_id} eq $j4 }
                                                    $fcm->messages;
cmp_ok($inserted_at, '<', $first, '... the match inserted before the token came');
is($fcm->stats->{token_requests} - $r0, 1, '... one token request for all the 401s');

# --- a failing token endpoint: tried again after a backoff, not per 401
$fcm->config(token_delay_ms => 0, token_status => 500);
$fcm->revoke;
$r0 = $fcm->stats->{token_requests};
my $j6 = job();
ok(wait_until(10, sub { $d->log_text =~ /HTTP 401, and no new access token/ }),
   'a failing token endpoint: the 401s wait as retries');
sleep 4;
my $asked = $fcm->stats->{token_requests} - $r0;
cmp_ok($asked, '>=', 2, "... it is asked again ($asked times in 4 s)");
cmp_ok($asked, '<=', 3, '... after 1 s, then 2 s: no request per message');
$fcm->config(token_status => 200);
ok(wait_until(20, sub { keys %{ pushed($j6) } == 20 }), 'once it answers, the pushes go');
$d->stop;

unlike($d->log_text, qr/AddressSanitizer|runtime error/, 'no sanitizer report');
$fcm->stop;
done_testing();
