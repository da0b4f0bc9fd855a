# A real Prometheus (Debian's) scrapes both exporters every second: nginx
# with two workers (the module's shared zone adds their counts up) and
# jobscoutd's master.  After known traffic (N readiness checks, a 404, a
# 401, a request limit_req refuses; a scrape of a fixture board and the
# pushes of its jobs to the fake FCM) queries through Prometheus' HTTP API
# see the counters moved by exactly that; the alerting rules load and
# evaluate; the rules and the dashboard name only metrics that exist, and
# every exported family has a panel; promtool accepts both outputs.
use strict;
use warnings;

use Test::More;
use HTTP::Tiny;
use JSON::PP;
use POSIX ();

use lib 't/lib';
use JobScout::Scrape;
use JobScout::FakeFCM;
use JobScout::TestNginx qw(write_config start_nginx stop_nginx http_request
                           server_port);

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};
plan skip_all => 'prometheus (Debian prometheus) is not installed'
    unless -x '/usr/bin/prometheus';

my $prom_port = $ENV{TEST_PROMETHEUS_PORT} || 9503;
my $jd_port = $ENV{TEST_JOBSCOUTD_METRICS_PORT} || 9513;
my $nginx_port = server_port();
my $http = HTTP::Tiny->new(timeout => 10);
my $run = "m$$";
my $slug = "metrics-$run";
my $N = 5;

# nginx: the API, a limit_req of one a minute on /health, the metrics
write_config(workers => 2, http_config => <<"EOC", config => <<'EOC');
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    limit_req_zone \$binary_remote_addr zone=prometheus_test:1m rate=1r/m;
EOC
    location / { jobscout_api; }
    location = /health {
        limit_req zone=prometheus_test;
        limit_req_status 429;
        error_page 429 @jobscout_429;
        jobscout_api;
    }
    location @jobscout_429 { jobscout_limit_error; }
    location = /metrics { allow 127.0.0.1; deny all; jobscout_metrics; }
EOC
my ($ok, $err) = start_nginx();
ok($ok, 'nginx starts, two workers') or diag $err;

# jobscoutd: a scraper, a notifier, a board of three jobs, a user for all
redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');
my $fcm = JobScout::FakeFCM->start(dir => $dir);
start_board();
board_routes({ '/gh/v1/boards/acme/jobs' => { file => 'greenhouse/jobs.json' } });
my $src = add_source(name => "Metrics $run", slug => $slug, class => 'greenhouse',
                     url => 'acme', config => { api_base => board_url() . '/gh' });
psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
     . " VALUES ('all-$run\@example.com', '!', '{\"companies\":[\"$slug\"]}',"
     . " 'all-$run')");
write_conf(workers => { scraper => 1, notifier => 1, relay => 1 },
           set => { scrape_timeout => '2s', scrape_host_delay => '0',
                    fcm_service_account => $fcm->{account},
                    fcm_base_url => $fcm->{url}, fcm_timeout => '2s',
                    metrics_listen => "127.0.0.1:$jd_port" });
start_daemon();

# Prometheus, scraping both every second, with the shipped rules
open my $fh, '>', "$dir/prometheus.yml" or die $!;
print $fh <<"EOY";
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $root/conf/prometheus/rules.yml
scrape_configs:
  - job_name: jobscout-api
    static_configs:
      - targets: ['127.0.0.1:$nginx_port']
  - job_name: jobscoutd
    static_configs:
      - targets: ['127.0.0.1:$jd_port']
EOY
close $fh;

my $prom = fork // die "fork: $!";
if ($prom == 0) {
    open STDIN, '<', '/dev/null';
    open STDOUT, '>', "$dir/prometheus.log";
    open STDERR, '>&', \*STDOUT;
    { exec '/usr/bin/prometheus', "--config.file=$dir/prometheus.yml",
           "--storage.tsdb.path=$dir/tsdb",
           "--web.listen-address=127.0.0.1:$prom_port"; }
    POSIX::_exit(127);
}

sub api {
    my ($path, %form) = @_;
    my $q = %form ? '?' . $http->www_form_urlencode(\%form) : '';
    my $r = $http->get("http://127.0.0.1:$prom_port/api/v1/$path$q");
    return $r->{success} ? decode_json($r->{content})->{data} : undef;
}

# the one value of an instant query, undef when it has none
sub query {
    my $data = api('query', query => $_[0]) or return undef;
    my $result = $data->{result};
    return @$result == 1 ? $result->[0]{value}[1] + 0 : undef;
}

ok(wait_until(60, sub { $http->get("http://127.0.0.1:$prom_port/-/ready")->{success} }),
   'Prometheus is ready') or diag `tail -20 $dir/prometheus.log`;
ok(wait_until(30, sub { (query('up{job="jobscout-api"}') // 0) == 1
                        && (query('up{job="jobscoutd"}') // 0) == 1 }),
   'it scrapes both targets');

# the API's traffic
my @status = map { (http_request('GET /health/ready'))[0] } 1 .. $N;
is_deeply(\@status, [(200) x $N], "$N readiness checks: 200");
is((http_request('GET /api/v1/no-such-thing'))[0], 404, 'an unknown path: 404');
is((http_request('GET /api/v1/users/me'))[0], 401, 'no token: 401');
is((http_request('GET /health'))[0], 200, '/health once: 200');
is((http_request('GET /health'))[0], 429, '... twice in a minute: 429');

# the workers': a scrape, its jobs matched and pushed
lpush_scrape($src);
ok(wait_until(30, sub {
       psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$src'") }),
   'the scraper runs the board');
my $stored = psql("SELECT count(*) FROM jobs WHERE source_id = '$src'");
cmp_ok($stored, '>=', 3, "... and stores its $stored jobs");
ok(wait_until(30, sub {
       (grep { $_->{token} eq "all-$run" } $fcm->messages) >= $stored }),
   '... and the notifier pushes them');
sleep 1;    # late pushes, if any, come in
my $pushes = () = $fcm->messages;

# what Prometheus sees, once it has scraped after all that
my %want = (
    qq{jobscout_http_requests_total{route="/health/ready",method="GET",status="2xx"}} => $N,
    qq{jobscout_http_request_duration_seconds_count{route="/health/ready"}} => $N,
    qq{jobscout_http_requests_total{route="/health",status="2xx"}} => 1,
    # the 404 and the refusal of limit_req: no route answered them
    qq{jobscout_http_requests_total{route="unmatched",status="4xx"}} => 2,
    qq{jobscout_http_requests_total{route="/api/v1/users/me",method="GET",status="4xx"}} => 1,
    qq{jobscout_auth_failures_total{reason="missing"}} => 1,
    qq{jobscout_rate_limited_total{limiter="nginx"}} => 1,
    qq{jobscout_pg_errors_total} => 0,
    qq{jobscoutd_scrapes_total{adapter="greenhouse",outcome="success"}} => 1,
    qq{jobscoutd_scrape_duration_seconds_count{adapter="greenhouse"}} => 1,
    qq{jobscoutd_jobs_total{change="new"}} => $stored,
    qq{jobscoutd_tasks_total{role="scraper",outcome="done"}} => 1,
    qq{jobscoutd_pushes_total{outcome="accepted"}} => $pushes,
    qq{jobscoutd_push_latency_seconds_count} => $pushes,
    qq{jobscoutd_worker_restarts_total{role="scraper"}} => 0,
);
my %got;
wait_until(30, sub {
    %got = map { $_ => query($_) } keys %want;
    return !grep { ($got{$_} // -1) != $want{$_} } keys %want;
});
for my $q (sort keys %want) {
    is($got{$q}, $want{$q}, "$q = $want{$q}");
}
# readiness pings Redis while it has not seen it up (not every time)
cmp_ok(query('jobscout_redis_commands_total') // 0, '>=', 1,
       'the readiness check\'s Redis PING counted');
cmp_ok(query('sum(jobscout_pg_connections)') // 0, '>', 0,
       'the pools\' connections, of both workers');
cmp_ok(query('jobscoutd_alerts_created_total') // 0, '>=', $stored,
       'an alert per job at least');
cmp_ok(query('sum(jobscoutd_tasks_total{role="notifier",outcome="done"})') // 0,
       '>=', 1, 'the notifier\'s match task done');
is(query('jobscoutd_queue_readable'), 1, 'the queues\' depths read');
ok(defined query('histogram_quantile(0.95, sum by (le)'
                 . ' (rate(jobscoutd_push_latency_seconds_bucket[1m])))'),
   'a p95 of the push latency');

# the rules load and evaluate
my $groups = api('rules') // {};
my @rules = map { @{ $_->{rules} } } @{ $groups->{groups} || [] };
is(scalar @rules, 7, 'Prometheus loads the 7 rules');
ok(wait_until(10, sub {
       my @r = map { @{ $_->{rules} } } @{ (api('rules') // {})->{groups} || [] };
       @r == 7 && !grep { ($_->{health} // '') ne 'ok' } @r }),
   '... and evaluates them without error');

# names: what the rules and the dashboard query exists; every family has a panel
my %names = map { $_ => 1 } @{ api('label/__name__/values') || [] };
my %families = map { (my $f = $_) =~ s/_(bucket|sum|count)$//; ($f => 1) }
               grep { /^jobscoutd?_/ } keys %names;
cmp_ok(scalar keys %families, '>=', 20, 'the families scraped');
my $rules_text = do { local $/; open my $r, '<', "$root/conf/prometheus/rules.yml" or die; <$r> };
open my $d, '<', "$root/conf/prometheus/grafana-dashboard.json" or die $!;
my $dashboard = decode_json(do { local $/; <$d> });
my $exprs = join "\n", map { $_->{expr} } map { @{ $_->{targets} } } @{ $dashboard->{panels} };
my @unknown = grep { !$names{$_} } ("$rules_text\n$exprs" =~ /\b(jobscoutd?_[a-z_]+)\b/g);
is_deeply(\@unknown, [], 'the rules and the dashboard name scraped metrics only');
is_deeply([grep { $exprs !~ /\b\Q$_\E(?:_bucket)?\b/ } sort keys %families], [],
          'every family has a panel');

# promtool on both outputs, as scraped
for my $target (["127.0.0.1:$nginx_port", 'the module'], ["127.0.0.1:$jd_port", 'jobscoutd']) {
    my $r = $http->get("http://$target->[0]/metrics");
    open my $out, '>', "$dir/metrics.txt" or die $!;
    print $out $r->{content};
    close $out;
    my $lint = `promtool check metrics < $dir/metrics.txt 2>&1`;
    is($?, 0, "promtool check metrics: $target->[1]") or diag $lint;
}

kill 'TERM', $prom;
waitpid $prom, 0;
stop_daemon();
stop_nginx();
$fcm->stop;
unlike(log_text(), qr/AddressSanitizer|runtime error/, 'no sanitizer report');
done_testing();
