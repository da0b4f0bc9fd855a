#!/usr/bin/perl
# make chaos: faults injected into a whole local stack (conf/stack.sh up:
# PostgreSQL, Redis, nginx with the module, jobscoutd with every role, the
# SMTP sink, the FCM stand-in, the demo job board) while a load does real
# API work, then one table of what each fault cost:
#
#   nginx reload x3          failed requests (no answer, or 5xx but 503)
#   PostgreSQL restart       its 503 window, the time to recover
#   Redis restart (empty)    revoked tokens accepted, valid sessions
#   and FLUSHALL             lost, mails lost or doubled, recovery
#   kill -9 of each jobscoutd postings, pushes, mails lost or doubled;
#   role, mid-work           the time the master takes to restart it
#
# Exits 1 when a figure whose "must" is 0 (or 1%) is above it.
#
# Ports and places (environment), so that stacks run side by side:
#   PG_PORT_CHAOS (55435) REDIS_PORT_CHAOS (56382) CHAOS_PORT (8094, nginx)
#   CHAOS_SMTP_PORT (8095) CHAOS_BOARD_PORT (8096) CHAOS_FCM_PORT (8097)
#   CHAOS_DIR (var/chaos) BUILD (build)
# CHAOS_QUICK=1: shorter phases, fewer users (2 minutes, not 3.5);
# CHAOS_KEEP=1: the stack left up at the end.
use strict;
use warnings;

use Cwd qw(realpath);
use FindBin;
use JSON::PP qw(encode_json);
use List::Util qw(sum0);
use File::Path qw(make_path);
use POSIX ();
use Time::HiRes qw(time sleep);

my $root;
BEGIN {
    $root = realpath("$FindBin::Bin/../..");
    # JobScout::TestNginx stops the nginx of its server root at exit:
    # it must not be one of a stack
    $ENV{TEST_NGINX_SERVROOT} = "/nonexistent/chaos-$$";
}
use lib "$root/t/lib";
use JobScout::Chaos;
use JobScout::Psql;

my $quick = $ENV{CHAOS_QUICK} ? 1 : 0;
my $dir = $ENV{CHAOS_DIR} // "$root/var/chaos";
make_path($dir);
$dir = realpath($dir);
my %env = (
    STACK_DIR => $dir,
    PG_PORT => $ENV{PG_PORT_CHAOS} // 55435,
    REDIS_PORT => $ENV{REDIS_PORT_CHAOS} // 56382,
    HTTP_PORT => $ENV{CHAOS_PORT} // 8094,
    SMTP_PORT => $ENV{CHAOS_SMTP_PORT} // 8095,
    DEMO_BOARD_PORT => $ENV{CHAOS_BOARD_PORT} // 8096,
    FCM_PORT => $ENV{CHAOS_FCM_PORT} // 8097,
    PG_DB => 'jobscout_chaos', DEMO_POST_INTERVAL => 0,
    PG_SHARED_BUFFERS => '256MB', BUILD => $ENV{BUILD} // 'build',
);
my $port = $env{HTTP_PORT};
my $conninfo = "host=127.0.0.1 port=$env{PG_PORT} dbname=$env{PG_DB} user=postgres";
my $run = "$dir/run";                   # the load's logs, phase, stop
my $daemon = "$dir/jobscoutd";
my $build = $env{BUILD} =~ m{^/} ? $env{BUILD} : "$root/$env{BUILD}";

my %size = $quick
    ? (clients => 2, push_users => 50, batch => 500, recipients => 10, burst => 12,
       base => 3, settle => 100)
    : (clients => 3, push_users => 100, batch => 2500, recipients => 20, burst => 30,
       base => 10, settle => 120);
my $load_users = 50;
my @phase_names = qw(base kill-mailer kill-relay reload pg redis-restart flushall
                     kill-scheduler kill-scraper kill-notifier settle);
# the demo user's password and its bcrypt hash (sql/seed/demo.sql)
my $password = 'jobscout-demo';
my $hash = '$2b$12$yj7n5qBTMlGsh14f/67ujODQlTydd1sL4S0suJOegq.hCFiDqHdbW';
# the demo user's preferences: every posting of the demo board
my $prefs = encode_json({ roles => [qw(engineer developer)],
                          locations => [qw(nairobi kampala kigali remote)],
                          notifications => { push => JSON::PP::true,
                                             email => JSON::PP::false } });

sub note { printf STDERR "chaos %6.1fs %s\n", time - $^T, "@_" }

sub stack {
    my @args = @_;
    local %ENV = (%ENV, %env);
    system("$root/conf/stack.sh @args >>$dir/stack.log 2>&1") == 0
        or die "conf/stack.sh @args failed: see $dir/stack.log\n";
}

my $db;
sub psql { ($db ||= JobScout::Psql->new($conninfo))->query(@_) }

# a child must not hold the psql session's pipes: its stdin would never
# close, and the session never end
sub fork_child {
    undef $db;
    my $pid = fork // die "fork: $!";
    return $pid;
}

sub redis {
    my $out = `redis-cli -p $env{REDIS_PORT} @_ 2>&1`;
    chomp $out;
    return $out;
}

sub wait_until {
    my ($secs, $cond) = @_;
    my $end = time + $secs;
    while (time < $end) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

sub api { request($port, @_) }

# --- the stack ----------------------------------------------------------

# the shipped configuration, made quicker to recover where it waits for
# a lease: a killed mailer's or notifier's claim, the politeness delay
# between the demo board's four sources (one host)
my %daemon_conf = (scrape_host_delay => '0', smtp_connect_timeout => '2s',
                   smtp_timeout => '5s', fcm_timeout => '2s',
                   push_claim_timeout => '6s');

sub daemon_pid {
    open my $fh, '<', "$daemon/logs/jobscoutd.pid" or return;
    chomp(my $pid = <$fh> // '');
    return $pid;
}

sub restart_daemon {
    my $pid = daemon_pid();
    if ($pid && kill 0, $pid) {
        kill 'QUIT', $pid;
        wait_until(20, sub { !kill 0, $pid }) or kill 'KILL', $pid;
    }
    my $conf = "$daemon/conf/jobscoutd.conf";
    open my $in, '<', $conf or die "$conf: $!";
    my $text = do { local $/; <$in> };
    close $in;
    for my $d (sort keys %daemon_conf) {
        $text =~ s/^#?$d .*$/$d $daemon_conf{$d};/m
            or $text .= "$d $daemon_conf{$d};\n";
    }
    open my $out, '>', $conf or die "$conf: $!";
    print $out $text;
    close $out;
    system("$build/jobscoutd", '-p', "$daemon/", '-c', 'conf/jobscoutd.conf') == 0
        or die "jobscoutd did not start\n";
    wait_until(5, sub { daemon_pid() && daemon_pid() ne ($pid // '') })
        or die "jobscoutd wrote no pid file\n";
}

# the live pid of each worker of a role, as the master's log names them
sub workers_of {
    my ($role) = @_;
    open my $fh, '<', "$daemon/logs/jobscoutd.log" or return ();
    my %pid;
    while (<$fh>) {
        $pid{$1} = 1 if /msg="worker started" worker=$role worker_pid=(\d+)/;
    }
    return sort { $a <=> $b } grep { alive($_) } keys %pid;
}

sub alive {
    open my $fh, '<', "/proc/$_[0]/stat" or return 0;
    return <$fh> !~ /\) Z/;
}

sub setup {
    note("stack on ports $env{PG_PORT} (PostgreSQL) $env{REDIS_PORT} (Redis)"
         . " $port (nginx) under $dir");
    stack('down');
    system('rm', '-rf', $run, "$dir/mail", "$dir/push/new", "$dir/demo-board",
           "$dir/redis", "$daemon/logs");
    stack('pg-start');
    system('psql', '-X', '-q', '-d',
           "host=127.0.0.1 port=$env{PG_PORT} dbname=postgres user=postgres",
           '-c', "DROP DATABASE IF EXISTS $env{PG_DB} WITH (FORCE)") == 0
        or die "cannot drop the chaos database\n";
    # again after a failure, for a minute: a port in the ephemeral range
    # may be held by another program's connection (or its TIME_WAIT)
    for my $try (1 .. 5) {
        last if eval { stack('up'); 1 };
        die $@ if $try == 5;
        note('stack up failed (a port taken?), again in 15 s');
        stack('down');
        sleep 15;
    }
    mkdir $run;
    restart_daemon();
    # the demo board's sources looked at every 2 s (not 20); their first
    # postings stored and matched before the users come: they would be
    # pushed to all of them, beside the phases' work
    psql("UPDATE job_sources SET scrape_interval_seconds = 2, next_check_at = now()");
    wait_until(60, sub { psql("SELECT count(*) FROM jobs") >= 12
                         && psql("SELECT count(*) FROM task_outbox") == 0
                         && redis('llen', 'jobscout:queue:match') == 0 })
        or die "the demo board's first postings were not stored and matched\n";
    psql("INSERT INTO users (email, hashed_password, full_name, email_verified,"
         . " email_verified_at)"
         . " SELECT 'load-' || i || '\@chaos.test', '$hash', 'Load ' || i, true, now()"
         . " FROM generate_series(1, $load_users) i");
    psql("INSERT INTO users (email, hashed_password, full_name, preferences,"
         . " fcm_token) SELECT 'push-' || i || '\@chaos.test', '$hash', 'Push ' || i,"
         . " '$prefs', 'chaos-push-' || i FROM generate_series(1, $size{push_users}) i");
    # the notifier's batch: users of one demo company only, whose postings
    # (the greenhouse board's) come only when the notifier is killed
    my $one = encode_json({ companies => ['savanna-pay'],
                            notifications => { push => JSON::PP::true,
                                               email => JSON::PP::false } });
    psql("INSERT INTO users (email, hashed_password, full_name, preferences,"
         . " fcm_token) SELECT 'batch-' || i || '\@chaos.test', '$hash', 'Batch ' || i,"
         . " '$one', 'chaos-batch-' || i FROM generate_series(1, $size{batch}) i");
    # the forgot-password recipients, a set per phase
    my $names = join ',', map { "'$_'" } @phase_names;
    psql("INSERT INTO users (email, hashed_password, full_name, email_verified,"
         . " email_verified_at)"
         . " SELECT 'm-' || p || '-' || i || '\@chaos.test', '$hash', 'Mail ' || i,"
         . " true, now() FROM unnest(ARRAY[$names]) p,"
         . " generate_series(1, $size{recipients}) i");
}

# --- phases and what they record -----------------------------------------

my @phases;         # { name, and what its scenario measured }
my %phase_of;       # name => that hash
my @postings;       # { phase, external_id, board }
my @rows;           # [scenario, measure, value, must, bad]

sub phase {
    my ($name) = @_;
    push @phases, { name => $name };
    $phase_of{$name} = $phases[-1];
    open my $fh, '>', "$run/phase.tmp" or die $!;
    print $fh "$name\n";
    close $fh;
    rename "$run/phase.tmp", "$run/phase" or die $!;
    note("phase $name");
}

sub row {
    my ($scenario, $measure, $value, $must) = @_;
    my $bad = 0;
    if (defined $must) {
        my ($n, $of) = $value =~ /^(\d+)(?: of (\d+))?/;
        if (!defined $n) { $bad = 1 }
        elsif ($must eq '0') { $bad = $n > 0 }
        elsif ($must =~ /^<= (\d+)%$/) { $bad = $n > ($of // 0) * $1 / 100 }
        elsif ($must =~ /^<= (\d+)$/) { $bad = $n > $1 }
    }
    push @rows, [$scenario, $measure, $value, $must // '-', $bad];
}

sub post_job {
    my ($phase, $which) = @_;
    my ($s, $d) = request($env{DEMO_BOARD_PORT}, POST => '/_demo/post'
                          . ($which ? "?board=$which" : ''), undef, from => '127.0.0.1');
    die "the demo board did not post: $s\n" unless $s =~ /^2/ && $d;
    push @postings, { phase => $phase, external_id => $d->{external_id},
                      board => $d->{board} };
    return $d;
}

# forgot-password requests for the phase's recipients, from a process of
# their own, logged as the load's are
sub burst {
    my ($phase, $n) = @_;
    my $pid = fork_child();
    return $pid if $pid;
    open my $log, '>>', "$run/load.burst-$phase" or die $!;
    $log->autoflush(1);
    for (1 .. $n) {
        my $to = "m-$phase-" . (1 + int rand $size{recipients}) . '@chaos.test';
        my ($s) = api(POST => '/api/v1/auth/forgot-password', { email => $to });
        printf $log "%.3f %s forgot %s %s\n", time, $phase, $s, $to;
    }
    POSIX::_exit(0);
}

# when /health/ready first answers 200, polled every 50 ms
sub ready_at {
    my ($secs) = @_;
    my $end = time + $secs;
    while (time < $end) {
        my ($s) = api(GET => '/health/ready', undef, timeout => 5);
        return time if $s eq '200';
        sleep 0.05;
    }
    return;
}

# --- scenarios ------------------------------------------------------------

sub nginx_reloads {
    phase('reload');
    for (1 .. 3) {
        sleep($quick ? 1 : 2);
        system('/usr/sbin/nginx', '-p', "$dir/nginx/", '-c', 'conf/nginx.conf',
               '-e', 'logs/error.log', '-s', 'reload') == 0 or die "nginx -s reload\n";
    }
    sleep($quick ? 1 : 2);
}

sub pg_restart {
    phase('pg');
    post_job('pg', 'jsonld');
    sleep 1;
    undef $db;
    my $t0 = time;
    stack('pg-stop');
    my $stopped = time;
    sleep($quick ? 1 : 3);
    stack('pg-start');
    my $started = time;
    my $up = ready_at(30);
    $phase_of{pg}{marks} = { stop => $t0, stopped => $stopped, started => $started,
                             ready => $up };
    sleep 2;
}

# sessions: n logged in, half of them logged out (revoked); the replay
# presents every one, as the first requests after the loss and during the
# recovery
sub sessions {
    my ($n) = @_;
    my (@valid, @revoked);
    for my $i (1 .. $n) {
        my ($s, $d) = api(POST => '/api/v1/auth/login',
                          { email => "load-$i\@chaos.test", password => $password });
        die "login for the revocation check: $s\n" unless $s eq '200';
        if ($i % 2) {
            my ($l) = api(POST => '/api/v1/auth/logout', undef,
                          token => $d->{access_token});
            die "logout: $l\n" unless $l eq '204';
            push @revoked, $d;
        } else {
            push @valid, $d;
        }
    }
    return (\@valid, \@revoked);
}

sub replay {
    my ($valid, $revoked, $secs, $since) = @_;
    my ($accepted, $tries, $recovered, $lost) = (0, 0, undef, 0);
    my $end = time + $secs;
    while (time < $end) {
        for my $t (@$revoked) {
            my ($a) = api(GET => '/api/v1/users/me', undef, token => $t->{access_token});
            my ($r) = api(POST => '/api/v1/auth/refresh',
                          { refresh_token => $t->{refresh_token} });
            $tries += 2;
            $accepted += ($a =~ /^2/) + ($r =~ /^2/);
        }
        my $ok = grep { (api(GET => '/api/v1/users/me', undef,
                             token => $_->{access_token}))[0] eq '200' } @$valid;
        $recovered //= time - $since if $ok == @$valid;
        sleep 0.05;
    }
    # a valid session still refused once the stack recovered: lost
    $lost = grep { (api(GET => '/api/v1/users/me', undef,
                        token => $_->{access_token}))[0] ne '200' } @$valid;
    return { accepted => $accepted, tries => $tries, lost => $lost,
             recovered => $recovered };
}

sub redis_loss {
    my ($name, $how) = @_;
    phase($name);
    my ($valid, $revoked) = sessions($quick ? 4 : 8);
    post_job($name, 'lever');
    sleep 1;
    my $t0 = time;
    if ($how eq 'restart') {
        # stopped, its append-only file gone, started: a Redis without
        # persistence restarting, or a switch to an empty replica
        stack('redis-stop');
        system('rm', '-rf', "$dir/redis/appendonlydir", glob("$dir/redis/*.aof"));
        stack('redis-start');
    } else {
        redis('flushall') eq 'OK' or die "FLUSHALL failed\n";
    }
    $phase_of{$name}{replay} = replay($valid, $revoked, $quick ? 4 : 8, $t0);
    sleep 1;
}

# ready: waits for the moment, returns the pid to kill (or undef: the
# first) and what the worker was doing then
sub kill_role {
    my ($role, $ready) = @_;
    my @before = workers_of($role);
    die "no $role worker runs\n" unless @before;
    my ($victim, $doing) = $ready->(@before);
    $victim //= $before[0];
    my $t0 = time;
    kill 'KILL', $victim;
    my %old = map { $_ => 1 } @before;
    my $back = wait_until(30, sub { grep { !$old{$_} } workers_of($role) });
    note("killed $role $victim ($doing)"
         . ($back ? sprintf(', back in %.1fs', time - $t0) : ''));
    my $ph = $phase_of{"kill-$role"};
    $ph->{restarted} = $back ? sprintf('%.1f', time - $t0) : 'n/a';
    $ph->{doing} = $doing;
}

my $host = (POSIX::uname())[1];

# the first of the consumers holding a task (its processing list), polled
# every 2 ms: a scrape or a mail takes a few ms here
sub holding_task {
    my ($secs, @pids) = @_;
    my $r = redis_connect($env{REDIS_PORT});
    my $end = time + $secs;
    while (time < $end) {
        for my $pid (@pids) {
            return $pid if redis_llen($r, "jobscout:processing:$host:$pid");
        }
        sleep 0.002;
    }
    return;
}

sub kill_scheduler {
    phase('kill-scheduler');
    post_job('kill-scheduler', $_) for qw(lever jsonld);
    kill_role(scheduler => sub {
        sleep 0.3;
        (undef, 'in its 1 s loop, 0.3 s after two new postings') });
    sleep 3;
}

sub kill_scraper {
    phase('kill-scraper');
    post_job('kill-scraper', $_) for qw(lever jsonld rss);
    kill_role(scraper => sub {
        my $pid = holding_task(20, @_);
        ($pid, $pid ? 'a scrape task in hand' : 'no scrape seen in 20 s') });
    sleep 3;
}

sub kill_notifier {
    phase('kill-notifier');
    my $p = post_job('kill-notifier', 'greenhouse');
    my $batch = $size{batch} + $size{push_users};
    kill_role(notifier => sub {
        my $n = 0;
        wait_until(30, sub {
            $n = psql("SELECT count(*) FROM user_job_alerts a JOIN jobs j"
                      . " ON j.id = a.job_id WHERE j.external_id = '$p->{external_id}'"
                      . " AND a.push_status = 'accepted'");
            $n >= $batch / 10 });
        (undef, "$n of $batch pushes of the batch recorded accepted") });
    sleep 3;
}

sub kill_mail_role {
    my ($role) = @_;
    my $name = "kill-$role";
    phase($name);
    my $child = burst($name, $size{burst});
    kill_role($role => sub {
        if ($role eq 'mailer') {
            my $pid = holding_task(20, @_);
            return ($pid, $pid ? 'a mail task in hand' : 'no mail seen in 20 s');
        }
        # the relay copies each row as its commit wakes it: killed in the
        # middle of the burst, it has rows to copy, or copies them
        my $answered = sub {
            open my $fh, '<', "$run/load.burst-$name" or return 0;
            my @l = <$fh>;
            return scalar @l;
        };
        wait_until(20, sub { $answered->() >= $size{burst} / 3 });
        (undef, 'mid-burst, ' . $answered->() . " of $size{burst} requests answered") });
    waitpid $child, 0;
    sleep 2;
}

# --- the accounts ---------------------------------------------------------

sub load_log {
    my @r;
    for my $f (glob "$run/load.*") {
        open my $fh, '<', $f or next;
        while (<$fh>) {
            my ($t, $phase, $op, $status, $to) = split;
            push @r, { t => $t, phase => $phase, op => $op, status => $status,
                       to => $to };
        }
    }
    return @r;
}

sub failed { $_[0]{status} eq 'err' || ($_[0]{status} >= 500 && $_[0]{status} != 503) }

# mails of a phase's recipients: (lost, doubled, answered 202)
sub mail_account {
    my ($phase, $log, $mails) = @_;
    my (%asked, %ids, %files);
    $asked{$_->{to}}++ for grep { $_->{op} eq 'forgot' && $_->{status} eq '202'
                                  && $_->{phase} eq $phase } @$log;
    for my $m (grep { $_->{to} =~ /^m-\Q$phase\E-\d+\@/ } @$mails) {
        $ids{$m->{to}}{$m->{id}}++;
        $files{$m->{to}}++;
    }
    my ($lost, $renamed, $doubled, $n) = (0, 0, 0, 0);
    for my $to (keys %asked) {
        my $got = keys %{ $ids{$to} || {} };
        $lost += $asked{$to} - $got if $asked{$to} > $got;
        $renamed += $got - $asked{$to} if $got > $asked{$to};
        $n += $asked{$to};
    }
    $doubled += $files{$_} - keys %{ $ids{$_} } for keys %files;
    return ($lost, $renamed, $doubled, $n);
}

# postings of a phase: (not stored, stored twice); pushes of them: (lost,
# doubled, expected)
sub posting_account {
    my ($phase, $pushes) = @_;
    my ($lost, $doubled, $plost, $pdoubled, $pn) = (0, 0, 0, 0, 0);
    my %sent;
    $sent{"$_->{token} $_->{job_id}"}++ for @$pushes;
    for my $p (grep { $_->{phase} eq $phase } @postings) {
        (my $external_id = $p->{external_id}) =~ s/'/''/g;
        my @jobs = split /\n/, psql("SELECT id FROM jobs WHERE external_id ="
                                    . " '$external_id'");
        $lost++ unless @jobs;
        $doubled += @jobs - 1 if @jobs > 1;
        # every posting to the users of every posting, greenhouse's to
        # the batch's users too: one push each, to whichever job it is
        my @tokens = map { "chaos-push-$_" } 1 .. $size{push_users};
        push @tokens, map { "chaos-batch-$_" } 1 .. $size{batch}
            if $p->{board} eq 'greenhouse';
        $pn += @tokens;
        for my $token (@tokens) {
            my $n = sum0(map { $sent{"$token $_"} // 0 } @jobs);
            $plost++ unless $n;
            $pdoubled += $n - 1 if $n > 1;
        }
    }
    return ($lost, $doubled, $plost, $pdoubled, $pn);
}

sub settled {
    my ($log) = @_;
    my @mails = maildir_mails("$dir/mail/Maildir");
    my @pushes = spooled_pushes("$dir/push/new");
    for my $ph (@phases) {
        my ($ml) = mail_account($ph->{name}, $log, \@mails);
        my ($jl, undef, $pl) = posting_account($ph->{name}, \@pushes);
        return 0 if $ml || $pl || $jl;
    }
    return 1;
}

sub report {
    my @log = load_log();
    my @mails = maildir_mails("$dir/mail/Maildir");
    my @pushes = spooled_pushes("$dir/push/new");
    my %by_status;
    $by_status{$_->{status}}++ for @log;
    row('load (whole run)', 'requests by status',
        join(' ', map { "$_:$by_status{$_}" } sort keys %by_status));

    for my $ph (@phases) {
        my $name = $ph->{name};
        my @mine = grep { $_->{phase} eq $name } @log;
        my $failed = grep { failed($_) } @mine;
        my $label = { base => 'baseline', reload => 'nginx reload x3',
                      pg => 'PostgreSQL restart', 'redis-restart' => 'Redis restart (empty)',
                      flushall => 'Redis FLUSHALL' }->{$name}
                    // ($name =~ /^kill-(.*)/ ? "kill -9 $1" : $name);
        if ($name eq 'base' || $name eq 'reload') {
            row($label, 'failed requests (no answer, 5xx but 503)',
                "$failed of " . scalar(@mine), '0');
        }
        if ($name eq 'pg') {
            my $m = $ph->{marks};
            my @u = sort { $a <=> $b } map { $_->{t} } grep { $_->{status} eq '503' } @mine;
            row($label, '503 window (s): first to last 503',
                @u ? sprintf('%.1f (%d answers)', $u[-1] - $u[0], scalar @u) : '0.0');
            row($label, 'PostgreSQL down (s): stop to started',
                sprintf('%.1f', $m->{started} - $m->{stop}));
            row($label, 'recovery (s): started to /health/ready 200',
                $m->{ready} ? sprintf('%.1f', $m->{ready} - $m->{started}) : 'n/a');
            row($label, 'failed requests (no answer, 5xx but 503)',
                "$failed of " . scalar(@mine), '0');
        }
        if (my $r = $ph->{replay}) {
            row($label, 'revoked tokens accepted', "$r->{accepted} of $r->{tries}", '0');
            row($label, 'valid sessions lost', $r->{lost}, '0');
            row($label, 'recovery (s): all valid sessions served',
                defined $r->{recovered} ? sprintf('%.1f', $r->{recovered}) : 'n/a');
            row($label, 'failed requests (no answer, 5xx but 503)',
                "$failed of " . scalar(@mine), '0');
        }
        if ($name =~ /^kill-/ || $ph->{replay} || $name eq 'pg' || $name eq 'reload') {
            my ($lost, $renamed, $doubled, $n) =
                mail_account($name, \@log, \@mails);
            row($label, "mails lost (of $n answered 202)", $lost, '0');
            row($label, 'mails sent again under a new Message-ID', $renamed,
                '0');
            # the mail in hand may go twice, with its Message-ID, when the
            # kill falls after the server took it and before its 250
            # reached the mailer: SMTP's own window (RFC 1047)
            row($label, 'mails doubled (a Message-ID twice)', $doubled,
                $name eq 'kill-mailer' ? '<= 1' : '0');
        }
        if (grep { $_->{phase} eq $name } @postings) {
            my ($lost, $doubled, $plost, $pdoubled, $pn) =
                posting_account($name, \@pushes);
            my $n = grep { $_->{phase} eq $name } @postings;
            row($label, "postings not stored (of $n)", $lost, '0');
            row($label, 'postings stored twice', $doubled, '0');
            row($label, "pushes lost (of $pn)", $plost, '0');
            row($label, 'pushes doubled', $name eq 'kill-notifier'
                ? "$pdoubled of $pn" : $pdoubled,
                $name eq 'kill-notifier' ? '<= 1%' : '0');
        }
        if (defined $ph->{restarted}) {
            row($label, "killed: $ph->{doing}", '-');
            row($label, 'restarted by the master (s)', $ph->{restarted});
        }
    }
    my %seen;
    my $twice = grep { $seen{$_->{id}}++ == 1 } @mails;
    row('all mails at the sink', 'Message-IDs sent twice', $twice,
        '<= 1');

    my @w = (0, 0, 0, 0);
    for my $r (['scenario', 'measure', 'value', 'must'], @rows) {
        $w[$_] = length $r->[$_] > $w[$_] ? length $r->[$_] : $w[$_] for 0 .. 3;
    }
    my $fmt = join(' | ', map { "%-${_}s" } @w) . "%s\n";
    printf $fmt, 'scenario', 'measure', 'value', 'must', '';
    print join('-+-', map { '-' x $_ } @w), "\n";
    printf $fmt, @$_[0 .. 3], $_->[4] ? '  <-- above its must' : '' for @rows;
    return scalar grep { $_->[4] } @rows;
}

# --- the run --------------------------------------------------------------

my @clients;
my $rc = 1;
# interrupted, it still stops its clients and its stack
$SIG{INT} = $SIG{TERM} = sub { die "interrupted\n" };
eval {
    setup();
    phase('base');
    undef $db;
    @clients = map { start_load(port => $port, dir => $run, id => $_,
                                users => $load_users, password => $password,
                                recipients => $size{recipients}) } 1 .. $size{clients};
    post_job('base', 'rss');
    sleep $size{base};
    # the mailer first: a mail it claimed and did not finish waits for its
    # lease (SMTP time-outs + 60 s), the longest wait of all
    kill_mail_role('mailer');
    kill_mail_role('relay');
    nginx_reloads();
    pg_restart();
    redis_loss('redis-restart', 'restart');
    redis_loss('flushall', 'flushall');
    kill_scheduler();
    kill_scraper();
    kill_notifier();
    phase('settle');
    open my $stop, '>', "$run/stop" or die $!;
    close $stop;
    waitpid $_, 0 for @clients;
    @clients = ();
    my @log = load_log();
    note('waiting for the work left to end (at most ' . $size{settle} . ' s)');
    wait_until($size{settle}, sub { sleep 1; settled(\@log) });
    $rc = report() ? 1 : 0;
    1;
} or do {
    print STDERR "chaos: $@";
    $rc = 2;
};
if (@clients) {
    kill 'TERM', @clients;
    waitpid $_, 0 for @clients;
}
stack('down') unless $ENV{CHAOS_KEEP};
undef $db;      # its end (a waitpid) would set the exit status
exit $rc;
