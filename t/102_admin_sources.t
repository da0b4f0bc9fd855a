# /api/v1/admin/sources and the scrape logs: an operator creates sources
# whose config the adapter catalogue accepts, reads, lists, changes,
# deactivates and reactivates them, and reads how their runs went.  Every
# change is audited in its statement (never with the webhook secret), a
# refused request writes nothing, and only a current admin gets in.
# (Request-by-request refusals: t/102_admin_sources_requests.t.)
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
use JobScout::Psql;
use POSIX ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

start_api();

my ($admin, $atok) = admin('achieng');
my (undef, $utok) = user('kamau');
my $acme = company('Acme');
my $acme_slug = psql("SELECT slug FROM companies WHERE id = '$acme'");
my $zuri = company('Zuri');
my $ghost = '00000000-0000-4000-8000-00000000dead';

sub counts {
    return psql("SELECT (SELECT count(*) FROM job_sources) || '/'"
                . " || (SELECT count(*) FROM admin_audit)");
}

sub last_audit {
    my ($target) = @_;
    return JSON::PP::decode_json(psql(
        "SELECT row_to_json(a) FROM admin_audit a WHERE target_id ="
        . " '$target' ORDER BY created_at DESC LIMIT 1") || 'null');
}

my $html_config = { list => '//div[@class="job"]',
                    fields => { title => 'h2', url => 'a::attr(href)' } };

# --- create -----------------------------------------------------------------

my ($s, $d, undef, undef, $raw) = api(POST => '/admin/sources',
    { company_id => $acme, scraper_class => 'Greenhouse',
      source_url => 'https://boards-api.example/v1/boards/acme/jobs' },
    $atok);
is($s, 201, 'create: 201');
my $gh = $d;
is($gh->{scraper_class}, 'greenhouse', '... the adapter as the catalogue names it');
is_deeply($gh->{company}, { id => $acme, slug => $acme_slug, name => 'Acme' },
          '... its company');
is_deeply($gh->{config}, {}, '... config {} by default');
is($gh->{priority}, 'normal', '... normal priority');
is($gh->{scrape_interval_seconds}, undef, "... the scheduler's interval");
ok($gh->{is_active}, '... active');
is($gh->{health_status}, 'healthy', '... healthy');
is($gh->{consecutive_failures}, 0, '... no failures');
is_deeply($gh->{webhook}, { configured => JSON::PP::false, created_at => undef },
          '... no webhook');
unlike($raw, qr/webhook_secret/, '... and no secret, nor its name');
my $a = last_audit($gh->{id});
is($a->{action}, 'source.create', 'audited: source.create');
is($a->{target_type}, 'source', '... a source');
is($a->{admin_id}, $admin, '... by the admin');
is($a->{before}, undef, '... nothing before');
is($a->{after}{source_url}, $gh->{source_url}, '... the row after');
ok(!exists $a->{after}{webhook_secret}, '... without the secret column');

($s, $d) = api(POST => '/admin/sources',
    { company_id => $acme, scraper_class => 'html',
      source_url => 'https://acme.example/careers', config => $html_config,
      priority => 'high', scrape_interval_seconds => 3600 }, $atok);
is($s, 201, 'create an html source: 201');
my $html = $d;
is_deeply($html->{config}, $html_config, '... its config stored');
is($html->{priority}, 'high', '... high priority');
is($html->{scrape_interval_seconds}, 3600, '... every hour');

# the adapters with detail calls (adapter.h), with their limits
for my $new (
    [ smartrecruiters => 'https://api.smartrecruiters.com/v1/companies/Acme/postings',
      { page_size => 50, max_pages => 4, max_details => 20, currency => 'KES' } ],
    [ workday => 'https://acme.wd3.myworkdayjobs.com/en-US/External',
      { tenant => 'acme', search => 'engineer', page_size => 20, max_details => 0 } ],
    [ bamboohr => 'https://acme.bamboohr.com/careers/list', { max_details => 1000 } ],
) {
    my ($class, $url, $config) = @$new;
    ($s, $d) = api(POST => '/admin/sources',
        { company_id => $acme, scraper_class => $class, source_url => $url,
          config => $config }, $atok);
    is($s, 201, "create a $class source: 201");
    is($d->{scraper_class}, $class, '... of that adapter');
    is_deeply($d->{config}, $config, '... its page size and detail bound stored');
    # the listings below count Acme's sources as they were
    psql("DELETE FROM job_sources WHERE id = '$d->{id}'") if $d->{id};
}

my $before = counts();
my @refused = (
    [ { scraper_class => 'taleo' }, 'scraper_class', 'unknown adapter' ],
    [ { scraper_class => 'workday', config => { page_size => 50 } },
      'config.page_size', 'must be an integer from 1 to 20' ],
    [ { scraper_class => 'smartrecruiters', config => { max_details => 5000 } },
      'config.max_details', 'must be an integer from 0 to 1000' ],
    [ { scraper_class => 'bamboohr', config => { api_base => 'https://x.example' } },
      'config.api_base', 'unknown key' ],
    [ { scraper_class => 'html', config => { list => '//div' } },
      'config.fields', 'is required' ],
    [ { scraper_class => 'html',
        config => { list => '//div', fields => { url => 'a' } } },
      'config.fields.title', 'is required' ],
    [ { scraper_class => 'html',
        config => { list => '//div[', fields => { title => 'h2' } } },
      'config.list', qr/./ ],
    [ { config => { list => 'div' } }, 'config.list', 'unknown key' ],
    [ { config => [] }, 'config', 'must be an object' ],
    [ { source_url => 'ftp://acme.example/jobs' }, 'source_url',
      qr/must be an absolute http or https URL, or a board token/ ],
    [ { company_id => 'acme' }, 'company_id', "must be a company's id" ],
    [ { scrape_interval_seconds => 59 }, 'scrape_interval_seconds', qr/60/ ],
    [ { scrape_interval_seconds => '3600' }, 'scrape_interval_seconds',
      qr/integer/ ],
    [ { priority => 'urgent' }, 'priority', 'must be high or normal' ],
    [ { is_active => JSON::PP::false }, 'is_active', 'unknown field' ],
);
for my $r (@refused) {
    my $body = { company_id => $acme, scraper_class => 'greenhouse',
                 source_url => 'https://boards-api.example/x', %{ $r->[0] } };
    ($s, $d) = api(POST => '/admin/sources', $body, $atok);
    is($s, 422, "refused: $r->[1]");
    is($d->{error}{field}, $r->[1], '... naming it');
    if (ref $r->[2]) {
        like($d->{error}{message}, qr/^\Q$r->[1]\E: .*$r->[2]/,
             '... and why');
    } else {
        is($d->{error}{message}, "$r->[1]: $r->[2]", '... and why');
    }
}
like(do { ($s, $d) = api(POST => '/admin/sources',
              { company_id => $acme, scraper_class => 'html',
                source_url => 'https://acme.example/',
                config => { list => '//div[', fields => { title => 'h' } } },
              $atok); $d->{error}{message} },
     qr/^config\.list: .*(xpath|XPath|selector|expression)/i,
     'an invalid selector: the reason given');
($s, $d) = api(POST => '/admin/sources',
               { company_id => $ghost, scraper_class => 'greenhouse',
                 source_url => 'https://boards-api.example/x' }, $atok);
is($s, 422, 'a company that does not exist: 422');
is("$d->{error}{message} $d->{error}{field}", 'company_id: no such company company_id',
   '... naming company_id, as its field too');
is(counts(), $before, 'no source and no audit row from refused requests');

# --- get --------------------------------------------------------------------

psql("UPDATE job_sources SET webhook_secret = decode(repeat('ab', 60), 'hex'),"
     . " webhook_secret_at = now() WHERE id = '$html->{id}'");
($s, $d, undef, undef, $raw) = api(GET => "/admin/sources/$html->{id}",
                                   undef, $atok);
is($s, 200, 'get: 200');
is($d->{id}, $html->{id}, '... the source');
ok($d->{webhook}{configured}, '... its webhook configured');
like($d->{webhook}{created_at}, qr/^\d{4}-/, '... since when');
unlike($raw, qr/abab|webhook_secret|q6ur/i, '... never the secret');
is_deeply([sort keys %$d], openapi_fields('AdminSource'),
          '... the fields conf/openapi.json describes');
($s, $d) = api(GET => '/admin/sources/12345', undef, $atok);
is($s, 404, 'a malformed id: 404');
($s, $d) = api(GET => "/admin/sources/$ghost", undef, $atok);
is($s, 404, 'an unknown id: 404');
is($d->{error}{message}, 'no such source', '... no such source');
($s, $d) = api(GET => "/admin/sources/$html->{id}", undef, $utok);
is($s, 403, 'a user: 403');

# --- list -------------------------------------------------------------------

($s, $d) = api(POST => '/admin/sources',
    { company_id => $zuri, scraper_class => 'rss',
      source_url => 'https://zuri.example/jobs.rss' }, $atok);
my $rss = $d;
psql("UPDATE job_sources SET health_status = 'degraded',"
     . " consecutive_failures = 1 WHERE id = '$rss->{id}'");

sub ids {
    my ($query) = @_;
    my ($s, $d) = api(GET => "/admin/sources$query", undef, $atok);
    return "status $s" unless $s == 200;
    return join ' ', map { $_->{id} } @{ $d->{items} };
}

# other suites' sources are older: these three come first
my $mine = "$rss->{id} $html->{id} $gh->{id}";
like(ids('?limit=100'), qr/^\Q$mine\E( |$)/, 'the list: newest first');
is(ids("?company=$zuri"), $rss->{id}, 'company: its sources');
is(ids("?scraper_class=HTML&company=$acme"), $html->{id},
   'scraper_class, case-blind');
is(ids("?health=degraded&company=$zuri"), $rss->{id}, 'health=degraded');
is(ids('?health=healthy&company=' . $acme), "$html->{id} $gh->{id}",
   'health=healthy with company');
is(ids("?active=false&company=$acme"), '', 'active=false: none yet');
is(ids("?company=$ghost"), '', 'an unknown company: none');

my (@seen, $cursor);
for (1 .. 100) {
    ($s, $d) = api(GET => '/admin/sources?limit=1'
                          . ($cursor ? "&cursor=$cursor" : ''), undef, $atok);
    push @seen, map { $_->{id} } @{ $d->{items} };
    $cursor = $d->{next_cursor} or last;
}
is("@seen[0 .. 2]", $mine, 'pages of one: in order');
is(scalar @seen, psql('SELECT count(*) FROM job_sources'),
   '... every source once');
($s, $d) = api(GET => '/admin/sources?health=sick', undef, $atok);
is($d->{error}{field}, 'health', 'a bad health: 422 naming it');
($s, $d) = api(GET => '/admin/sources?company=zuri', undef, $atok);
is($d->{error}{field}, 'company', "a company that is not an id: 422");
($s, $d) = api(GET => '/admin/sources', undef, $utok);
is($s, 403, 'list as a user: 403');

# --- polling: the next check and why --------------------------------------

psql("UPDATE job_sources SET next_check_at = now() + interval '25 minutes',"
     . " next_check_reason = 'changes about every 2h: checked every 25m to find one in 10 polls',"
     . " poll_changes = 1.5, poll_hours = 3.25, poll_quiet = 4,"
     . " fetch_host = 'boards-api.example' WHERE id = '$gh->{id}'");
($s, $d) = api(GET => "/admin/sources/$gh->{id}", undef, $atok);
is($s, 200, 'a source after polls: 200');
like($d->{polling}{next_check_at}, qr/^\d{4}-\d\d-\d\dT/, '... says its next check');
is($d->{polling}{reason}, 'changes about every 2h: checked every 25m to find one in 10 polls',
   '... and why');
is_deeply([ @{ $d->{polling} }{qw(changes hours_observed quiet_polls fetch_host)} ],
          [ 1.5, 3.25, 4, 'boards-api.example' ], '... and what the estimate stands on');

# --- update -----------------------------------------------------------------

($s, $d) = api(PATCH => "/admin/sources/$gh->{id}",
               { priority => 'high', scrape_interval_seconds => 900 }, $atok);
is($s, 200, 'update: 200');
is($d->{polling}{next_check_at}, undef, '... due at once: its estimate was for a normal one');
is($d->{polling}{reason}, undef, '... no reason any more');
is($d->{polling}{changes}, 1.5, '... what the polls showed is kept');
is($d->{priority}, 'high', '... the priority');
is($d->{scrape_interval_seconds}, 900, '... the interval');
is($d->{source_url}, $gh->{source_url}, '... the rest kept');
$a = last_audit($gh->{id});
is($a->{action}, 'source.update', 'audited: source.update');
is($a->{before}{priority}, 'normal', '... before');
is($a->{after}{priority}, 'high', '... after');

($s, $d) = api(PATCH => "/admin/sources/$gh->{id}",
               { scrape_interval_seconds => undef }, $atok);
is($d->{scrape_interval_seconds}, undef, "null: the scheduler's interval");

$before = counts();
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { config => { list => '//li' } }, $atok);
is($s, 422, 'a config alone is checked with the stored adapter');
is($d->{error}{field}, 'config.fields', '... html wants fields');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { scraper_class => 'greenhouse' }, $atok);
is($s, 422, 'an adapter alone is checked with the stored config');
is($d->{error}{field}, 'config.list', '... greenhouse knows no list');
is($d->{error}{message}, 'config.list: unknown key', '... unknown key');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { company_id => $ghost }, $atok);
is($s, 422, 'a company that does not exist: 422');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { source_url => 'mailto:jobs@acme.example' }, $atok);
is($d->{error}{field}, 'source_url', 'a URL that is not http: 422');
($s, $d) = api(PATCH => "/admin/sources/$ghost", { priority => 'high' },
               $atok);
is($s, 404, 'an unknown source: 404');
($s, $d) = api(PATCH => "/admin/sources/$ghost", { config => {} }, $atok);
is($s, 404, '... also when its stored half is wanted');
my $updated_at = psql("SELECT updated_at FROM job_sources"
                      . " WHERE id = '$html->{id}'");
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { priority => 'high', config => $html_config }, $atok);
is($s, 200, 'a change to the same values: 200');
is(psql("SELECT updated_at FROM job_sources WHERE id = '$html->{id}'"),
   $updated_at, '... the row untouched');
is(counts(), $before, 'refused and empty changes write and audit nothing');

my $new_config = { list => '//li', fields => { title => 'h3' },
                   max_pages => 3 };
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { config => $new_config }, $atok);
is($s, 200, 'a config that suits the stored adapter: 200');
is_deeply($d->{config}, $new_config, '... stored');
$a = last_audit($html->{id});
is_deeply($a->{before}{config}, $html_config, 'audited: the config before');
ok(!exists $a->{before}{webhook_secret} && !exists $a->{after}{webhook_secret},
   '... never the secret');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { scraper_class => 'rss', config => { max_pages => 2 },
                 company_id => $zuri }, $atok);
is($s, 200, 'adapter, config and company together: 200');
is($d->{scraper_class}, 'rss', '... the adapter');
is($d->{company}{id}, $zuri, '... the company');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { scraper_class => 'atom' }, $atok);
is($s, 200, 'an adapter the stored config suits: 200');
is_deeply($d->{config}, { max_pages => 2 }, '... the config kept');

# --- a change racing another ---------------------------------------------------

# An adapter sent alone is checked with the stored config; if that config
# changes before the row is written, the change is refused, not applied
# to a config it was not checked with.  A transaction holding the row
# makes the race happen every time: the check reads the config committed
# before it, the write waits for it and then finds another config.
my $race = $rss->{id};
my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});
$db->query("BEGIN; UPDATE job_sources SET config = '{\"max_pages\": 5}'"
           . " WHERE id = '$race'");
pipe(my $from_child, my $to_parent) or die "pipe: $!";
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    close $from_child;
    my ($s) = api(PATCH => "/admin/sources/$race",
                  { scraper_class => 'atom' }, $atok);
    print $to_parent $s;
    close $to_parent;
    POSIX::_exit(0);
}
close $to_parent;
select undef, undef, undef, 0.5;
is(psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type"
        . " = 'Lock' AND query LIKE '%job_sources%'"), 1,
   'the write waits for the other transaction');
$db->query('COMMIT');
my $status = <$from_child>;
waitpid $pid, 0;
is($status, 409, 'the config changed after the check: 409');
is(psql("SELECT scraper_class || ' ' || config::text FROM job_sources"
        . " WHERE id = '$race'"), 'rss {"max_pages": 5}',
   '... the adapter unchanged, the other change kept');

# --- deactivate, reactivate -------------------------------------------------

my $job = job($acme, source_id => "'$gh->{id}'", external_id => "'gh-1'");
($s, $d) = api(DELETE => "/admin/sources/$gh->{id}", undef, $atok);
is($s, 200, 'deactivate: 200');
ok(!$d->{is_active}, '... inactive');
is(psql("SELECT count(*) FROM jobs WHERE id = '$job' AND is_active"), 1,
   '... its jobs kept');
$a = last_audit($gh->{id});
is($a->{action}, 'source.deactivate', 'audited: source.deactivate');
ok($a->{before}{is_active} && !$a->{after}{is_active}, '... active, then not');
is(ids("?active=false&company=$acme"), $gh->{id}, 'active=false lists it');
$before = counts();
($s, $d) = api(DELETE => "/admin/sources/$gh->{id}", undef, $atok);
is($s, 200, 'deactivate again: 200');
is(counts(), $before, '... nothing more audited');

# a company's source once (0028): while it is inactive, another like it
# may be made; then it cannot come back beside that one
my %same = (company_id => $acme, scraper_class => 'GREENHOUSE',
            source_url => $gh->{source_url});
($s, $d) = api(POST => '/admin/sources', { %same }, $atok);
is($s, 201, 'another like it while it is inactive: 201');
my $twin = $d;
$before = counts();
($s, $d) = api(POST => '/admin/sources', { %same, config => {} }, $atok);
is("$s $d->{error}{code}", '409 conflict', 'a third like the active one: 409');
like($d->{error}{message}, qr/has an active source with this adapter, URL and config/,
     '... saying why');
($s, $d) = api(POST => "/admin/sources/$gh->{id}/reactivate", undef, $atok);
is("$s $d->{error}{code}", '409 conflict',
   '... and the inactive one cannot come back beside it');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { %same, config => {} }, $atok);
is("$s $d->{error}{code}", '409 conflict', '... nor another become one');
is(counts(), $before, '... nothing written, nothing audited');
($s, $d) = api(POST => '/admin/sources', { %same, company_id => company('Twin') },
               $atok);
is($s, 201, 'the same source for another company: 201');
($s, $d) = api(POST => '/admin/sources',
               { %same, config => { api_base => 'https://boards.example' } },
               $atok);
is($s, 201, '... or with another config: 201');
api(DELETE => "/admin/sources/$_", undef, $atok) for $twin->{id}, $d->{id};

psql("UPDATE job_sources SET health_status = 'failing',"
     . " consecutive_failures = 5, last_error = 'HTTP 503'"
     . " WHERE id = '$gh->{id}'");
($s, $d) = api(POST => "/admin/sources/$gh->{id}/reactivate", undef, $atok);
is($s, 200, 'reactivate: 200');
ok($d->{is_active}, '... active');
is($d->{health_status}, 'healthy', '... healthy again');
is($d->{consecutive_failures}, 0, '... no failures in a row');
is($d->{last_error}, 'HTTP 503', '... the last error kept');
$a = last_audit($gh->{id});
is($a->{action}, 'source.reactivate', 'audited: source.reactivate');
is($a->{before}{health_status}, 'failing', '... failing before');
$before = counts();
($s, $d) = api(POST => "/admin/sources/$gh->{id}/reactivate", undef, $atok);
is($s, 200, 'reactivate again: 200');
is(counts(), $before, '... nothing more audited');
($s, $d) = api(POST => "/admin/sources/$ghost/reactivate", undef, $atok);
is($s, 404, 'reactivate an unknown source: 404');
($s, $d) = api(DELETE => "/admin/sources/x", undef, $atok);
is($s, 404, 'deactivate a malformed id: 404');
($s, $d) = api(POST => "/admin/sources/$gh->{id}/reactivate", undef, $utok);
is($s, 403, 'reactivate as a user: 403');

# --- scrape logs ------------------------------------------------------------

my @logs;    # newest first
for my $i (0 .. 5) {
    my $status = (qw(success partial failed))[$i % 3];
    push @logs, psql(
        "INSERT INTO scrape_logs (source_id, status, trigger, jobs_found,"
        . " new_jobs, updated_jobs, expired_jobs, duplicate_jobs, pages,"
        . " http_status, duration_ms, error_message, started_at,"
        . " finished_at) VALUES ('$gh->{id}', '$status', 'schedule',"
        . " 10, $i, 2, 1, 0, 2, 200, 1500,"
        . ($status eq 'failed' ? "'timeout'" : 'NULL')
        . ", now() - interval '$i hours',"
        . " now() - interval '$i hours' + interval '1.5 seconds')"
        . " RETURNING id");
}
my $rss_log = psql("INSERT INTO scrape_logs (source_id, status, trigger,"
                   . " started_at) VALUES ('$rss->{id}', 'success',"
                   . " 'manual', now() - interval '30 minutes') RETURNING id");

sub log_ids {
    my ($path) = @_;
    my ($s, $d) = api(GET => $path, undef, $atok);
    return "status $s" unless $s == 200;
    return join ' ', map { $_->{id} } @{ $d->{items} };
}

($s, $d) = api(GET => "/admin/sources/$gh->{id}/logs", undef, $atok);
is($s, 200, "a source's log: 200");
is(join(' ', map { $_->{id} } @{ $d->{items} }), "@logs",
   '... its runs, newest first');
my $l = $d->{items}[2];
is_deeply([@$l{qw(source_id status trigger jobs_found new_jobs updated_jobs
                  expired_jobs duplicate_jobs pages http_status duration_ms
                  error_message)}],
          [$gh->{id}, 'failed', 'schedule', 10, 2, 2, 1, 0, 2, 200, 1500,
           'timeout'], '... each with what the run did');
like($l->{started_at}, qr/^\d{4}-/, '... when it started');
like($l->{finished_at}, qr/^\d{4}-/, '... and finished');
is_deeply($l->{source}, { id => $gh->{id}, scraper_class => 'greenhouse',
                          company_slug => $acme_slug }, '... and its source');
is_deeply([sort keys %$l], openapi_fields('ScrapeLog'),
          '... the fields conf/openapi.json describes');
is(log_ids("/admin/sources/$gh->{id}/logs?status=failed"), "$logs[2] $logs[5]",
   'status=failed');
my $since = psql("SELECT to_char((now() - interval '150 minutes')"
                 . " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
is(log_ids("/admin/sources/$gh->{id}/logs?since=$since"), "@logs[0 .. 2]",
   'since: the runs started since');
my (@pages, $c);
for (1 .. 10) {
    ($s, $d) = api(GET => "/admin/sources/$gh->{id}/logs?limit=4"
                          . ($c ? "&cursor=$c" : ''), undef, $atok);
    push @pages, scalar @{ $d->{items} };
    $c = $d->{next_cursor} or last;
}
is("@pages", '4 2', 'pages of 4: 4, then 2');
($s, $d) = api(GET => "/admin/sources/$ghost/logs", undef, $atok);
is($s, 404, 'the log of an unknown source: 404');
is($d->{error}{message}, 'no such source', '... no such source');
($s, $d) = api(GET => '/admin/sources/abc/logs', undef, $atok);
is($s, 404, '... of a malformed id: 404');
($s, $d) = api(GET => "/admin/sources/$zuri/logs", undef, $atok);
is($s, 404, "... of a company's id: 404");
($s, $d) = api(GET => "/admin/sources/$gh->{id}/logs?source=$rss->{id}",
               undef, $atok);
is($d->{error}{field}, 'source', 'source= is the feed\'s: 422 here');
($s, $d) = api(GET => "/admin/sources/$html->{id}/logs", undef, $atok);
is_deeply($d, { items => [], next_cursor => undef }, 'no runs: an empty page');

# the feed holds other suites' runs too: all its pages, these runs picked
my %mine = map { $_ => 1 } @logs, $rss_log;
sub feed {
    my ($query, $check) = @_;
    my (@ids, @wrong, $c);
    for (1 .. 100) {
        my ($s, $d) = api(GET => "/admin/scrape-logs?limit=100$query"
                                 . ($c ? "&cursor=$c" : ''), undef, $atok);
        return "status $s" unless $s == 200;
        push @ids, map { $_->{id} } grep { $mine{$_->{id}} } @{ $d->{items} };
        push @wrong, grep { $check && !$check->($_) } @{ $d->{items} };
        $c = $d->{next_cursor} or last;
    }
    return @wrong ? scalar(@wrong) . ' wrong items' : "@ids";
}

is(feed(''), "$logs[0] $rss_log @logs[1 .. 5]",
   'the feed: every source, newest first');
is(feed("&source=$rss->{id}", sub { $_[0]{source_id} eq $rss->{id} }),
   $rss_log, 'source=');
is(feed('&status=success', sub { $_[0]{status} eq 'success' }),
   "$logs[0] $rss_log $logs[3]", 'status=success');
is(feed("&status=partial&since=$since",
        sub { $_[0]{status} eq 'partial' }), $logs[1], 'status and since');
is(log_ids("/admin/scrape-logs?source=$ghost"), '', 'an unknown source: none');
($s, $d) = api(GET => '/admin/scrape-logs?since=yesterday', undef, $atok);
is($d->{error}{field}, 'since', 'a bad since: 422');
($s, $d) = api(GET => '/admin/scrape-logs?status=ok', undef, $atok);
is($d->{error}{field}, 'status', 'a bad status: 422');
($s, $d) = api(GET => '/admin/scrape-logs', undef, $utok);
is($s, 403, 'the feed as a user: 403');

# --- the feed adapters: recruitee, personio, teamtailor ----------------------

for my $new ([ recruitee => 'https://acme.recruitee.com/api/offers/',
               { currency => 'EUR' } ],
             [ personio => 'https://acme.jobs.personio.de/xml',
               { language => 'en' } ],
             [ teamtailor => 'https://careers.acme.example/jobs.rss',
               { per_page => 100, max_pages => 5 } ]) {
    ($s, $d) = api(POST => '/admin/sources',
        { company_id => $acme, scraper_class => $new->[0],
          source_url => $new->[1], config => $new->[2] }, $atok);
    is($s, 201, "create a $new->[0] source: 201");
    is($d->{scraper_class}, $new->[0], '... its adapter');
    is_deeply($d->{config}, $new->[2], '... its config');
}
($s, $d) = api(POST => '/admin/sources',
    { company_id => $acme, scraper_class => 'teamtailor',
      source_url => 'https://acme.teamtailor.com/jobs.rss',
      config => { per_page => 500 } }, $atok);
is($s, 422, 'teamtailor: a per_page over 100 refused');
is($d->{error}{field}, 'config.per_page', '... naming it');
($s, $d) = api(POST => '/admin/sources',
    { company_id => $acme, scraper_class => 'personio',
      source_url => 'https://acme.jobs.personio.de/xml',
      config => { api_base => 'http://127.0.0.1:1' } }, $atok);
is($s, 422, 'personio: no api_base (a custom domain is a source_url)');
is($d->{error}{field}, 'config.api_base', '... naming it');

# --- demoted: out at once ---------------------------------------------------

psql("UPDATE users SET is_admin = false WHERE id = '$admin'");
$before = counts();
($s, $d) = api(POST => '/admin/sources',
    { company_id => $acme, scraper_class => 'greenhouse',
      source_url => 'https://boards-api.example/late' }, $atok);
is($s, 403, 'demoted: create 403');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}",
               { scraper_class => 'html', config => $html_config }, $atok);
is($s, 403, '... update 403');
($s, $d) = api(PATCH => "/admin/sources/$html->{id}", { config => {} },
               $atok);
is($s, 403, '... also when the stored half is read first');
($s, $d) = api(DELETE => "/admin/sources/$html->{id}", undef, $atok);
is($s, 403, '... deactivate 403');
($s, $d) = api(GET => "/admin/sources/$gh->{id}/logs", undef, $atok);
is($s, 403, '... logs 403');
is(counts(), $before, '... and nothing written');

done_testing();
