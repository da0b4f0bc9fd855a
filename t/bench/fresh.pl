#!/usr/bin/perl
# make bench, freshness: how soon a new posting reaches a phone, and what
# polling costs the boards, with jobscoutd as shipped.
#
# t/bench/fresh_board.py serves 300 boards on loopback: 150 in Greenhouse's
# API format on one host (boards-api.localhost), 150 career sites on hosts
# of their own (JSON-LD pages, RSS, Lever), each publishing at random
# times (a tenth busy, a posting every few minutes; the rest every few
# hours); a third of the sources are high priority, none has its own
# scrape interval.  One user matches every posting and has a device: each
# new posting is one push, through the fake FCM (t/fakes/fcm.py).
# jobscoutd runs with conf/jobscoutd.conf as rendered by conf/stack.sh
# (FRESH_CONF), plus the fake FCM's account and URL and, when the shipped
# file budgets boards-api.greenhouse.io, the same budget for the API host.
#
# Timeline: a warm-up (BENCH_FRESH_WARMUP, 120 s: every source's first
# poll; postings made then are not counted), the measured window
# (BENCH_FRESH_SECONDS, 600 s: its postings are counted), then a drain
# (BENCH_FRESH_DRAIN, 300 s: boards keep publishing, uncounted, and the
# window's postings can still arrive).  A counted posting not pushed by
# the end waited longer than the drain: a percentile that falls on such
# postings is printed as "> drain".
#
# Prints: visible -> FCM accepted p50/p95/p99 per priority, requests per
# board per hour and the share of 304s (after the warm-up), per host the
# most requests in any 60 s and the smallest gap between two requests
# against its budget and required gap (the whole run), requests to paths
# robots.txt disallows, and scraper + scheduler CPU per poll.  Fails when
# a host's budget or gap, or robots.txt, was not respected.
#
# Called by conf/stack.sh bench with PG_CONNINFO (a database of its own,
# migrated, empty), REDIS_ADDR (flushed), JOBSCOUTD, STACK_DIR, FRESH_CONF.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use JSON::PP qw(decode_json encode_json);
use POSIX ();
use Time::HiRes qw(sleep time);

my $root;
BEGIN {
    $root = abs_path(dirname(__FILE__) . '/../..');
    $ENV{TEST_JOBSCOUT_ROOT} = $root;
}
use lib "$root/t/lib";
use JobScout::FakeFCM;
use JobScout::Psql;

my $warmup = $ENV{BENCH_FRESH_WARMUP} // 120;
my $window = $ENV{BENCH_FRESH_SECONDS} || 600;
my $drain = $ENV{BENCH_FRESH_DRAIN} // 300;
my %target = (high => 60, normal => 300);    # p95, seconds
my $slack = 0.25;      # s of event-loop jitter allowed in gaps and windows
my $dir = "$ENV{STACK_DIR}/fresh";
my $email = 'fresh@bench.invalid';

remove_tree($dir);
make_path("$dir/conf", "$dir/logs", "$dir/board");
my $db = JobScout::Psql->new($ENV{PG_CONNINFO});

# --- the boards, their sources, the user
my $board_pid = fork // die "fork: $!";
if ($board_pid == 0) {
    open STDOUT, '>>', "$dir/board/board.log";
    open STDERR, '>&', \*STDOUT;
    { no warnings 'exec'; exec '/usr/bin/python3', "$root/t/bench/fresh_board.py",
          "$dir/board"; }
    POSIX::_exit(127);
}
END { local $?; if ($board_pid) { kill 'TERM', $board_pid; waitpid $board_pid, 0; } }
for (1 .. 200) { last if -s "$dir/board/port"; sleep 0.05; }
-s "$dir/board/port" or die "the boards did not start: " . `cat $dir/board/board.log`;
my $plan = decode_json(do { local $/; open my $f, '<', "$dir/board/plan.json" or die $!; <$f> });
my @boards = @{ $plan->{boards} };
my %board = map { $_->{id} => $_ } @boards;
my %route = map { ("$_->{host} $_->{path}" => $_->{id}) } @boards;
my $api_base = "http://$plan->{api_host}:$plan->{port}";

my @sources = map { +{ board => $_->{id}, kind => $_->{kind}, url => $_->{url},
                       priority => $_->{priority},
                       config => $_->{kind} eq 'greenhouse' ? { api_base => $api_base } : {} } }
              @boards;
push @sources, map { +{ board => 0, kind => 'rss', url => $_, priority => 'normal', config => {} } }
               @{ $plan->{disallowed} };
$db->query(<<"EOS");
WITH p AS (
    SELECT row_number() OVER () AS n, p.*
      FROM json_to_recordset(\$plan\$@{[ encode_json(\@sources) ]}\$plan\$)
               AS p (board integer, kind text, url text, priority text, config jsonb)
), c AS (
    INSERT INTO companies (name, slug)
    SELECT 'Fresh board ' || p.n, 'fresh-' || p.n FROM p
    RETURNING id, slug
)
INSERT INTO job_sources (company_id, scraper_class, source_url, config, priority)
SELECT c.id, p.kind, p.url, p.config, p.priority
  FROM p JOIN c ON c.slug = 'fresh-' || p.n;
INSERT INTO users (email, hashed_password, full_name, preferences, fcm_token)
VALUES ('$email', '!', 'Fresh Bench',
        '{"notifications": {"push": true, "email": false}}', 'fresh-device-1');
EOS

# --- jobscoutd as shipped, pushing to the fake FCM
my $fcm = JobScout::FakeFCM->start(dir => $dir);
open my $in, '<', $ENV{FRESH_CONF} or die "FRESH_CONF: $!";
my $conf = do { local $/; <$in> };
close $in;
$conf .= "\n# the bench's\nfcm_service_account $fcm->{account};\nfcm_base_url $fcm->{url};\n";
my $jobscoutd = "$ENV{JOBSCOUTD} -p $dir/ -c conf/jobscoutd.conf";
sub write_conf {
    open my $out, '>', "$dir/conf/jobscoutd.conf" or die $!;
    print $out @_;
    close $out;
}
if ($conf =~ /^scrape_host_budget\s+boards-api\.greenhouse\.io\s+([^;\s]+)\s*;/m) {
    my $line = "scrape_host_budget $plan->{api_host} $1;\n";
    write_conf($conf . $line);
    $conf .= $line if system("$jobscoutd -t >/dev/null 2>&1") == 0;
}
write_conf($conf);
my $check = `$jobscoutd -t 2>&1`;
die "jobscoutd -t: $check" if $?;

my $host_delay = $conf =~ /^scrape_host_delay\s+(\d+(?:\.\d+)?)(ms|s|m)?\s*;/m
                 ? $1 * { ms => 0.001, s => 1, m => 60 }->{$2 // 's'} : 0;
my %budget;    # host => requests per 60 s
while ($conf =~ /^scrape_host_budget\s+(\S+)\s+(\d+)\/(s|m|h)\s*;/mg) {
    $budget{$1} = $2 * { s => 60, m => 1, h => 1 / 60 }->{$3};
}

system($jobscoutd) == 0 or die "jobscoutd did not start: " . `tail -5 $dir/logs/jobscoutd.log`;
my $t0 = time;
my ($master) = `cat $dir/logs/jobscoutd.pid 2>/dev/null` =~ /(\d+)/ or die 'no pid file';
END { if ($master) { kill 'QUIT', $master; for (1 .. 300) { last unless kill 0, $master; sleep 0.05; } } }
my $tick = POSIX::sysconf(POSIX::_SC_CLK_TCK());

# CPU seconds of the scraper and scheduler processes started so far, by pid
sub cpu {
    my %cpu;
    open my $log, '<', "$dir/logs/jobscoutd.log" or return {};
    while (<$log>) {
        my ($pid) = /worker started\W.*\bworker\W+(?:scraper|scheduler)\b.*\bworker_pid\W+(\d+)/
            or next;
        open my $st, '<', "/proc/$pid/stat" or next;
        my @f = split ' ', (<$st> =~ s/.*\) //r);
        $cpu{$pid} = ($f[11] + $f[12]) / $tick;
    }
    return \%cpu;
}

sub wait_until {
    my ($at, $what) = @_;
    while ((my $left = $at - time) > 0) {
        sleep($left > 60 ? 60 : $left);
        my ($posts, $pushes) = split /\|/, $db->query(
            "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM user_job_alerts"
            . " WHERE push_status = 'accepted')");
        printf STDERR "fresh: %s, %4.0f s left: %d jobs stored, %d pushed\n", $what,
            $at - time > 0 ? $at - time : 0, $posts, $pushes;
    }
}

printf "\nfreshness: %d boards (%d on %s, %d sites), %d s warm-up, %d s counted,"
       . " %d s drain\n", scalar @boards, scalar(grep { $_->{host} eq $plan->{api_host} } @boards),
       $plan->{api_host}, scalar(grep { $_->{host} ne $plan->{api_host} } @boards),
       $warmup, $window, $drain;
my $warm_end = $t0 + $warmup;
wait_until($warm_end, 'warm-up');
my $cpu0 = cpu();
my $polls0 = $db->query("SELECT count(*) FROM scrape_logs");
wait_until($warm_end + $window + $drain, 'measuring');
my $cpu1 = cpu();
my $polls = $db->query("SELECT count(*) FROM scrape_logs") - $polls0;
my $t_end = time;
kill 'QUIT', $master;
for (1 .. 300) { last unless kill 0, $master; sleep 0.05; }
undef $master;
kill 'TERM', $board_pid;
waitpid $board_pid, 0;
undef $board_pid;
my $rejects = @{ $fcm->stats->{rejects} };
$fcm->stop;

# --- visible -> FCM accepted, per priority
my %pushed = map { split /\|/ } split /\n/, $db->query(
    "SELECT j.external_id, extract(epoch FROM a.pushed_at)"
    . " FROM user_job_alerts a JOIN jobs j ON j.id = a.job_id JOIN users u ON u.id = a.user_id"
    . " WHERE u.email = '$email' AND a.push_status = 'accepted'");
my (%lat, %posted);
open my $plog, '<', "$dir/board/postings.log" or die $!;
while (<$plog>) {
    my ($t, $event, $id, $ext) = split /\t/;
    chomp $ext;
    next unless $event eq 'add' && $t >= $warm_end && $t <= $warm_end + $window;
    my $p = $board{$id}{priority};
    $posted{$p}++;
    push @{ $lat{$p} }, exists $pushed{$ext} ? $pushed{$ext} - $t : 9**9**9;
}

# the p-th percentile when exact, else "> drain": a posting not pushed
# waited longer than the drain, so only values up to it are known
sub percentile {
    my ($p, @v) = @_;
    return '-' unless @v;
    @v = sort { $a <=> $b } @v;
    my $v = $v[int($#v * $p / 100 + 0.5)];
    return $v <= $drain ? sprintf('%.1f', $v) : "> $drain";
}

print "\nvisible on the board -> accepted by FCM, seconds (postings of the counted window)\n";
printf "%-8s %7s %7s %9s %9s %9s %8s\n", 'priority', 'posted', 'pushed', 'p50', 'p95', 'p99',
    'target';
for my $p (qw(high normal)) {
    my @v = @{ $lat{$p} || [] };
    my $p95 = percentile(95, @v);
    my $verdict = !@v ? 'no postings'
                : $p95 !~ /^>/ ? ($p95 < $target{$p} ? 'met' : 'MISSED')
                : $drain >= $target{$p} ? 'MISSED' : 'unknown (drain too short)';
    printf "%-8s %7d %7d %9s %9s %9s %8s  p95 %s\n", $p, scalar @v,
        scalar(grep { $_ < 9**9**9 } @v), percentile(50, @v), $p95, percentile(99, @v),
        "< $target{$p}", $verdict;
}

# --- requests: per board per hour and 304s after the warm-up; per host
# for the whole run
my (%host_times, %per_board, %status, @disallowed);
my %disallow = map { my $b = $_; my @d = ($b->{robots} // '') =~ /^Disallow:\s*(\S+)/mg;
                     ($b->{host} => \@d) } @boards;
open my $rlog, '<', "$dir/board/requests.log" or die $!;
while (<$rlog>) {
    chomp;
    my ($t, $host, $path, $status) = split /\t/;
    push @{ $host_times{$host} }, $t;
    (my $bare = $path) =~ s/\?.*//;
    push @disallowed, "$host$path" if grep { index($bare, $_) == 0 } @{ $disallow{$host} || [] };
    my $id = $route{"$host $bare"};
    next unless $id && $t >= $warm_end;
    $per_board{$id}++;
    $status{$status}++;
}
my $hours = ($t_end - $warm_end) / 3600;
my @rate = map { ($per_board{$_->{id}} // 0) / $hours } @boards;
my %by_prio;
push @{ $by_prio{ $_->{priority} } }, ($per_board{ $_->{id} } // 0) / $hours for @boards;
my $mean = sub { my $s = 0; $s += $_ for @_; @_ ? $s / @_ : 0 };
my $max = sub { my $m = 0; $_ > $m and $m = $_ for @_; $m };
my $requests = 0;
$requests += $_ for values %status;
print "\nrequests to the boards after the warm-up\n";
printf "%-28s mean %6.2f, max %6.2f (high %.2f, normal %.2f)\n", 'per board per hour',
    $mean->(@rate), $max->(@rate), $mean->(@{ $by_prio{high} || [] }),
    $mean->(@{ $by_prio{normal} || [] });
printf "%-28s %5.1f%% of %d (200: %d, other: %d)\n", '304 Not Modified',
    $requests ? 100 * ($status{304} // 0) / $requests : 0, $requests, $status{200} // 0,
    $requests - ($status{200} // 0) - ($status{304} // 0);

# the required gap of a host: scrape_host_delay, or its budget's share of
# a minute instead; a longer Crawl-delay wins
my %crawl = map { my ($d) = ($_->{robots} // '') =~ /^Crawl-delay:\s*([\d.]+)/mi;
                  ($_->{host} => $d) } @boards;
my (%group, $violated);
for my $host (sort keys %host_times) {
    my @t = sort { $a <=> $b } @{ $host_times{$host} };
    my ($most, $gap, $j) = (0, 9**9**9, 0);
    for my $i (0 .. $#t) {
        $gap = $t[$i] - $t[$i - 1] if $i && $t[$i] - $t[$i - 1] < $gap;
        $j++ while $t[$i] - $t[$j] >= 60 - $slack;
        $most = $i - $j + 1 if $i - $j + 1 > $most;
    }
    my $need = exists $budget{$host} ? 60 / $budget{$host} : $host_delay;
    $need = $crawl{$host} if $crawl{$host} && $crawl{$host} > $need;
    my $ok = $gap >= $need - $slack && (!exists $budget{$host} || $most <= $budget{$host});
    $violated++ unless $ok;
    my $kind = $host eq $plan->{api_host} ? $host
             : $crawl{$host} ? "sites with Crawl-delay $crawl{$host}" : 'other sites';
    my $g = $group{$kind} ||= { hosts => 0, requests => 0, most => 0, gap => 9**9**9,
                                need => $need, bad => [] };
    $g->{hosts}++;
    $g->{requests} += @t;
    $g->{most} = $most if $most > $g->{most};
    ($g->{gap}, $g->{at}) = ($gap, $host) if $gap < $g->{gap};
    push @{ $g->{bad} }, $host unless $ok;
}
print "\npoliteness, the whole run (arrival times at the boards; $slack s allowed for"
    . " jitter)\n";
printf "%-30s %5s %8s %12s %8s %16s\n", '', 'hosts', 'requests', 'max in 60 s', 'budget',
    'min gap/required';
for my $kind (sort keys %group) {
    my $g = $group{$kind};
    printf "%-30s %5d %8d %12d %8s %8.2f/%-7.2f %s\n", $kind, $g->{hosts}, $g->{requests},
        $g->{most}, $budget{$kind} // '-', $g->{gap} < 9**9**9 ? $g->{gap} : 0, $g->{need},
        @{ $g->{bad} } ? "VIOLATED: @{ $g->{bad} }[0 .. ($#{ $g->{bad} } < 4 ? $#{ $g->{bad} } : 4)]"
                       : 'held';
}
my ($blocked_runs) = $db->query("SELECT count(*) FROM scrape_logs l JOIN job_sources s"
    . " ON s.id = l.source_id WHERE s.source_url LIKE '%/internal/%'"
    . " AND l.error_message LIKE 'blocked by robots.txt%'");
printf "%-30s %d requests (the source under site001's Disallow: /internal/ ran %d times,"
       . " blocked by robots.txt) %s\n", 'disallowed paths', scalar @disallowed, $blocked_runs,
    @disallowed ? "VIOLATED: @disallowed[0 .. ($#disallowed < 4 ? $#disallowed : 4)]" : 'held';

# --- CPU per poll
my $cpu = 0;
$cpu += $cpu1->{$_} - ($cpu0->{$_} // 0) for keys %$cpu1;
my $respawned = `grep -c 'respawning worker' $dir/logs/jobscoutd.log` > 0;
printf "\nCPU per poll: %.2f ms (scraper + scheduler: %.2f s of CPU over %d polls after the"
       . " warm-up%s)\n", $polls ? 1000 * $cpu / $polls : 0, $cpu, $polls,
    $respawned ? '; workers were respawned: the CPU of the exited ones is missing' : '';
print "the fake FCM refused $rejects messages as malformed\n" if $rejects;
my $rc = $violated || @disallowed || $rejects ? 1 : 0;
undef $db;      # its psql's exit status is not ours
exit $rc;
