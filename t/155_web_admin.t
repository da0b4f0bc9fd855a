# The operator console (/admin) in a real browser (t/web/admin.mjs), served
# by the shipped nginx.conf, with jobscoutd's scraper and a local fixture
# board: an admin signs in, tests an html source (the dry run lists the
# board's jobs), saves and runs it, sees the run and the new jobs, finds,
# promotes and disables a user, requeues a dead letter, reads the stats;
# on a 390x844 screen, with no console error or CSP violation.  Here: what
# the browser did, as PostgreSQL and Redis have it.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(encode_json decode_json);

use JobScout::TestNginx qw(:all);
use JobScout::Api qw(psql redis verified_user);
use JobScout::Browser qw(browse start_pages);
use JobScout::Scrape qw(start_board board_url board_routes write_conf
                        start_daemon stop_daemon);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $base = start_pages();

my ($s, $h, $body) = http_request("GET /admin HTTP/1.1\r\nHost: localhost\r\n"
                                  . "Connection: close\r\n\r\n", 10);
is($s, 200, '/admin answers 200');
like($h->{'content-security-policy'} // '', qr/script-src 'self'/,
     '... under the strict CSP');
unlike($body, qr/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son\w+=/i,
       '... with no inline script, style or handler');
unlike($body, qr/<(?:input|select|textarea)\b(?![^>]*\bid=)/i,
       '... every control has an id (for its label)');

# the operator: a real account (its password signs in), made an admin
my $email = "ops.$$\@example.com";
my $password = 'console-pass-155';
my (undef, undef, $admin) = verified_user($email, $password, 'Console Ops');
psql("UPDATE users SET is_admin = true WHERE id = '$admin'");

# a user to find
my $user_email = "wairimu.console.$$\@example.com";
my $user = psql("INSERT INTO users (email, hashed_password, full_name,"
                . " email_verified, email_verified_at) VALUES ('$user_email', 'x',"
                . " 'Wairimu Console', true, now()) RETURNING id");

# a source whose last runs failed
# data is hostile: markup in it must show as text, never run or load
# (an <img> would be a request the harness reports, its onerror a CSP
# violation)
my $degraded = "Degraded <b>Co</b> $$";
my $degraded_error = "HTTP 503 <img src=x onerror=alert(1)> ($$)";
my ($degraded_id, $degraded_company) = split /\|/, psql(
     "WITH c AS (INSERT INTO companies (name, slug) VALUES ('$degraded',"
     . " 'degraded-$$') RETURNING id)"
     . " INSERT INTO job_sources (company_id, scraper_class, source_url,"
     . " health_status, consecutive_failures, last_error, last_scraped_at)"
     . " SELECT id, 'greenhouse', 'https://boards.example/degraded', 'degraded',"
     . " 2, '$degraded_error', now() - interval '10 minutes' FROM c"
     . " RETURNING id, company_id");
# its company no longer active: the console's list of companies lacks it
psql("UPDATE companies SET is_active = false WHERE id = '$degraded_company'");

# a push FCM accepted 1.5 s after its job was found, for the charts
my $pushed_company = psql("INSERT INTO companies (name, slug) VALUES"
                          . " ('Pushed $$', 'pushed-$$') RETURNING id");
my $pushed_job = psql("INSERT INTO jobs (company_id, title, is_active,"
                      . " discovered_at) VALUES ('$pushed_company', 'Pushed',"
                      . " false, now() - interval '1.5 seconds') RETURNING id");
psql("INSERT INTO user_job_alerts (user_id, job_id, push_status, pushed_at)"
     . " VALUES ('$user', '$pushed_job', 'accepted', now())");

# a dead letter: a mail no mailer runs here to take
my $task_id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
my $task_error = "SMTP 451 <script>alert(2)</script> try later ($$)";
redis('lpush', 'jobscout:dead', encode_json({
    id => $task_id, kind => 'mail.verify_email',
    args => { to => $user_email }, attempt => 5,
    enqueued_at => time * 1000, queue => 'jobscout:queue:mail',
    error => $task_error, failed_at => time * 1000 }));

# and one to drop
my $dropped_id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
redis('lpush', 'jobscout:dead', encode_json({
    id => $dropped_id, kind => 'mail.verify_email',
    args => { to => $user_email }, attempt => 5,
    enqueued_at => time * 1000, queue => 'jobscout:queue:mail',
    error => 'SMTP 550 no such mailbox', failed_at => time * 1000 }));

# the board, and the scraper that reads it
start_board();
board_routes({
    '/careers/'        => { file => 'html/careers-1.html', type => 'text/html' },
    '/careers/?page=2' => { file => 'html/careers-2.html', type => 'text/html' },
});
write_conf(workers => { scraper => 1 },
           set => { scrape_host_delay => '0', scrape_timeout => '10s' });
start_daemon();

my $config = decode_json(do {
    local $/;
    open my $fh, '<', "$ENV{TEST_JOBSCOUT_ROOT}/t/fixtures/html/config.json"
        or die $!;
    <$fh>;
});
my $company = "Acme Console $$";

my $seen = browse('155_admin', 't/web/admin.mjs',
    base => $base,
    args => { email => $email, password => $password, company => $company,
              board => board_url(), config => $config,
              user_query => "wairimu.console.$$", user_email => $user_email,
              task_id => $task_id, task_error => $task_error,
              dropped_id => $dropped_id,
              degraded => $degraded, degraded_error => $degraded_error,
              degraded_id => $degraded_id,
              degraded_company => $degraded_company });

# --- what the browser did -----------------------------------------------------

my $src = $seen->{source_id} // '';
like($src, qr/^[0-9a-f-]{36}$/, 'the browser saved a source')
    or $src = '00000000-0000-4000-8000-000000000000';
is(psql("SELECT concat_ws('|', c.name, s.scraper_class, s.source_url,"
        . " s.config->>'list') FROM job_sources s JOIN companies c"
        . " ON c.id = s.company_id WHERE s.id = '$src'"),
   "$company|html|" . board_url() . "/careers/|div.job-card",
   '... of a new company, the html adapter, the board, the config as typed');
is(psql("SELECT priority FROM job_sources WHERE id = '$src'"), 'high',
   '... then edited: high priority');
is(psql("SELECT concat_ws('|', trigger, status, new_jobs) FROM scrape_logs"
        . " WHERE source_id = '$src'"),
   'manual|success|5', 'one run, manual, five new jobs');
is(psql("SELECT count(*) FROM jobs WHERE source_id = '$src'"), 5,
   '... stored');
is(psql("SELECT company_id || '|' || scrape_interval_seconds FROM job_sources"
        . " WHERE id = '$degraded_id'"), "$degraded_company|7200",
   'the source of an inactive company: edited, its company kept');
is(psql("SELECT count(*) FROM admin_audit WHERE admin_id = '$admin' AND"
        . " action IN ('company.create', 'source.create', 'source.update')"),
   4, 'the company, the source and the changes were audited as the'
   . ' operator\'s');
is(psql("SELECT is_admin || '|' || is_active FROM users WHERE id = '$user'"),
   'true|false', 'the user: promoted, then disabled');
my @dead = redis('lrange', 'jobscout:dead', 0, -1);
is(scalar(grep { index($_, $task_id) >= 0 } @dead), 0,
   'the dead letter left the dead letters');
is(scalar(grep { (decode_json($_)->{id} // '') eq $task_id }
          redis('lrange', 'jobscout:queue:mail', 0, -1)),
   1, '... for its queue');
is(scalar(grep { index($_, $dropped_id) >= 0 } @dead,
          redis('lrange', 'jobscout:queue:mail', 0, -1)),
   0, 'the one deleted is nowhere');

stop_daemon();
stop_nginx();
done_testing();
