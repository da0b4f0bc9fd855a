# A real job alert mail (a job matched by the notifier, sent by the mailer
# to a local SMTP sink) and the pages of its links in a real browser: the
# job, the alerts, the notification settings, and a one-click unsubscribe
# (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post in the header; a
# POST unsubscribes, a GET does not; the page's button POSTs).
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP qw(encode_json decode_json);
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Browser qw(browse start_pages);
use JobScout::Jobscoutd;
use JobScout::SmtpSink;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $base = start_pages();
my $dir = tempdir(CLEANUP => 1);
my $sink = JobScout::SmtpSink->new("$dir/sink");
my $jobscoutd = JobScout::Jobscoutd->new(
    dir => $dir, workers => { notifier => 1, mailer => 1, relay => 1 },
    smtp_url => 'smtp://127.0.0.1:' . $sink->port, base_url => $base,
    directives => { mail_link_key_file => $ENV{TEST_NGINX_WEBHOOK_KEY} });
$jobscoutd->start;

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

sub email_pref {
    my ($email) = @_;
    return psql("SELECT coalesce(preferences -> 'notifications' ->> 'email', 'unset')"
                . " FROM users WHERE email = '$email'");
}

my $run = "w$$";
my $email = "njeri-$run\@example.com";
my $password = 'rains over lake victoria';
my ($s) = api(POST => '/auth/register',
              { email => $email, password => $password, full_name => 'Njeri Wambui' });
is($s, 201, 'a user registers');
psql("INSERT INTO companies (name, slug) VALUES ('Pages $run', 'pages-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id,"
     . " 'fixture', 'https://example.com/$run' FROM companies WHERE slug = 'pages-$run'");
psql("UPDATE users SET email_verified = true, email_verified_at = now(), preferences ="
     . " '{\"companies\": [\"pages-$run\"], \"notifications\": {\"push\": false, \"email\": true}}'"
     . " WHERE email = '$email'");
my $job = psql("INSERT INTO jobs (company_id, source_id, external_id, title, location,"
    . " location_type, description) SELECT company_id, id, md5(random()::text),"
    . " 'Platform Engineer', 'Nairobi', 'hybrid', 'Keep M-Pesa payments flowing.'"
    . " FROM job_sources WHERE source_url = 'https://example.com/$run' RETURNING id");
redis('lpush', 'jobscout:queue:match',
      encode_json({ id => join('', map { sprintf '%02x', int rand 256 } 1 .. 16),
                    kind => 'match.jobs', args => { job_ids => [$job] },
                    attempt => 0, enqueued_at => int(time * 1000) }));

my $m = wait_until(30, sub { (grep { $_->{subject} =~ /Platform Engineer/ } $sink->mails($email))[0] });
ok($m, 'the job alert mail arrives');
my ($one_click) = ($m->{head} // '') =~ m{^List-Unsubscribe:\s*<([^>]+)>}mi;
like($one_click // '', qr{^\Q$base\E/api/v1/unsubscribe\?token=[0-9a-f]{32}[\w-]+$},
     'List-Unsubscribe: the one-click URL of this server');
like($m->{head} // '', qr/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m,
     'List-Unsubscribe-Post (RFC 8058)');
my ($job_url) = ($m->{body} // '') =~ m{(\Q$base\E/jobs/$job)\b};
ok($job_url, "the mail links to the job's page");
my ($page_url) = ($m->{body} // '') =~ m{(\Q$base\E/unsubscribe\?token=[\w-]+)};
ok($page_url, 'and to the unsubscribe page');

# a GET of the one-click URL (a link scanner) changes nothing
(my $path = $one_click // '') =~ s{^\Q$base\E}{};
my ($st, $h, $body) = http_request("GET $path HTTP/1.1\r\nHost: localhost\r\n"
                                   . "Connection: close\r\n\r\n", 10);
is($st, 405, 'a GET of the one-click URL: 405');
is(email_pref($email), 'true', '... and the e-mails stay on');

browse('154_job_mail', 't/web/mail-pages.mjs', base => $base,
       args => { jobUrl => $job_url, unsubscribeUrl => $page_url, email => $email,
                 password => $password, title => 'Platform Engineer',
                 company => "Pages $run" });
is(email_pref($email), 'true', 'turned back on in the settings page');
is(psql("SELECT preferences -> 'notifications' ->> 'email_digest' FROM users"
        . " WHERE email = '$email'"), 'daily', '... daily');
ok(wait_until(15, sub { grep { $_->{subject} =~ /password/i } $sink->mails($email) }),
   'the forgot-password page sent a reset mail');

# the mail client's one click (RFC 8058): a form POST to the URL
my $form = 'List-Unsubscribe=One-Click';
($st, $h, $body) = http_request("POST $path HTTP/1.1\r\nHost: localhost\r\n"
    . "Content-Type: application/x-www-form-urlencoded\r\n"
    . "Content-Length: " . length($form) . "\r\nConnection: close\r\n\r\n$form", 10);
is($st, 200, "a mail client's one-click POST: 200");
is_deeply(eval { decode_json($body) }, { email => $email, email_alerts => JSON::PP::false },
          '... naming the address');
is(email_pref($email), 'false', '... e-mails off');
($st) = http_request("POST $path HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                     . "Connection: close\r\n\r\n", 10);
is($st, 200, 'again: no harm');

(my $forged = $path) =~ s/token=(.)/'token=' . ($1 eq 'a' ? 'b' : 'a')/e;
($st, $h, $body) = http_request("POST $forged HTTP/1.1\r\nHost: localhost\r\n"
                                . "Content-Length: 0\r\nConnection: close\r\n\r\n", 10);
is($st, 400, 'a token changed by one character: 400');
like($body, qr/"code":"invalid_token"/, '... invalid_token');
($st, $h, $body) = http_request("POST /api/v1/unsubscribe HTTP/1.1\r\nHost: localhost\r\n"
                                . "Content-Length: 0\r\nConnection: close\r\n\r\n", 10);
is($st, 422, 'no token: 422');

$jobscoutd->stop;
$sink->stop;
stop_nginx();
unlike(error_log_since(0), qr/\[alert\]|exited on signal/, 'no alert, no crash');
done_testing();
