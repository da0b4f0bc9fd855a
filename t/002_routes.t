# The route table: JSON everywhere, 404 and 405 as JSON, X-Request-Id.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: liveness answers without I/O
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_headers_like
X-Request-Id: ^[0-9a-f]{32}$
--- response_body: {"status":"ok"}



=== TEST 2: a valid X-Request-Id is echoed
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health
--- more_headers
X-Request-Id: mobile-7f3a.42:retry_1
--- error_code: 200
--- response_headers
X-Request-Id: mobile-7f3a.42:retry_1



=== TEST 3: an unusable X-Request-Id is replaced, never reflected
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health
--- more_headers
X-Request-Id: <script>alert(1)</script>
--- error_code: 200
--- response_headers_like
X-Request-Id: ^[0-9a-f]{32}$



=== TEST 4: an overlong X-Request-Id is replaced
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health
--- more_headers eval
"X-Request-Id: " . ("a" x 65)
--- error_code: 200
--- response_headers_like
X-Request-Id: ^[0-9a-f]{32}$



=== TEST 5: unknown resources are a JSON 404 carrying the request id
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/nothing-here
--- more_headers
X-Request-Id: req-404
--- error_code: 404
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body: {"error":{"code":"not_found","message":"no such resource","request_id":"req-404"}}



=== TEST 6: a trailing slash is another resource
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health/
--- error_code: 404
--- response_body_like: "code":"not_found"



=== TEST 7: a known path with the wrong method is a JSON 405 with Allow
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
DELETE /health/ready
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- response_body_like: ^\{"error":\{"code":"method_not_allowed","message":"method not allowed on this resource","request_id":"[0-9a-f]{32}"\}\}$



=== TEST 8: a body sent to a route without one is discarded, not a hang
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
POST /health
{"a":1}
--- error_code: 405
--- response_body_like: "method_not_allowed"



=== TEST 9: HEAD is answered by the GET route, headers only
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
HEAD /health
--- error_code: 200
--- response_headers
Content-Length: 15
--- response_body chomp



=== TEST 10: dot segments are resolved by nginx before routing
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/../../health
--- error_code: 200
--- response_body: {"status":"ok"}



=== TEST 11: climbing above the root is refused by nginx
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /../../etc/passwd
--- error_code: 400



=== TEST 12: percent-encoded paths are decoded before routing
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /heal%74h
--- error_code: 200
--- response_body: {"status":"ok"}



=== TEST 13: test endpoints do not exist unless switched on
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/_test/sleep?seconds=0.01
--- error_code: 404
--- response_body_like: "not_found"



=== TEST 14: the API can be mounted on a prefix location only
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location /health { jobscout_api; }
    location / { return 200 "static\n"; }
--- request
GET /other
--- error_code: 200
--- response_body
static
