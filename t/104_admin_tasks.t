# What operators ask of jobscoutd through Redis: a run now
# (POST /admin/sources/{id}/scrape: queued once, never twice, at most once
# a minute), dry runs (POST /admin/sources/test and /sources/{id}/test:
# queued, then polled without blocking the worker, answered as jobscoutd
# answers or 504), and the dead letters (list, show, requeue, delete).
# Each change is audited.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use JSON::PP qw(encode_json decode_json);
use MIME::Base64 qw(encode_base64url);
use POSIX ();
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;
use JobScout::Scrape qw(start_board board_url board_routes write_conf
                        start_daemon stop_daemon wait_until);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api(http => "    jobscout_source_test_timeout 1s;\n");
my ($s, $d, $h, $secs);

my ($admin, $admin_token) = admin('operator');
my ($user, $user_token) = user('bystander');
my ($demoted, $demoted_token) = admin('demoted');
psql("UPDATE users SET is_admin = false WHERE id = '$demoted'");

sub audit_rows {
    my ($action, $target) = @_;
    return psql("SELECT count(*) FROM admin_audit WHERE action = '$action'"
                . " AND target_id = '$target' AND admin_id = '$admin'");
}

my $hex = qr/^[0-9a-f]{32}$/;

# --- run now ----------------------------------------------------------------

my $company = company('Run Now Ltd');
sub source {
    my ($c, $active) = @_;
    return psql("INSERT INTO job_sources (company_id, scraper_class,"
                . " source_url, is_active) VALUES ('$c', 'greenhouse',"
                . " 'https://boards.example/runnow', " . ($active // 'true')
                . ") RETURNING id");
}
my $src = source($company);
my $high = 'jobscout:queue:scrape:high';
redis('del', $high);

($s, $d) = api(POST => "/admin/sources/$src/scrape", undef, $admin_token);
is($s, 202, 'run now: 202');
like($d->{task_id}, $hex, '... a task id');
is("$d->{source_id} $d->{status}", "$src queued", '... the source, queued');
my @queued = redis('lrange', $high, 0, -1);
is(scalar @queued, 1, 'one task on scrape:high');
my $task = decode_json($queued[0]);
is_deeply([@$task{qw(id kind attempt)}, $task->{args}],
          [$d->{task_id}, 'scrape.source', 0,
           { source_id => $src, trigger => 'manual' }],
          '... the task: its id, kind, args, attempt 0');
cmp_ok(abs($task->{enqueued_at} - time * 1000), '<', 5000,
       '... enqueued_at: now, in ms');
is(redis('get', "jobscout:scrape:pending:$src"), $high,
   'the pending key is set, as the scheduler sets it');
cmp_ok(redis('ttl', "jobscout:scrape:pending:$src"), '>', 3500,
       '... for an hour');
my $rate_ttl = redis('ttl', "jobscout:scrape:manual:$src");
ok($rate_ttl > 50 && $rate_ttl <= 60,
   "the rate key lives a minute ($rate_ttl)");

($s, $d, $h) = api(POST => "/admin/sources/$src/scrape", undef, $admin_token);
is("$s $d->{error}{code}", '429 rate_limited', 'again at once: 429');
ok($h->{'retry-after'} > 50 && $h->{'retry-after'} <= 60,
   "... Retry-After: the rate key's life ($h->{'retry-after'})");
like($d->{error}{message}, qr/retry in \Q$h->{'retry-after'}\E s/,
     '... said in the message');

redis('del', "jobscout:scrape:manual:$src");
($s, $d) = api(POST => "/admin/sources/$src/scrape", undef, $admin_token);
is("$s $d->{error}{code}", '409 already_pending',
   'a minute later, still pending: 409');
is(redis('llen', $high), 1, '... never queued twice');
is(redis('exists', "jobscout:scrape:manual:$src"), 0,
   '... and no rate key set for it');

redis('del', "jobscout:scrape:pending:$src");
($s, $d) = api(POST => "/admin/sources/$src/scrape", undef, $admin_token);
is($s, 202, 'once the run is done (pending key gone): 202');
is(redis('llen', $high), 2, '... queued');
is(audit_rows('source.scrape', $src), 4,
   'every run now asked is audited, whatever Redis said');

my $idle = source($company, 'false');
($s, $d) = api(POST => "/admin/sources/$idle/scrape", undef, $admin_token);
is("$s $d->{error}{code} $d->{error}{message}",
   '409 conflict the source is inactive', 'an inactive source: 409');
my $closed = company('Closed Ltd');
my $orphan = source($closed);
psql("UPDATE companies SET is_active = false WHERE id = '$closed'");
($s, $d) = api(POST => "/admin/sources/$orphan/scrape", undef, $admin_token);
is("$s $d->{error}{message}", '409 the source is inactive',
   'a source of an inactive company: 409');
for my $id ('nope', '4b1f8a52-0c1e-4d3a-9b6e-2f4a5c6d7e8f') {
    ($s, $d) = api(POST => "/admin/sources/$id/scrape", undef, $admin_token);
    is("$s $d->{error}{message}", '404 no such source', "source $id: 404");
}
($s, $d) = api(POST => "/admin/sources/$src/scrape", undef, $demoted_token);
is($s, 403, 'a demoted admin: 403');
($s, $d) = api(POST => "/admin/sources/$src/scrape?now=1", undef,
               $admin_token);
is("$s $d->{error}{field}", '422 now', 'an argument: 422');
is(redis('llen', $high), 2, 'none of these queued anything');
is(redis('exists', "jobscout:scrape:pending:$idle",
         "jobscout:scrape:pending:$orphan"), 0, '... nor set a pending key');
redis('del', $high, "jobscout:scrape:pending:$src",
      "jobscout:scrape:manual:$src");

# the scheduler's own pending key: a due source, queued by jobscoutd
psql("UPDATE job_sources SET next_check_at = now() + interval '1 day'");
psql("UPDATE job_sources SET next_check_at = NULL WHERE id = '$src'");
write_conf(workers => { scheduler => 1 },
           set => { scrape_jitter => '0', scheduler_interval => '1s' });
start_daemon();
ok(wait_until(10, sub { redis('exists', "jobscout:scrape:pending:$src") }),
   'the scheduler queued the source');
stop_daemon();
my $scheduled = redis('llen', 'jobscout:queue:scrape:normal');
($s, $d) = api(POST => "/admin/sources/$src/scrape", undef, $admin_token);
is("$s $d->{error}{code}", '409 already_pending',
   '... run now: 409, the scheduler\'s task is pending');
is(redis('llen', $high) + redis('llen', 'jobscout:queue:scrape:normal'),
   $scheduled, '... nothing more queued');
redis('del', $high, 'jobscout:queue:scrape:normal', 'jobscout:delayed',
      redis('keys', 'jobscout:scrape:*'));

# --- dry runs: the module's side, against a jobscoutd played here -----------

my $tests = 'jobscout:queue:scrape:test';
my $url = 'https://boards.example/v1/boards/acme/jobs';
redis('del', $tests);

# takes one dry run off the queue and answers it with what it was given
sub fake_jobscoutd {
    my ($answer) = @_;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    my (undef, $raw) = redis('brpop', $tests, 5);
    my $t = eval { decode_json($raw) } || {};
    redis('lpush', $t->{args}{reply} // 'nowhere',
          $answer // encode_json({ ok => JSON::PP::true, task => $t }));
    POSIX::_exit(0);
}

my $pid = fake_jobscoutd();
my $t0 = time;
($s, $d) = api(POST => '/admin/sources/test',
               { scraper_class => 'Greenhouse', source_url => $url,
                 config => { api_base => 'https://boards.example' } },
               $admin_token);
waitpid $pid, 0;
is($s, 200, 'a dry run answered: 200') or diag explain $d;
ok($d->{ok}, '... with jobscoutd\'s answer');
$task = $d->{task};
is($task->{kind}, 'scrape.test', '... the task: scrape.test');
like($task->{id}, $hex, '... an id');
is($task->{attempt}, 0, '... attempt 0');
is_deeply($task->{args}{source},
          { id => undef, company_name => 'test', company_slug => 'test',
            scraper_class => 'greenhouse', source_url => $url,
            config => { api_base => 'https://boards.example' } },
          '... the source: no id, a placeholder company, the class as the'
          . ' catalogue spells it');
is($task->{args}{reply}, "jobscout:scrape:test:reply:$task->{id}",
   '... the reply list named after the task');
cmp_ok(abs($task->{args}{deadline} - ($t0 + 1) * 1000), '<', 500,
       '... the deadline: now + jobscout_source_test_timeout');
is($task->{args}{max_pages}, 1, '... one page by default');
is(redis('exists', $task->{args}{reply}), 0, 'the answer was taken');

my $named = company('Named Ltd');
my $slug = psql("SELECT slug FROM companies WHERE id = '$named'");
$pid = fake_jobscoutd();
($s, $d) = api(POST => '/admin/sources/test',
               { company_id => $named, scraper_class => 'greenhouse',
                 source_url => $url, max_pages => 3 }, $admin_token);
waitpid $pid, 0;
is($s, 200, 'with a company and max_pages');
is_deeply([@{ $d->{task}{args}{source} }{qw(company_name company_slug
                                               config)},
           $d->{task}{args}{max_pages}],
          ['Named Ltd', $slug, {}, 3],
          '... the company\'s name and slug, config {}, three pages');

my $saved = psql("INSERT INTO job_sources (company_id, scraper_class,"
                 . " source_url, config) VALUES ('$named', 'greenhouse',"
                 . " '$url', '{\"api_base\": \"https://x.example\"}')"
                 . " RETURNING id");
$pid = fake_jobscoutd();
($s, $d) = api(POST => "/admin/sources/$saved/test?max_pages=5", undef,
               $admin_token);
waitpid $pid, 0;
is($s, 200, 'a saved source: 200');
is_deeply([$d->{task}{args}{source}, $d->{task}{args}{max_pages}],
          [{ id => $saved, company_name => 'Named Ltd', company_slug => $slug,
             scraper_class => 'greenhouse', source_url => $url,
             config => { api_base => 'https://x.example' } }, 5],
          '... as stored, with its id; max_pages from the query');

$pid = fake_jobscoutd('<html>oops</html>');
($s, $d) = api(POST => "/admin/sources/$saved/test", undef, $admin_token);
waitpid $pid, 0;
is("$s $d->{error}{code}", '502 bad_gateway',
   'an answer that is not JSON: 502');

my %refused = (
    'an unknown class' => [{ scraper_class => 'myspace', source_url => $url },
                           'scraper_class'],
    'no class' => [{ source_url => $url }, 'scraper_class'],
    'a relative URL' => [{ scraper_class => 'greenhouse',
                           source_url => '/jobs' }, 'source_url'],
    'an ftp URL' => [{ scraper_class => 'greenhouse',
                       source_url => 'ftp://x.example/jobs' }, 'source_url'],
    'a config array' => [{ scraper_class => 'greenhouse', source_url => $url,
                           config => [] }, 'config'],
    'an unknown config key' => [{ scraper_class => 'greenhouse',
                                  source_url => $url,
                                  config => { colour => 'red' } },
                                'config.colour'],
    'max_pages 6' => [{ scraper_class => 'greenhouse', source_url => $url,
                        max_pages => 6 }, 'max_pages'],
    'max_pages "2"' => [{ scraper_class => 'greenhouse', source_url => $url,
                          max_pages => '2' }, 'max_pages'],
    'a company id that is no UUID' => [{ company_id => 'acme',
                                         scraper_class => 'greenhouse',
                                         source_url => $url }, 'company_id'],
    'an unknown field' => [{ scraper_class => 'greenhouse',
                             source_url => $url, priority => 'high' },
                           'priority'],
);
for my $case (sort keys %refused) {
    my ($body, $field) = @{ $refused{$case} };
    ($s, $d) = api(POST => '/admin/sources/test', $body, $admin_token);
    is("$s $d->{error}{field}", "422 $field", "$case: 422 naming $field");
}
for my $q ('max_pages=0', 'max_pages=x', 'max_pages=2.5', 'pages=2') {
    ($s, $d) = api(POST => "/admin/sources/$saved/test?$q", undef,
                   $admin_token);
    is($s, 422, "?$q: 422");
}
($s, $d) = api(POST => '/admin/sources/test',
               { company_id => '4b1f8a52-0c1e-4d3a-9b6e-2f4a5c6d7e8f',
                 scraper_class => 'greenhouse', source_url => $url },
               $admin_token);
is("$s $d->{error}{message}", '404 no such company', 'an unknown company: 404');
($s, $d) = api(POST => '/admin/sources/4b1f8a52-0c1e-4d3a-9b6e-2f4a5c6d7e8f'
                       . '/test', undef, $admin_token);
is("$s $d->{error}{message}", '404 no such source', 'an unknown source: 404');
($s, $d) = api(POST => '/admin/sources/test',
               { scraper_class => 'greenhouse', source_url => $url },
               $demoted_token);
is($s, 403, 'a demoted admin: 403');
is(redis('llen', $tests), 0, 'none of these queued a dry run');

# nobody answers: 504 once the timeout passed, the reply list gone
$t0 = time;
($s, $d) = api(POST => "/admin/sources/$saved/test", undef, $admin_token);
$secs = time - $t0;
is("$s $d->{error}{code} $d->{error}{message}",
   '504 timeout jobscoutd did not answer the dry run within 1 s',
   'no answer: 504');
ok($secs >= 0.95 && $secs < 1.6, "... after the timeout ($secs s)");
($task) = map { decode_json($_) } redis('lrange', $tests, 0, -1);
ok($task, 'the task was queued');
is(redis('exists', $task->{args}{reply}), 0, '... its reply list is gone');
redis('del', $tests);

# the worker is not held while a dry run waits
sub send_api {
    my ($method, $path, $token) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => server_port())
        or die "connect: $!";
    print $sock "$method /api/v1$path HTTP/1.1\r\nHost: localhost\r\n"
                . "Connection: close\r\nAuthorization: Bearer $token\r\n\r\n";
    return $sock;
}
my $waiting = send_api(POST => "/admin/sources/$saved/test", $admin_token);
sleep 0.3;
my @quick;
for (1 .. 5) {
    $t0 = time;
    ($s) = http_request('GET /health/ready');
    push @quick, [$s, time - $t0];
}
is_deeply([map { $_->[0] } @quick], [(200) x 5],
          'while a dry run waits, other requests are answered');
ok(!grep({ $_->[1] > 0.1 } @quick), '... each in under 100 ms')
    or diag explain \@quick;
($s) = parse_http_response(do { local $/; <$waiting> });
is($s, 504, '... and the dry run still times out');
redis('del', $tests);

# a client that goes away: the polling stops with its request
my $gone = send_api(POST => "/admin/sources/$saved/test", $admin_token);
ok(wait_until(2, sub { redis('llen', $tests) }), 'a dry run queued');
($task) = map { decode_json($_) } redis('lrange', $tests, 0, -1);
close $gone;
sleep 0.3;
redis('lpush', $task->{args}{reply}, '{"ok":true}');
sleep 0.5;
is(redis('llen', $task->{args}{reply}), 1,
   'once its client left, nobody polls the reply list');
redis('del', $tests, $task->{args}{reply});

# --- dead letters -----------------------------------------------------------

my $dead = 'jobscout:dead';
redis('del', $dead, 'jobscout:queue:mail');
my @ids;
sub dead_task {
    my ($n, %o) = @_;
    my $id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    push @ids, $id;
    return encode_json({ id => $id, kind => 'mail.verify_email',
                         args => { to => "n$n\@example.com" }, attempt => 5,
                         enqueued_at => 1700000000000 + $n,
                         queue => 'jobscout:queue:mail',
                         error => "SMTP 550 #$n", failed_at => 1700000001000,
                         %o });
}
redis('lpush', $dead, dead_task($_)) for 1 .. 10;
redis('lpush', $dead, 'garbage {');
redis('lpush', $dead, dead_task($_)) for 11 .. 25;
my %id = map { $_ => $ids[$_ - 1] } 1 .. 25;

sub tos {
    return [map { $_->{raw} // $_->{args}{to} =~ s/^n(\d+)\@.*/$1/r }
            @{ $_[0]{items} }];
}

($s, $d) = api(GET => '/admin/dead-letters?limit=10', undef, $admin_token);
is($s, 200, 'the dead letters: 200');
is_deeply(tos($d), [reverse 16 .. 25], '... newest first, as stored');
is($d->{items}[0]{error}, 'SMTP 550 #25', '... the tasks as they are');
ok($d->{next_cursor}, '... more follow');
my $cursor = $d->{next_cursor};

# two more die meanwhile, and one above the cursor goes
redis('lpush', $dead, dead_task($_)) for 26, 27;
($s, $d) = api(GET => '/admin/dead-letters?limit=10&cursor=' . $cursor,
               undef, $admin_token);
is_deeply(tos($d), [reverse(11 .. 15), 'garbage {', reverse(7 .. 10)],
          'the next page goes on after the last one seen, new ones aside;'
          . ' an entry that is not JSON is shown raw');
$cursor = $d->{next_cursor};
($s) = api(DELETE => "/admin/dead-letters/$id{20}", undef, $admin_token);
is($s, 204, 'one seen before is deleted');
($s, $d) = api(GET => '/admin/dead-letters?limit=10&cursor=' . $cursor,
               undef, $admin_token);
is_deeply(tos($d), [reverse 1 .. 6], 'the last page: still where it was');
is($d->{next_cursor}, undef, '... and nothing after');
($s, $d) = api(GET => '/admin/dead-letters?limit=100', undef, $admin_token);
is(scalar @{ $d->{items} }, 27, 'all on one page of 100');

my $no_id = join '-', map { '0' x $_ } 8, 4, 4, 4, 12;
for my $q ('limit=0', 'limit=101', 'cursor=nope', 'offset=3',
           'cursor=' . encode_base64url("-5|$no_id"),
           # past what a double holds exactly: LRANGE would refuse it
           'cursor=' . encode_base64url("300000000000000000|$no_id"),
           'cursor=' . encode_base64url("1000000000000000|$no_id"))
{
    ($s, $d) = api(GET => "/admin/dead-letters?$q", undef, $admin_token);
    is("$s $d->{error}{field}", '422 ' . ($q =~ /cursor/ ? 'cursor' : $q =~ s/=.*//r),
       "?$q: 422");
}
# the largest offset taken is past every entry: an empty page
($s, $d) = api(GET => '/admin/dead-letters?cursor='
                      . encode_base64url("999999999999999|$no_id"), undef, $admin_token);
is("$s " . scalar @{ $d->{items} } . ' ' . ($d->{next_cursor} // 'none'), '200 0 none',
   'an offset past the end: an empty page');

($s, $d) = api(GET => "/admin/dead-letters/$id{12}", undef, $admin_token);
is("$s $d->{id} $d->{error}", "200 $id{12} SMTP 550 #12", 'one dead letter');
for my $bad ('f' x 32, uc $id{12}, 'abc', "$id{12}0") {
    ($s, $d) = api(GET => "/admin/dead-letters/$bad", undef, $admin_token);
    is("$s $d->{error}{message}", '404 no such dead letter',
       'GET ' . substr($bad, 0, 8) . '...: 404');
}
($s, $d) = api(GET => "/admin/dead-letters/$id{12}", undef, $demoted_token);
is($s, 403, 'a demoted admin: 403');

# requeue
($s, $d) = api(POST => "/admin/dead-letters/$id{12}/requeue", undef,
               $demoted_token);
is($s, 403, 'requeue by a demoted admin: 403');
($s, $d) = api(POST => "/admin/dead-letters/$id{12}/requeue", undef,
               $admin_token);
is($s, 202, 'requeue: 202');
is_deeply($d, { task_id => $id{12}, queue => 'jobscout:queue:mail',
                status => 'requeued' }, '... where it went');
my @mail = map { decode_json($_) }
           redis('lrange', 'jobscout:queue:mail', 0, -1);
is(scalar @mail, 1, '... it is on its queue');
is_deeply($mail[0], { id => $id{12}, kind => 'mail.verify_email',
                      args => { to => 'n12@example.com' }, attempt => 0,
                      enqueued_at => 1700000000012,
                      queue => 'jobscout:queue:mail' },
          '... anew: attempt 0, no error, no failed_at');
($s) = api(GET => "/admin/dead-letters/$id{12}", undef, $admin_token);
is($s, 404, '... and no longer a dead letter');
is(psql("SELECT concat_ws(' ', target_type, before->>'error',"
        . " after->>'attempt', after ? 'error') FROM admin_audit"
        . " WHERE action = 'task.requeue' AND target_id = '$id{12}'"
        . " AND admin_id = '$admin'"),
   'task SMTP 550 #12 0 f', '... audited: the task before and after');
($s, $d) = api(POST => "/admin/dead-letters/$id{12}/requeue", undef,
               $admin_token);
is($s, 404, 'requeued again: 404');

my $n_dead = redis('llen', $dead);
redis('lpush', $dead, dead_task(90, queue => 'elsewhere:queue'));
redis('lpush', $dead, dead_task(91, queue => undef));
redis('lpush', $dead, dead_task(92, queue => 'jobscout:queue:'));
for my $n (90 .. 92) {
    ($s, $d) = api(POST => "/admin/dead-letters/$ids[-1 - (92 - $n)]/requeue",
                   undef, $admin_token);
    is("$s $d->{error}{code}", '409 conflict',
       "a task whose queue is not Job Scout's ($n): 409");
}
is(redis('llen', $dead), $n_dead + 3, '... they stay dead letters');
is(psql("SELECT count(*) FROM admin_audit WHERE action = 'task.requeue'"),
   1, '... and nothing is audited');

# delete
($s) = api(DELETE => "/admin/dead-letters/$id{13}", undef, $demoted_token);
is($s, 403, 'delete by a demoted admin: 403');
($s, $d, $h, undef, my $raw) = api(DELETE => "/admin/dead-letters/$id{13}",
                                   undef, $admin_token);
is("$s [$raw]", '204 []', 'delete: 204, no body');
($s) = api(GET => "/admin/dead-letters/$id{13}", undef, $admin_token);
is($s, 404, '... gone');
is(psql("SELECT concat_ws(' ', before->>'error', after IS NULL)"
        . " FROM admin_audit WHERE action = 'task.delete'"
        . " AND target_id = '$id{13}' AND admin_id = '$admin'"),
   'SMTP 550 #13 t', '... audited: the task before, nothing after');
($s) = api(DELETE => "/admin/dead-letters/$id{13}", undef, $admin_token);
is($s, 404, 'deleted again: 404');
is(redis('llen', $dead), $n_dead + 2, 'one dead letter less');
redis('del', $dead, 'jobscout:queue:mail');

# --- dry runs with jobscoutd ------------------------------------------------

stop_nginx();
start_api(http => "    jobscout_source_test_timeout 10s;\n");
($admin_token) = (admin('dry'))[1];
start_board();
board_routes({ '/gh/v1/boards/acme/jobs' => { file => 'greenhouse/jobs.json' },
               '/gh/v1/boards/gone/jobs' => { status => 404 } });
write_conf(workers => { scraper => 1 },
           set => { scrape_timeout => '2s', scrape_host_delay => '0',
                    scrape_concurrency => 1 });
start_daemon();
my $jobs = psql('SELECT count(*) FROM jobs');

($s, $d) = api(POST => '/admin/sources/test',
               { scraper_class => 'greenhouse',
                 source_url => board_url() . '/gh/v1/boards/acme/jobs' },
               $admin_token);
is($s, 200, 'a dry run by jobscoutd: 200') or diag explain $d;
ok($d->{ok}, '... ok');
my $parsed = @{ $d->{jobs} || [] };
ok($parsed > 0, "... the jobs it parsed: $parsed");
ok($d->{jobs}[0]{title}, '... with their titles');
is($d->{pages}[0]{status}, 200, '... the page\'s HTTP status');

($s, $d) = api(POST => '/admin/sources/test',
               { scraper_class => 'greenhouse',
                 source_url => board_url() . '/gh/v1/boards/gone/jobs' },
               $admin_token);
is("$s " . ($d->{ok} ? 'ok' : 'not ok'), '200 not ok',
   'a board that answers 404: 200, ok false');
is(psql('SELECT count(*) FROM jobs'), $jobs, 'a dry run stores no job');
stop_daemon();

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
