# Rate limits: jobscout_limit (GCRA in Redis, shared by every instance),
# its directive errors, fail=open/closed when Redis is away, and the JSON
# 429 of nginx's own limit_req through jobscout_limit_error.
#
# Redis keeps the budgets between runs: every zone name carries
# $TEST_NGINX_LIMIT_RUN, new for each run.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Token ();

BEGIN { $ENV{TEST_NGINX_LIMIT_RUN} = time . "_$$" }

our $HttpConfig = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
_EOC_

our $DownConfig = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis 127.0.0.1:9 timeout=200ms;
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
_EOC_

our $Body429 = qr/^\{"error":\{"code":"rate_limited","message":"too many requests, retry in (\d+) s","request_id":"[0-9a-f]{32}"\}\}$/;

sub user { JobScout::Token::bearer(claims => { sub => $_[0] }) }

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: the burst passes, the next request is a JSON 429 with Retry-After
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m burst=2
                       zone=t1_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health", "GET /health", "GET /health", "GET /health"]
--- error_code eval
[200, 200, 200, 429]
--- response_headers_like eval
["X-Request-Id: [0-9a-f]{32}", "X-Request-Id: [0-9a-f]{32}",
 "X-Request-Id: [0-9a-f]{32}",
 "Retry-After: (59|60)\nContent-Type: application/json; charset=utf-8"]
--- response_body_like eval
['^\{"status":"ok"\}$', '^\{"status":"ok"\}$', '^\{"status":"ok"\}$',
 '^\{"error":\{"code":"rate_limited","message":"too many requests, retry in (59|60) s","request_id":"[0-9a-f]{32}"\}\}$']
--- no_error_log
[error]



=== TEST 2: the refusal is logged with the zone (the same server and budget)
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m burst=2
                       zone=t1_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request
GET /health
--- error_code: 429
--- error_log eval
qr/\[warn\] .*jobscout_limit: limiting requests by zone "t1_\d+_\d+", retry in (59|60) s/
--- no_error_log
[error]



=== TEST 3: the client's X-Request-Id is in the 429
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m
                       zone=t2_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- more_headers
X-Request-Id: limit-test-2
--- request eval
["GET /health", "GET /health"]
--- error_code eval
[200, 429]
--- response_headers eval
["X-Request-Id: limit-test-2", "X-Request-Id: limit-test-2\nRetry-After: 60"]
--- response_body_like eval
['ok', '"code":"rate_limited".*"request_id":"limit-test-2"']



=== TEST 4: different keys have their own budgets
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$arg_client rate=1r/m burst=1
                       zone=t3_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health?client=a", "GET /health?client=a", "GET /health?client=a",
 "GET /health?client=b", "GET /health?client=b", "GET /health?client=b"]
--- error_code eval
[200, 200, 429, 200, 200, 429]



=== TEST 5: an empty key is not limited
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$arg_client rate=1r/m
                       zone=t4_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health", "GET /health", "GET /health", "GET /health?client=x",
 "GET /health?client=x"]
--- error_code eval
[200, 200, 200, 200, 429]



=== TEST 6: per user with $jobscout_user_id; anonymous requests are not
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$jobscout_user_id rate=1r/m burst=1
                       zone=t5_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health", "GET /health", "GET /health", "GET /health", "GET /health",
 "GET /health", "GET /health"]
--- more_headers eval
[::user('00000000-0000-4000-8000-00000000000a'),
 ::user('00000000-0000-4000-8000-00000000000a'),
 ::user('00000000-0000-4000-8000-00000000000a'),
 ::user('00000000-0000-4000-8000-00000000000b'),
 "", "", ""]
--- error_code eval
[200, 200, 429, 200, 200, 200, 200]



=== TEST 7: several rules: all must pass; a refused request counts nowhere
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$arg_client rate=1r/m burst=1
                       zone=t6a_$TEST_NGINX_LIMIT_RUN;
        jobscout_limit key=everyone rate=1r/m burst=3
                       zone=t6b_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health?client=a", "GET /health?client=a", "GET /health?client=a",
 "GET /health?client=b", "GET /health?client=b", "GET /health?client=c"]
--- error_code eval
[200, 200, 429, 200, 200, 429]



=== TEST 8: rules of the server level apply; a request is counted once
across an internal redirect
--- http_config eval: $::HttpConfig
--- config
    jobscout_limit key=$binary_remote_addr rate=1r/m burst=2
                   zone=t7_$TEST_NGINX_LIMIT_RUN;
    location / { jobscout_api; }
    location /again { try_files /no-such-file /health; }
--- request eval
["GET /again", "GET /again", "GET /again", "GET /health"]
--- error_code eval
[200, 200, 200, 429]



=== TEST 9: a location with its own rules does not inherit the outer ones
--- http_config eval: $::HttpConfig
--- config
    jobscout_limit key=$binary_remote_addr rate=1r/m
                   zone=t8a_$TEST_NGINX_LIMIT_RUN;
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m burst=2
                       zone=t8b_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health", "GET /health", "GET /health", "GET /health"]
--- error_code eval
[200, 200, 200, 429]



=== TEST 10: a request body is discarded with the 429, keepalive goes on
--- http_config eval: $::HttpConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m
                       zone=t9_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- pipelined_requests eval
["GET /health", "POST /api/v1/auth/login\n{\"email\":\"a\@b.c\",\"password\":\"xxxxxxxx\"}", "GET /health"]
--- error_code eval
[200, 429, 429]
--- response_body_like eval
['ok', '"code":"rate_limited"', '"code":"rate_limited"']



=== TEST 11: Redis down, fail=open (the default): let through, with a warning
--- http_config eval: $::DownConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m
                       zone=t10_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request eval
["GET /health", "GET /health", "GET /health"]
--- error_code eval
[200, 200, 200]
--- error_log
jobscout_limit: redis unavailable, request let through (fail=open)



=== TEST 12: Redis down, fail=closed: JSON 503
--- http_config eval: $::DownConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m fail=closed
                       zone=t11_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request
GET /health
--- error_code: 503
--- response_body_like: ^\{"error":\{"code":"unavailable","message":"rate limiter unavailable","request_id":"[0-9a-f]{32}"\}\}$
--- response_headers
!Retry-After



=== TEST 13: one fail=closed rule closes the request
--- http_config eval: $::DownConfig
--- config
    location / {
        jobscout_limit key=$binary_remote_addr rate=1r/m
                       zone=t12a_$TEST_NGINX_LIMIT_RUN;
        jobscout_limit key=$binary_remote_addr rate=1r/m fail=closed
                       zone=t12b_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request
GET /health
--- error_code: 503



=== TEST 14: fail=closed with an empty key: the rule does not apply
--- http_config eval: $::DownConfig
--- config
    location / {
        jobscout_limit key=$arg_client rate=1r/m fail=closed
                       zone=t13_$TEST_NGINX_LIMIT_RUN;
        jobscout_api;
    }
--- request
GET /health
--- error_code: 200



=== TEST 15: limit_req's 429 as the JSON error, Retry-After 1 s
--- http_config eval
$::HttpConfig . 'limit_req_zone $binary_remote_addr zone=t14:1m rate=1r/m;'
--- config
    location / {
        limit_req zone=t14;
        limit_req_status 429;
        error_page 429 @jobscout_429;
        jobscout_api;
    }
    location @jobscout_429 { jobscout_limit_error; }
--- request eval
["GET /health", "GET /health"]
--- error_code eval
[200, 429]
--- response_headers_like eval
["X-Request-Id: [0-9a-f]{32}",
 "X-Request-Id: [0-9a-f]{32}\nRetry-After: 1\nContent-Type: application/json; charset=utf-8"]
--- response_body_like eval
['ok', '^\{"error":\{"code":"rate_limited","message":"too many requests, retry in 1 s","request_id":"[0-9a-f]{32}"\}\}$']



=== TEST 16: limit_req keyed by $jobscout_user_id, "error_page 429 =" and
retry_after=
--- http_config eval
$::HttpConfig . 'limit_req_zone $jobscout_user_id zone=t15:1m rate=6r/m;'
--- config
    location / {
        limit_req zone=t15;
        limit_req_status 429;
        error_page 429 = @jobscout_429;
        jobscout_api;
    }
    location @jobscout_429 { jobscout_limit_error 429 retry_after=10s; }
--- request eval
["GET /health", "GET /health", "GET /health", "GET /health"]
--- more_headers eval
[::user('00000000-0000-4000-8000-00000000000c'),
 ::user('00000000-0000-4000-8000-00000000000c'),
 ::user('00000000-0000-4000-8000-00000000000d'), ""]
--- error_code eval
[200, 429, 200, 200]
--- response_headers_like eval
["X-Request-Id: .*", "Retry-After: 10", "X-Request-Id: .*",
 "X-Request-Id: .*"]
--- response_body_like eval
['ok', 'retry in 10 s', 'ok', 'ok']



=== TEST 17: limit_req refuses before jobscout_limit counts; the error
location is not limited by the outer rules
--- http_config eval
$::HttpConfig . 'limit_req_zone $binary_remote_addr zone=t16:1m rate=1r/m;'
--- config
    jobscout_limit key=$binary_remote_addr rate=1r/m burst=1 fail=closed
                   zone=t16_$TEST_NGINX_LIMIT_RUN;
    location = /health {
        limit_req zone=t16;
        limit_req_status 429;
        error_page 429 @jobscout_429;
        jobscout_api;
    }
    location / { jobscout_api; }
    location @jobscout_429 { jobscout_limit_error; }
--- request eval
["GET /health", "GET /health", "GET /api/v1/nothing", "GET /api/v1/nothing"]
--- error_code eval
[200, 429, 404, 429]
--- response_headers eval
["Retry-After:", "Retry-After: 1", "Retry-After:", "Retry-After: 60"]



=== TEST 18: key= and rate= are required
--- http_config eval: $::HttpConfig
--- config
    location /t17 { jobscout_limit rate=1r/s burst=5; jobscout_api; }
--- must_die
--- error_log
"jobscout_limit" must have "key=" and "rate=" parameters



=== TEST 19: the rate needs r/s or r/m
--- http_config eval: $::HttpConfig
--- config
    location /t18 { jobscout_limit key=$binary_remote_addr rate=5r/h; }
--- must_die
--- error_log
invalid value "rate=5r/h" in "jobscout_limit" directive



=== TEST 20: a zero rate is refused
--- http_config eval: $::HttpConfig
--- config
    location /t19 { jobscout_limit key=$binary_remote_addr rate=0r/s; }
--- must_die
--- error_log
invalid value "rate=0r/s" in "jobscout_limit" directive



=== TEST 21: burst must be a number
--- http_config eval: $::HttpConfig
--- config
    location /t20 { jobscout_limit key=$binary_remote_addr rate=1r/s burst=-1; }
--- must_die
--- error_log
invalid value "burst=-1" in "jobscout_limit" directive



=== TEST 22: fail is open or closed
--- http_config eval: $::HttpConfig
--- config
    location /t21 { jobscout_limit key=$binary_remote_addr rate=1r/s fail=maybe; }
--- must_die
--- error_log
invalid value "fail=maybe" in "jobscout_limit" directive



=== TEST 23: a zone name is a Redis key part without separators
--- http_config eval: $::HttpConfig
--- config
    location /t22 { jobscout_limit key=$binary_remote_addr rate=1r/s zone=a:b; }
--- must_die
--- error_log
invalid value "zone=a:b" in "jobscout_limit" directive



=== TEST 24: unknown and repeated parameters are refused
--- http_config eval: $::HttpConfig
--- config
    location /t23 { jobscout_limit key=$binary_remote_addr rate=1r/s rate=2r/s; }
--- must_die
--- error_log
invalid parameter "rate=2r/s" in "jobscout_limit" directive



=== TEST 25: a zone keeps one rate and burst
--- http_config eval: $::HttpConfig
--- config
    location /t24a { jobscout_limit key=$binary_remote_addr rate=1r/s zone=z; }
    location /t24b { jobscout_limit key=$binary_remote_addr rate=2r/s zone=z; }
--- must_die
--- error_log
jobscout_limit zone "z" is already used with another rate or burst



=== TEST 26: a zone once per location
--- http_config eval: $::HttpConfig
--- config
    location /t25 {
        jobscout_limit key=$binary_remote_addr rate=1r/s;
        jobscout_limit key=$binary_remote_addr rate=1r/s;
    }
--- must_die
--- error_log
jobscout_limit zone "$binary_remote_addr:1r/s:0" is used twice in this location



=== TEST 27: jobscout_limit needs jobscout_redis
--- http_config
    jobscout_limit key=$binary_remote_addr rate=1r/s;
--- config
    location /t26 { return 200; }
--- must_die
--- error_log
"jobscout_limit" requires "jobscout_redis" in the http block



=== TEST 28: jobscout_limit_error takes a status 400-599
--- http_config eval: $::HttpConfig
--- config
    location /t27 { jobscout_limit_error 200; }
--- must_die
--- error_log
invalid value "200" in "jobscout_limit_error" directive



=== TEST 29: jobscout_limit_error is a content handler of its own
--- http_config eval: $::HttpConfig
--- config
    location /t28 { jobscout_api; jobscout_limit_error; }
--- must_die
--- error_log
"jobscout_limit_error" directive conflicts with another content handler



=== TEST 30: jobscout_limit_error retry_after must be a time
--- http_config eval: $::HttpConfig
--- config
    location /t29 { jobscout_limit_error 429 retry_after=soon; }
--- must_die
--- error_log
invalid value "retry_after=soon" in "jobscout_limit_error" directive
