# The receipts of accepted pushes (migration 0024): record_pushes() writes
# FCM's acceptances as one receipt and updates the other outcomes' alerts
# at once; settle_push_receipts() folds receipts into their alerts (what
# an acceptance always wrote: status, time, FCM's name, notified_at), for
# the attempt that was accepted only, skipping alerts gone; and
# claim_pushes() folds them before it claims, so a push FCM accepted is
# never claimed again once its lease is over.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);

use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "p$$";

psql("INSERT INTO companies (name, slug) VALUES ('Risiti $run', 'risiti-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id, 'fixture',"
     . " 'https://example.com/$run' FROM companies WHERE slug = 'risiti-$run'");
my $job = psql("INSERT INTO jobs (company_id, source_id, external_id, title)"
               . " SELECT company_id, id, 'r-$run', 'Receipts Engineer' FROM job_sources"
               . " WHERE source_url = 'https://example.com/$run' RETURNING id");
my @users = split /\n/, psql("INSERT INTO users (email, hashed_password, fcm_token)"
                             . " SELECT 'r' || i || '-$run\@example.com', '!', 'tok-' || i"
                             . " FROM generate_series(1, 5) i RETURNING id");

# the users' alerts, inserted 'sending' for this session, as the notifier
# inserts them: the lease given
sub insert {
    my ($lease) = @_;
    my $n = @users;
    return split /\n/, psql("SELECT alert_id FROM insert_alerts(ARRAY['"
        . join("','", @users) . "']::uuid[], array_fill('$job'::uuid, ARRAY[$n]),"
        . " array_fill(80::smallint, ARRAY[$n]), array_fill(true, ARRAY[$n]),"
        . " array_fill(NULL::timestamptz, ARRAY[$n]), '$lease') ORDER BY k");
}

# record_pushes() for [alert, attempt, status, name] outcomes
sub record {
    my (@o) = @_;
    my $arr = sub { my ($i, $type) = @_;
                    "ARRAY[" . join(',', map { defined $_->[$i] ? "'$_->[$i]'" : 'NULL' } @o)
                    . "]::$type" };
    return psql("SELECT record_pushes(" . $arr->(0, 'uuid[]') . ", " . $arr->(1, 'integer[]')
        . ", " . $arr->(2, 'text[]') . ", array_fill('2026-01-02 03:04:05+00'::timestamptz,"
        . " ARRAY[" . scalar(@o) . "]), " . $arr->(3, 'text[]') . ", array_fill(NULL::text,"
        . " ARRAY[" . scalar(@o) . "]), array_fill(0, ARRAY[" . scalar(@o) . "]),"
        . " array_fill(NULL::text, ARRAY[" . scalar(@o) . "]), '{}')");
}

sub alert {
    my ($id) = @_;
    my %a;
    @a{qw(status attempts pushed name notified)} = split /\|/, psql(
        "SELECT push_status, push_attempts, coalesce(pushed_at::text, ''),"
        . " coalesce(fcm_message_id, ''), coalesce(notified_at::text, '')"
        . " FROM user_job_alerts WHERE id = '$id'"), -1;
    return \%a;
}

sub receipts_of {
    my (@ids) = @_;
    return psql("SELECT count(*) FROM push_receipts r, unnest(r.alert_ids) x"
                . " WHERE x = ANY (ARRAY['" . join("','", @ids) . "']::uuid[])");
}

# --- 1. accepted: a receipt, the alert unchanged until folded
my @a = insert('1 second');
is(alert($a[0])->{status}, 'sending', 'inserted with a lease: sending');
is(record([$a[0], 1, 'accepted', 'projects/p/messages/1'],
          [$a[1], 1, 'accepted', undef],
          [$a[2], 1, 'pending', undef]), 3, 'record_pushes() takes three outcomes');
is(receipts_of(@a), 2, '... the two acceptances are one receipt');
is(psql("SELECT count(*) FROM push_receipts r, unnest(r.alert_ids) x"
        . " WHERE x = ANY (ARRAY['$a[0]', '$a[1]']::uuid[]) GROUP BY r.id"), 2,
   '... in one row');
is(alert($a[0])->{status}, 'sending', '... the accepted alert unchanged meanwhile');
my $retry = alert($a[2]);
is($retry->{status}, 'pending', 'the retry is recorded at once');
is($retry->{pushed}, '', '... not pushed');

# --- 2. the lease over, a claim: folded first, not claimed again
sleep 1.2;
my $claimed = psql("SELECT string_agg(alert_id::text, ',') FROM claim_pushes(100, '1 minute')");
unlike($claimed // '', qr/$a[0]|$a[1]/, 'a claim after the lease takes no accepted push');
like($claimed // '', qr/$a[2]/, '... but the retry due');
my $ok = alert($a[0]);
is($ok->{status}, 'accepted', 'the receipt is folded: accepted');
like($ok->{pushed}, qr/^2026-01-02 03:04:05/, '... at the time FCM accepted it');
is($ok->{notified}, $ok->{pushed}, '... notified then');
is($ok->{name}, 'projects/p/messages/1', "... FCM's name kept");
is(alert($a[1])->{status}, 'accepted', 'the other acceptance too');
is(alert($a[1])->{name}, '', '... its name NULL, as FCM gave none');
is(receipts_of(@a), 0, '... and the receipt is gone');

# --- 3. an outdated attempt and a gone alert: receipts folded to nothing
psql("UPDATE user_job_alerts SET push_attempts = 2 WHERE id = '$a[3]'");
record([$a[3], 1, 'accepted', 'projects/p/messages/old'],
       [$a[4], 1, 'accepted', 'projects/p/messages/4']);
psql("DELETE FROM user_job_alerts WHERE id = '$a[4]'");
is(psql("SELECT settle_push_receipts()"), 0,
   'settle_push_receipts(): no alert of that attempt, none at all');
is(alert($a[3])->{status}, 'sending', '... a later attempt keeps its own state');
is(receipts_of(@a), 0, '... the receipt is gone all the same');
is(psql("SELECT settle_push_receipts()"), 0, 'folding nothing is fine');

psql("DELETE FROM push_queue q WHERE q.alert_ids && ARRAY['" . join("','", @a) . "']::uuid[]");
psql("DELETE FROM users WHERE email LIKE '%-$run\@example.com'");
psql("DELETE FROM jobs WHERE id = '$job'");
done_testing();
