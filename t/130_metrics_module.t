# The module's Prometheus metrics, request by request: the jobscout_metrics
# location answers the text exposition format, nginx's allow/deny guard it,
# and the API's requests move the counters (by the route table's pattern,
# never the raw URI).  t/132_prometheus.t has a real Prometheus scrape them.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Token ();

# a user's valid token (no database needed: the admin routes refuse it
# before any query)
our $User = 'Authorization: Bearer '
    . JobScout::Token::token(claims => { role => 'user' });

our $HttpConfig = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    limit_req_zone \$binary_remote_addr zone=metrics_test:1m rate=1r/m;
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $::HttpConfig)
        unless defined $block->http_config;
});

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: the metrics: 200, Prometheus' text format, every family
--- config
    location = /metrics { allow 127.0.0.1; deny all; jobscout_metrics; }
--- request
GET /metrics
--- error_code: 200
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
--- response_body_like eval
qr/^# HELP jobscout_http_requests_total .*
# TYPE jobscout_http_requests_total counter\n.*
# TYPE jobscout_http_request_duration_seconds histogram\n.*
jobscout_pg_connections\{state="busy"\} \d+\n.*
jobscout_pg_waiting_queries \d+\n.*
jobscout_redis_commands_total 0\n.*
jobscout_rate_limited_total\{limiter="nginx"\} 0\n.*
jobscout_auth_failures_total\{reason="missing"\} 0\n/s


=== TEST 2: from an address the location denies: 403
--- config
    location = /metrics { allow 10.1.2.3; deny all; jobscout_metrics; }
--- request
GET /metrics
--- error_code: 403


=== TEST 3: a POST: 405
--- config
    location = /metrics { jobscout_metrics; }
--- request
POST /metrics
x
--- error_code: 405


=== TEST 4: the API's requests move the counters, by route pattern
--- config
    location / { jobscout_api; }
    location = /metrics { allow 127.0.0.1; deny all; jobscout_metrics; }
--- request eval
["GET /api/v1/jobs/0b9e5b1c-aaaa-4aaa-8aaa-000000000001",
 "GET /api/v1/jobs/0b9e5b1c-aaaa-4aaa-8aaa-000000000002",
 "GET /api/v1/no-such-thing",
 "GET /health",
 "GET /metrics"]
--- error_code eval
[401, 401, 404, 200, 200]
--- response_body_like eval
["unauthorized", "unauthorized", "not_found", "ok",
 qr/jobscout_http_requests_total\{route="\/health",method="GET",status="2xx"\} 1
.*jobscout_http_requests_total\{route="\/api\/v1\/jobs\/\{id\}",method="GET",status="4xx"\} 2
.*jobscout_http_requests_total\{route="unmatched",method="any",status="4xx"\} 1
.*jobscout_http_request_duration_seconds_bucket\{route="\/health",method="GET",le="\+Inf"\} 1
jobscout_http_request_duration_seconds_sum\{route="\/health",method="GET"\} \d+\.\d{3}
jobscout_http_request_duration_seconds_count\{route="\/health",method="GET"\} 1
.*jobscout_auth_failures_total\{reason="missing"\} 2\n/s]


=== TEST 5: a request refused by limit_req, in the API's JSON
--- config
    location / {
        limit_req zone=metrics_test;
        limit_req_status 429;
        error_page 429 @jobscout_429;
        jobscout_api;
    }
    location @jobscout_429 { jobscout_limit_error; }
    location = /metrics { allow 127.0.0.1; deny all; jobscout_metrics; }
--- request eval
["GET /health", "GET /health", "GET /metrics"]
--- error_code eval
[200, 429, 200]
--- response_body_like eval
["ok", "rate_limited",
 qr/jobscout_rate_limited_total\{limiter="nginx"\} 1\n/s]


=== TEST 6: PostgreSQL and Redis unreachable: errors, and reconnects meanwhile
--- http_config
    jobscout_postgres "host=127.0.0.1 port=9 dbname=none connect_timeout=1";
    jobscout_redis 127.0.0.1:9;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
    location = /metrics { allow 127.0.0.1; deny all; jobscout_metrics; }
--- request eval
["GET /health/ready", "GET /metrics"]
--- wait: 1
--- error_code eval
[503, 200]
--- response_body_like eval
["unavailable",
 qr/jobscout_pg_connections\{state="idle"\} 0\n.*
jobscout_pg_errors_total [1-9]\d*\n.*
jobscout_pg_reconnects_total [1-9]\d*\n.*
jobscout_redis_commands_total 0\n.*
jobscout_redis_errors_total [1-9]\d*\n.*
jobscout_redis_reconnects_total [1-9]\d*\n/s]
--- no_error_log
[alert]


=== TEST 7: a token refused, and a user's token on an admin route
--- config
    location / { jobscout_api; }
    location = /metrics { allow 127.0.0.1; deny all; jobscout_metrics; }
--- request eval
["GET /api/v1/users/me", "GET /api/v1/admin/stats", "GET /metrics"]
--- more_headers eval
["Authorization: Bearer not.a.token", $::User, ""]
--- error_code eval
[401, 403, 200]
--- response_body_like eval
["unauthorized", "forbidden",
 qr/jobscout_auth_failures_total\{reason="missing"\} 0
jobscout_auth_failures_total\{reason="invalid"\} 1
jobscout_auth_failures_total\{reason="forbidden"\} 1\n/s]
