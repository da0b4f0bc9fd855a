#!/usr/bin/perl
# make bench, the notifier: 100,000 users, about 10% of whom match each
# new job (t/bench/notify_seed.sql).
#
#   1. matching: each of 200 new jobs against the 100,000 users, one job
#      at a time, by the notifier's matcher (t/bench/match_check: the
#      profiles read as the notifier reads them, then per job
#      match_job_facts() and the matcher): per-job time and matches;
#      then, for reference, match_candidates() (the same rules in SQL,
#      what the notifier ran before 0023) on BENCH_NOTIFY_SQL_JOBS (20) of
#      them, inside the backend;
#   2. end to end, job after job: a new job committed and its match task
#      queued as the scraper does, then jobscoutd's notifier matching it,
#      inserting its alerts (with their scores) and pushing them, against
#        a) nginx over TLS with HTTP/2, answering as FCM does (the speed of
#           the notifier itself: it checks nothing), and
#        b) the project's fake FCM (t/fakes/fcm.py: HTTP/1.1, every
#           message checked, in Python: its speed bounds the figures);
#      alerts created per second, pushes accepted per second, and the
#      commit-to-push latency (jobs.discovered_at to FCM's 200) of every
#      push: p50, p95, p99.
#
# Called by t/bench/run.sh with PG_CONNINFO, REDIS_ADDR, JOBSCOUTD and
# STACK_DIR set and PostgreSQL and Redis running.  Knobs:
# BENCH_NOTIFY_USERS, BENCH_NOTIFY_MATCH_JOBS, BENCH_NOTIFY_PUSH_JOBS
# (nginx), BENCH_NOTIFY_FAKE_JOBS (fake), BENCH_NOTIFY_IN_FLIGHT.  Its rows
# are its own: e-mails notify*@bench.invalid, companies notify-co-*, jobs
# notify-*.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use JSON::PP qw(encode_json decode_json);
use Time::HiRes qw(sleep time);

my $root;
BEGIN { $root = abs_path(dirname(__FILE__) . '/../..'); }
use lib "$root/t/lib";

$ENV{TEST_NGINX_PG} = $ENV{PG_CONNINFO};
$ENV{TEST_NGINX_REDIS} = $ENV{REDIS_ADDR};
$ENV{TEST_JOBSCOUT_ROOT} = $root;
$ENV{TEST_JOBSCOUT_BUILD} = dirname($ENV{JOBSCOUTD});

require JobScout::Api;
require JobScout::FakeFCM;
require JobScout::Jobscoutd;
JobScout::Api->import;

my $users = $ENV{BENCH_NOTIFY_USERS} || 100_000;
my $match_jobs = $ENV{BENCH_NOTIFY_MATCH_JOBS} || 200;
my $sql_jobs = $ENV{BENCH_NOTIFY_SQL_JOBS} || 20;
# (0 push jobs: that part left out)
my $push_jobs = $ENV{BENCH_NOTIFY_PUSH_JOBS} // 10;
my $fake_jobs = $ENV{BENCH_NOTIFY_FAKE_JOBS} // 2;
my $in_flight = $ENV{BENCH_NOTIFY_IN_FLIGHT} || 300;   # the default
my $dir = "$ENV{STACK_DIR}/notify";

remove_tree($dir);
make_path($dir);

sub percentile {
    my ($p, @v) = @_;
    @v = sort { $a <=> $b } @v;
    return @v ? $v[int(($#v) * $p / 100 + 0.5)] : 0;
}

# --- the population (kept when the database is, as by hand)
if (psql("SELECT count(*) FROM users WHERE email LIKE 'notify%\@bench.invalid'") < $users) {
    my $t0 = time;
    psql("DELETE FROM users WHERE email LIKE 'notify%\@bench.invalid'");
    system('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', "users=$users", '-d',
           $ENV{PG_CONNINFO}, '-o', '/dev/null', '-f', "$root/t/bench/notify_seed.sql") == 0
        or die "seeding failed\n";
    printf "seeded %d users in %.1f s\n", $users, time - $t0;
}
# the previous run's jobs and alerts
psql("DELETE FROM jobs WHERE external_id LIKE 'notify-%'");
psql("VACUUM ANALYZE user_job_alerts");
psql("VACUUM ANALYZE users");

my @roles = map { my $t = $_; $t =~ s/_/ /g; join ' ', map { ucfirst } split / /, $t }
            split /\n/, psql("SELECT r FROM unnest(ARRAY['backend_engineer', 'frontend_developer',"
                             . " 'data_scientist', 'devops_engineer', 'mobile_developer',"
                             . " 'qa_engineer', 'product_manager', 'security_engineer',"
                             . " 'data_engineer', 'ml_engineer', 'android_developer',"
                             . " 'ios_developer', 'site_reliability_engineer',"
                             . " 'database_administrator', 'cloud_architect', 'technical_writer',"
                             . " 'ux_designer', 'support_engineer', 'solutions_architect',"
                             . " 'embedded_engineer']) r");
my @cities = ('Nairobi, Kenya', 'Mombasa, Kenya', 'Kisumu, Kenya', 'Kampala, Uganda',
              'Kigali, Rwanda');
my @levels = ('Senior ', '', 'Junior ', 'Lead ');
my @types = qw(onsite hybrid remote);

# n new jobs, committed together: their ids
sub new_jobs {
    my ($n, $from) = @_;
    my @values;
    for my $i ($from .. $from + $n - 1) {
        push @values, sprintf "(%d, '%s%s, Team %d', '%s', '%s')", $i % 10,
            $levels[$i % 4], $roles[$i % 20], $i % 7, $cities[$i % 5], $types[$i % 3];
    }
    return split /\n/, psql("INSERT INTO jobs (company_id, source_id, external_id, title,"
        . " location, location_type) SELECT s.company_id, s.id, 'notify-' || v.i || '-'"
        . " || md5(random()::text), v.title, v.location, v.type FROM (VALUES "
        . join(',', @values) . ") AS v (i, title, location, type) JOIN companies c"
        . " ON c.slug = 'notify-co-' || v.i JOIN job_sources s ON s.company_id = c.id"
        . " RETURNING id");
}

# --- 1. matching
print "\n1. matching: $match_jobs new jobs, one at a time, against $users users\n";
my @jobs = new_jobs($match_jobs, 0);
my $build = dirname($ENV{JOBSCOUTD});
system('make', '-s', '-C', "$root/workers", "BUILD=$build", 'match-check') == 0
    or die "bench: cannot build match_check\n";
my (@ms, @matches);
my $t0 = time;
for (`$build/bench/match_check '$ENV{PG_CONNINFO}' bench @jobs`) {
    if (/^profiles (\d+) (\d+) ([\d.]+)/) {
        printf "   the notifier's profiles: %d users read in %.0f ms, %.1f MB in memory\n",
            $1, $3, $2 / 1024;
    } elsif (/^job \S+ (\d+) ([\d.]+)/) {
        push @matches, $1;
        push @ms, $2;
    }
}
$? == 0 && @ms == @jobs or die "bench: match_check failed\n";
my $total = 0;
$total += $_ for @matches;
printf "   %d matches in %.1f s: %.1f%% of the users per job on average\n", $total,
    time - $t0, 100 * $total / @jobs / $users;
printf "   per job (match_job_facts() + the matcher): p50 %.1f ms (target < 20 ms),"
    . " p95 %.1f ms, max %.1f ms\n", percentile(50, @ms), percentile(95, @ms),
    percentile(100, @ms);

# the same rules in SQL, as the notifier matched before 0023
my (@sql_ms, $cpu_ms);
my @sql_jobs = @jobs[0 .. ($sql_jobs < @jobs ? $sql_jobs : @jobs) - 1];
for my $row (split /\n/, psql(<<"EOS")) {
-- the backend's CPU time so far, ms (utime + stime, in 1/100 s)
CREATE FUNCTION pg_temp.cpu_ms() RETURNS float8 LANGUAGE sql AS \$\$
    SELECT (f[12]::float8 + f[13]::float8) * 10
      FROM string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2),
                           ' ') f
\$\$;
CREATE FUNCTION pg_temp.time_match(ids uuid[])
    RETURNS TABLE (n bigint, ms float8, cpu_ms float8)
    LANGUAGE plpgsql AS \$\$
DECLARE
    job  uuid;
    t    timestamptz;
    c0   float8 := pg_temp.cpu_ms();
BEGIN
    FOREACH job IN ARRAY ids LOOP
        t := clock_timestamp();
        SELECT count(*) INTO n FROM match_candidates(ARRAY[job]);
        ms := extract(epoch FROM clock_timestamp() - t) * 1000;
        cpu_ms := pg_temp.cpu_ms() - c0;
        RETURN NEXT;
    END LOOP;
END
\$\$;
SELECT n, ms, cpu_ms FROM pg_temp.time_match(ARRAY[@{[ join ',', map { "'$_'" } @sql_jobs ]}]::uuid[]);
EOS
    my ($n, $ms);
    ($n, $ms, $cpu_ms) = split /\|/, $row;
    push @sql_ms, $ms;
}
printf "   for reference, match_candidates() in SQL on %d of them: p50 %.1f ms"
    . " (backend CPU %.1f ms a job)\n", scalar @sql_jobs, percentile(50, @sql_ms),
    $cpu_ms / @sql_jobs;
psql("DELETE FROM jobs WHERE external_id LIKE 'notify-%'");

# --- 2. end to end
my @report;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "no free port: $!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

# CPU time (user + system) of processes, in ms
sub cpu {
    my $ms = 0;
    for my $pid (@_) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        my @f = split ' ', (<$fh> =~ s/.*\) //r);
        $ms += ($f[11] + $f[12]) * 1000 / 100;
    }
    return $ms;
}

sub pipeline {
    my ($name, $fcm_url, $account, $ca, $count, $from, @fake_pids) = @_;
    return unless $count;
    (my $sub = $name) =~ s/\W+/-/g;
    make_path("$dir/$sub");
    my $d = JobScout::Jobscoutd->new(dir => "$dir/$sub", workers => { notifier => 1 },
        directives => { fcm_service_account => $account, fcm_base_url => $fcm_url,
                        fcm_max_in_flight => $in_flight,
                        ($ca ? (fcm_ca_file => $ca) : ()) });
    $d->start;
    sleep 0.5 until $d->consumers('jobscout:queue:match');
    # the profiles read (part 1 timed that): jobs matched from then on
    sleep 0.1 until $d->log_text =~ /profiles read/;

    my ($alerts, $ins_s, $pushes, $push_s) = (0, 0, 0, 0);
    my @latency;
    my ($notifier) = $d->consumers('jobscout:queue:match');
    # the pushes' CPU only: reading the profiles at the start is not
    # theirs (a backend that comes later counts from 0)
    my $backends = sub { split /\n/, psql("SELECT pid FROM pg_stat_activity"
                                          . " WHERE application_name = 'jobscoutd'") };
    my %pg0 = map { $_ => cpu($_) } $backends->();
    my @cpu0 = (cpu($notifier), 0, cpu(@fake_pids));
    for my $k (1 .. $count) {
        my ($job) = new_jobs(1, $from + $k);
        redis('lpush', 'jobscout:queue:match',
              encode_json({ id => sprintf('%032x', $k), kind => 'match.jobs',
                            args => { job_ids => [$job] }, attempt => 0,
                            enqueued_at => int(time * 1000) }));
        # the log first, then the database, and seldom: the bench's own
        # processes (a psql and its backend are some 10 ms of CPU) must not
        # take the 2 cores from what they measure, which goes on for a few
        # hundred ms after the job's alerts are all inserted ("jobs
        # matched")
        my $start = time;
        while (time - $start < 120) {
            if ((() = $d->log_text =~ /"jobs matched"/g) >= $k) {
                sleep 0.5;
                last if psql("SELECT count(*) FROM user_job_alerts WHERE job_id = '$job'"
                             . " AND push_status IN ('pending', 'sending')") == 0;
            }
            sleep 0.05;
        }
        my ($n, $ins, $acc, $span) = split /\|/, psql(
            "SELECT count(*), extract(epoch FROM max(a.created_at) - j.discovered_at),"
            . " count(*) FILTER (WHERE a.push_status = 'accepted'),"
            . " extract(epoch FROM max(a.pushed_at) - min(a.pushed_at))"
            . " FROM user_job_alerts a JOIN jobs j ON j.id = a.job_id"
            . " WHERE a.job_id = '$job' GROUP BY j.discovered_at");
        $alerts += $n;
        $ins_s += $ins;
        $pushes += $acc;
        $push_s += $span;
        push @latency, split /\n/, psql("SELECT latency_ms FROM alert_push_latency"
                                        . " WHERE job_id = '$job'");
    }
    # what each push cost: the notifier, its two PostgreSQL backends, the
    # FCM stand-in
    my $pg = 0;
    $pg += cpu($_) - ($pg0{$_} // 0) for $backends->();
    my @cpu1 = (cpu($notifier), $pg, cpu(@fake_pids));
    my @cost = map { ($cpu1[$_] - $cpu0[$_]) * 1000 / ($pushes || 1) } 0 .. 2;
    $d->stop;
    push @report, [$name, $count, $alerts, $alerts / ($ins_s || 1), $pushes,
                   $pushes / ($push_s || 1), (map { percentile($_, @latency) } 50, 95, 99),
                   @cost];
}

print "\n2. end to end, job after job, $in_flight messages in flight\n";

# a) nginx over TLS, HTTP/2, FCM's answers
my $fake = JobScout::FakeFCM->start(dir => $dir);     # its key and account file
my $port = free_port();
our $ngx = "$dir/nginx";
make_path("$ngx/conf", "$ngx/logs", "$ngx/tmp");
JobScout::Fake::self_signed("$ngx/conf/key.pem", "$ngx/conf/cert.pem");
open my $conf, '>', "$ngx/conf/nginx.conf" or die $!;
print $conf <<"EOC";
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $ngx/tmp/client_body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    access_log off;
    default_type application/json;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$port ssl http2;
        ssl_certificate cert.pem;
        ssl_certificate_key key.pem;
        http2_max_concurrent_streams 1000;
        location = /token {
            return 200 '{"access_token":"bench","expires_in":3600,"token_type":"Bearer"}';
        }
        location ~ ^/v1/projects/[a-z0-9-]+/messages:send\$ {
            return 200 '{"name":"projects/bench/messages/\$request_id"}';
        }
    }
}
EOC
close $conf;
system('/usr/sbin/nginx', '-p', "$ngx/", '-c', 'conf/nginx.conf', '-e', 'logs/error.log') == 0
    or die "nginx did not start\n";
END { system('sh', '-c', "kill -QUIT \$(cat $ngx/logs/nginx.pid 2>/dev/null) 2>/dev/null") if $ngx; }
my $sa = decode_json(do { local $/; open my $f, '<', $fake->{account} or die $!; <$f> });
$sa->{token_uri} = "https://127.0.0.1:$port/token";
open my $f, '>', "$dir/nginx-account.json" or die $!;
print $f encode_json($sa);
close $f;

my ($ngx_master) = `cat $ngx/logs/nginx.pid` =~ /(\d+)/;
pipeline('nginx, HTTP/2', "https://127.0.0.1:$port", "$dir/nginx-account.json",
         "$ngx/conf/cert.pem", $push_jobs, 10_000, split ' ', `pgrep -P $ngx_master`);
system('sh', '-c', "kill -QUIT \$(cat $ngx/logs/nginx.pid)");
unlink "$ngx/logs/nginx.pid";

# b) the project's fake
pipeline('fake FCM (Python)', $fake->{url}, $fake->{account}, undef, $fake_jobs, 20_000,
         $fake->{pid});
my $rejects = @{ $fake->stats->{rejects} };
$fake->stop;

printf "\n%-18s %5s %9s %9s %9s %9s %8s %8s %8s\n", '', 'jobs', 'alerts',
    'alerts/s', 'pushes', 'pushes/s', 'p50 ms', 'p95 ms', 'p99 ms';
printf "%-18s %5d %9d %9.0f %9d %9.0f %8.0f %8.0f %8.0f\n", @$_[0 .. 8] for @report;
print "(latency: from the job's commit (jobs.discovered_at) to FCM's 200;"
    . " target p95 < 250 ms against nginx)\n";
print "\nCPU time per push, in microseconds\n";
printf "%-18s %9s %11s %9s\n", '', 'notifier', 'PostgreSQL', 'FCM side';
printf "%-18s %9.0f %11.0f %9.0f\n", @$_[0, 9 .. 11] for @report;
printf "(%d cores; load average when done: %s)\n", `nproc` + 0,
    (split ' ', `cat /proc/loadavg`)[0];
print "the fake refused $rejects messages as malformed\n";
exit($rejects ? 1 : 0);
