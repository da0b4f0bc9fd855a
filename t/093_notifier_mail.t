# The e-mail channel end to end: two notifiers and a mailer, an SMTP
# sink (Debian's aiosmtpd, saving to a Maildir).  A user with
# notifications.email gets each new job at once ("instant"); a user with
# an hourly digest gets one mail, when the hour is over, listing every
# job of it, sent once although two notifiers look for due digests.
# Without fcm_service_account the notifier says push is disabled and
# leaves the pushes pending.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP qw(encode_json);
use Time::HiRes qw(sleep time);

use JobScout::Api;
use JobScout::Jobscoutd;
use JobScout::SmtpSink;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "e$$";
my $dir = tempdir(CLEANUP => 1);
my $base_url = 'https://app.jobscout.test';

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

# --- the SMTP sink
my $sink = JobScout::SmtpSink->new("$dir/sink");
my $port = $sink->port;
ok(IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port"), 'the SMTP sink listens');

my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { notifier => 2, mailer => 1, relay => 1 },
    smtp_url => "smtp://127.0.0.1:$port", base_url => $base_url,
    directives => { digest_interval => '500ms' });
$d->start;
ok(wait_until(10, sub { $d->consumers('jobscout:queue:match') == 2 }), 'two notifiers run');
like($d->log_text, qr/push disabled/, 'without a service account: "push disabled" logged');

# every mail received to an address, decoded
sub mails { return $sink->mails(@_) }

psql("INSERT INTO companies (name, slug) VALUES ('Mail $run', 'mail-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
     . " 'fixture', 'https://example.com/$run' FROM companies WHERE slug = 'mail-$run'");

sub user {
    my ($who, $prefs, $token) = @_;
    my $json = encode_json({ companies => ["mail-$run"], %$prefs });
    return psql("INSERT INTO users (email, hashed_password, full_name, preferences,"
        . " fcm_token, email_verified, email_verified_at) VALUES"
        . " ('$who-$run\@example.com', '!', 'Achieng $who', '$json', "
        . ($token ? "'$token'" : 'NULL') . ", true, now()) RETURNING id");
}
my $instant = user('instant', { notifications => { push => JSON::PP::false, email => JSON::PP::true } });
my $hourly = user('hourly', { notifications => { push => JSON::PP::false, email => JSON::PP::true,
                                                 email_digest => 'hourly' } });
my $phone = user('phone', {}, "device-$run");

sub job {
    my ($title) = @_;
    my $job = psql("INSERT INTO jobs (company_id, source_id, external_id, title, location,"
        . " location_type) SELECT company_id, id, md5(random()::text), '$title', 'Kisumu',"
        . " 'onsite' FROM job_sources WHERE source_url = 'https://example.com/$run'"
        . " RETURNING id");
    redis('lpush', 'jobscout:queue:match',
          encode_json({ id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16),
                        kind => 'match.jobs', args => { job_ids => [$job] },
                        attempt => 0, enqueued_at => int(time * 1000) }));
    return $job;
}

my $j1 = job('Mobile Developer');
my $m = wait_until(15, sub { (mails("instant-$run\@"))[0] });
ok($m, 'the instant user gets a mail');
is($m->{subject}, "New job: Mobile Developer at Mail $run", '... naming the job');
like($m->{body}, qr{\Q$base_url\E/jobs/$j1}, '... linking to it');
like($m->{body}, qr/Kisumu - onsite/, '... saying where');
like($m->{body}, qr/Hello Achieng instant,/, '... addressed by name');

my $j2 = job('Mobile Developer (Flutter)');
ok(wait_until(15, sub { mails("instant-$run\@") == 2 }), 'a second job: a second mail');

is(psql("SELECT string_agg(push_status, ',') FROM user_job_alerts WHERE user_id = '$phone'"),
   'pending,pending', 'the phone user\'s pushes wait, pending, for a notifier with FCM');

is(scalar(mails("hourly-$run\@")), 0, 'the hourly user has nothing yet');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$hourly' AND email_status = 'pending'"
        . " AND email_due_at = date_trunc('hour', created_at, 'UTC') + interval '1 hour'"), 2,
   '... two alerts due at the end of the hour');

# the hour is over
psql("UPDATE user_job_alerts SET email_due_at = now() WHERE user_id = '$hourly'");
my $digest = wait_until(15, sub { (mails("hourly-$run\@"))[0] });
ok($digest, 'when the hour is over, the digest arrives');
is($digest->{subject}, 'Your hourly Job Scout digest: 2 new jobs', '... counting both jobs');
like($digest->{body}, qr{/jobs/$j1}, '... listing the first');
like($digest->{body}, qr{/jobs/$j2}, '... and the second');
sleep 1.5;
is(scalar(mails("hourly-$run\@")), 1, '... once, although two notifiers look for digests');
is(psql("SELECT count(*) FROM user_job_alerts WHERE user_id = '$hourly'"
        . " AND email_status = 'queued' AND notified_at IS NOT NULL"), 2,
   '... and both alerts say queued');

$d->stop;
unlike($d->log_text, qr/AddressSanitizer|runtime error|dead-lettered/,
       'no sanitizer report, no dead letter');

# --- a mail the notifier made survives a FLUSHALL: it is in the task
# outbox, committed with its alert; the relay copies it to Redis again
mkdir "$dir/$_" for qw(produce send);
my $produce = JobScout::Jobscoutd->new(dir => "$dir/produce",
    workers => { notifier => 1, relay => 1 });
my $send = JobScout::Jobscoutd->new(dir => "$dir/send", workers => { mailer => 1 },
    smtp_url => "smtp://127.0.0.1:$port", base_url => $base_url);
$produce->start;
my $j3 = job('Mobile Developer (Kotlin)');
my $mail_id = wait_until(15, sub {
    psql("SELECT id FROM task_outbox WHERE relayed_at IS NOT NULL"
         . " AND task::jsonb->'args'->>'to' = 'instant-$run\@example.com'") });
ok($mail_id, 'the notifier\'s mail of a third job is in the outbox, relayed');
ok((grep { index($_, $mail_id) >= 0 } redis('lrange', 'jobscout:queue:mail', 0, -1)),
   '... and on the mail queue');
redis('flushall');
ok(wait_until(10, sub { grep { index($_, $mail_id) >= 0 }
                        redis('lrange', 'jobscout:queue:mail', 0, -1) }),
   'after FLUSHALL the relay queues it again');
$produce->stop;
$send->start;
ok(wait_until(15, sub { mails("instant-$run\@") == 3 }), '... and it is sent');
sleep 1;
is(scalar(mails("instant-$run\@")), 3, '... once');
like((mails("instant-$run\@"))[2]{head}, qr/^Message-ID: <\Q$mail_id\E@/m,
     '... with its task id as Message-ID');
$send->stop;
done_testing();
