# make run's stack itself, offline: conf/stack.sh up in a directory and on
# ports of its own (PostgreSQL, Redis, nginx, the SMTP sink, the FCM
# stand-in, the demo board, jobscoutd), then demo-post.  The posting must
# be scraped from the demo board, matched to the demo user, pushed to the
# FCM stand-in (a file in the push spool) and e-mailed to the SMTP sink (a
# Maildir) within 90 s.  conf/stack.sh down runs at the end, also when a
# check fails.
#
# Ports (environment, else these, apart from make test's own):
# TEST_DEMO_PG_PORT 55463, TEST_DEMO_REDIS_PORT 56413, TEST_DEMO_HTTP_PORT
# 8190, TEST_DEMO_SMTP_PORT 2635, TEST_DEMO_BOARD_PORT 8191,
# TEST_DEMO_FCM_PORT 8192.
use strict;
use warnings;

use IO::Socket::INET;
use IPC::Run qw(run);
use JSON::PP;
use MIME::QuotedPrint qw(decode_qp);
use Test::More;
use Time::HiRes qw(sleep time);

my $root = $ENV{TEST_JOBSCOUT_ROOT};
my $build = $ENV{TEST_JOBSCOUT_BUILD};
die "run through make test: TEST_JOBSCOUT_ROOT and TEST_JOBSCOUT_BUILD\n"
    unless $root && $build;

my $stack = "$root/conf/stack.sh";
my $dir = ($ENV{STACK_DIR} || "$root/var/test") . '/demo-stack';
my %port = (PG_PORT => $ENV{TEST_DEMO_PG_PORT} || 55463,
            REDIS_PORT => $ENV{TEST_DEMO_REDIS_PORT} || 56413,
            HTTP_PORT => $ENV{TEST_DEMO_HTTP_PORT} || 8190,
            SMTP_PORT => $ENV{TEST_DEMO_SMTP_PORT} || 2635,
            DEMO_BOARD_PORT => $ENV{TEST_DEMO_BOARD_PORT} || 8191,
            FCM_PORT => $ENV{TEST_DEMO_FCM_PORT} || 8192);

# The stack's own settings only: none of make test's stack, nor any
# pointing at other servers.
delete @ENV{qw(PG_CONNINFO PG_DB REDIS_ADDR SMTP_URL FCM_SERVICE_ACCOUNT
               FCM_BASE_URL PUBLIC_BASE_URL DEMO_BOARD)};
@ENV{keys %port} = values %port;
$ENV{STACK_DIR} = $dir;
$ENV{BUILD} = $build;
$ENV{PG_SHARED_BUFFERS} = '128MB';
# the publisher's own postings, often enough to see one during the test
$ENV{DEMO_POST_INTERVAL} = 20;
# a module built with sanitizers (make asan) needs their runtimes in nginx
$ENV{NGINX_PRELOAD} = $ENV{TEST_NGINX_PRELOAD} || '';

my $json = JSON::PP->new->utf8;
my $conninfo = "host=127.0.0.1 port=$port{PG_PORT} dbname=jobscout"
    . ' user=postgres';
my $board = "http://127.0.0.1:$port{DEMO_BOARD_PORT}";

sub stack {
    my ($out, $err);
    my $ok = run [$stack, @_], \undef, \$out, \$err;
    return ($ok, $out, $err);
}

# one value of a query; its parameters are psql variables (:'name')
sub psql {
    my ($sql, %vars) = @_;
    my $out;
    run ['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
         (map { ('-v', "$_=$vars{$_}") } sort keys %vars), '-d', $conninfo],
        \$sql, \$out or die "psql failed: $sql\n";
    chomp $out;
    return $out;
}

sub http_json {
    my ($url) = @_;
    my $out;
    run ['curl', '-sf', $url], \undef, \$out or return undef;
    return $json->decode($out);
}

sub wait_until {
    my ($secs, $what) = @_;
    my $deadline = time + $secs;
    while (time < $deadline) {
        my $v = $what->();
        return $v if $v;
        sleep 0.5;
    }
    return undef;
}

my $down_done;
sub down {
    return if $down_done++;
    my ($ok, $out, $err) = stack('down');
    ok($ok, 'conf/stack.sh down') or diag $err;
}
END { local $?; down() unless $down_done; }
# stopped (make test interrupted): the stack goes down all the same
$SIG{$_} = sub { exit 1 } for qw(INT TERM HUP);

# a fresh stack: whatever an earlier run left is stopped and removed
stack('down');
system('rm', '-rf', $dir) == 0 or die "rm -rf $dir\n";

my ($ok, $out, $err) = stack('up');
ok($ok, 'conf/stack.sh up') or die "the stack did not start: $err";
like($out, qr{push:\s+\Q$dir\E/push/new \(local FCM stand-in},
     '... names the push spool');
like($out, qr{demo board: \Q$board\E/}, '... and the demo board');
my ($home) = $out =~ m{Job Scout is running: (http://\S+/)\n};
my $page = '';
ok($home && run(['curl', '-sf', $home], \undef, \$page),
   '... and the URL it prints answers 200');
like($page, qr{<title>Job Scout</title>}, '... with the landing page');

# sources on the demo board, one per format, polled every 20 s
is(psql("SELECT string_agg(s.scraper_class || ' ' || s.priority || ' '"
        . " || s.scrape_interval_seconds, ',' ORDER BY s.scraper_class)"
        . " FROM job_sources s WHERE position(:'board' IN s.source_url"
        . " || coalesce(s.config ->> 'api_base', '')) > 0", board => $board),
   'greenhouse high 20,jsonld high 20,lever high 20,rss high 20',
   'the demo sources: four adapters, on the local board, every 20 s');
is(psql("SELECT count(*) FROM job_sources WHERE position(:'board' IN"
        . " source_url || coalesce(config ->> 'api_base', '')) = 0",
        board => $board), 0, '... and no other source');

# up is back once the four boards are scraped, their first postings in:
# real scraped jobs, there when the URL is printed
is(psql("SELECT count(DISTINCT s.scraper_class) FROM jobs j"
        . " JOIN job_sources s ON s.id = j.source_id WHERE j.is_active"),
   4, 'jobs scraped from all four boards when up is back');
like($err, qr/waiting for the first scrape of the demo board's 4 sources/,
     '... which it said it waits for');

# then a posting, which the next poll of its board finds
($ok, $out, $err) = stack('demo-post');
ok($ok, 'conf/stack.sh demo-post') or diag $err;
my $t0 = time;
my $posted = $json->decode($out);
like($posted->{board}, qr/\A(greenhouse|lever|jsonld|rss)\z/,
     '... posts on a board');
ok($posted->{title} && $posted->{company} && $posted->{external_id},
   '... and prints the posting') or diag explain $posted;

# the posting, scraped
my $job = wait_until(90, sub {
    psql("SELECT j.id FROM jobs j JOIN job_sources s ON s.id = j.source_id"
         . " WHERE s.scraper_class = :'class' AND j.external_id = :'ext'"
         . "   AND j.title = :'title'",
         class => $posted->{board}, ext => $posted->{external_id},
         title => $posted->{title});
});
ok($job, 'the posting is scraped into jobs')
    or die "no job: see $dir/jobscoutd/logs/jobscoutd.log\n";

# its push, a file of the FCM stand-in's spool
sub pushes {
    my @m;
    for my $f (sort glob "$dir/push/new/*.json") {
        open my $fh, '<', $f or next;
        push @m, $json->decode(do { local $/; <$fh> });
    }
    return @m;
}
my $push = wait_until(90 - (time - $t0), sub {
    (grep { $_->{message}{data}{job_id} eq $job } pushes())[0];
});
ok($push, "a push of job $job in $dir/push/new");
note(sprintf 'from demo-post to the push: %.1f s', time - $t0) if $push;
is($push->{token}, 'demo-phone-wanjiku', "... to the demo user's phone");
is($push->{message}{notification}{title},
   "New $posted->{title} at $posted->{company}", '... naming the posting');
is(scalar(grep { $_->{message}{data}{job_id} eq $job } pushes()), 1,
   '... once');
ok(!glob("$dir/push/tmp/*"), '... and nothing left half-written');

# its e-mail, in the SMTP sink's Maildir
sub mail_naming {
    my ($title) = @_;
    for my $f (sort glob "$dir/mail/Maildir/new/*") {
        open my $fh, '<', $f or next;
        my ($head, $body) = split /\r?\n\r?\n/, do { local $/; <$fh> }, 2;
        return $f if $head =~ /^To:.*demo\@jobscout\.dev/mi
                     && index(decode_qp($body), $title) >= 0;
    }
    return undef;
}
ok(wait_until(90 - (time - $t0), sub { mail_naming($posted->{title}) }),
   'an e-mail to demo@jobscout.dev naming the posting');

# (FCM's acceptance is folded into the alert once the notifier is idle)
my $status = sub {
    psql("SELECT a.push_status || ' ' || a.email_status FROM user_job_alerts a"
         . " JOIN users u ON u.id = a.user_id"
         . " WHERE u.email = 'demo\@jobscout.dev' AND a.job_id = :'job'", job => $job) };
ok(wait_until(5, sub { $status->() eq 'accepted queued' }),
   "the demo user's alert: pushed and e-mailed") or diag($status->());

# a board that did not change answers the scraper's conditional request
ok(wait_until(60, sub {
       psql("SELECT count(*) FROM scrape_logs WHERE status = 'success'"
            . " AND http_status = 304") > 0;
   }), 'an unchanged board answers 304');

# the publisher posts by itself (every DEMO_POST_INTERVAL)
my $initial = 4 * 3;
ok(wait_until(30, sub {
       my $all = http_json("$board/_demo/postings");
       $all && @$all > $initial + 1;
   }), 'the publisher adds postings of its own');

# make run again: the seed changes nothing
($ok, $out, $err) = stack('seed');
ok($ok, 'the seed loads again') or diag $err;
is(psql("SELECT count(*) FROM job_sources") . ' '
   . psql("SELECT count(*) FROM users WHERE email LIKE '%\@jobscout.dev'"),
   '4 2', '... without a second source or user');

down();
ok(!-e "$dir/push/sink.pid" && !-e "$dir/demo-board/board.pid",
   'down stops the FCM stand-in and the board');
ok(!(IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port{DEMO_BOARD_PORT}")),
   '... the board no longer listens');

done_testing;
