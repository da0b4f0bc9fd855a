# Readiness: one PostgreSQL query and one Redis PING per request; 503 names
# the failing check.  Slow and failing queries answer with JSON errors.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: ready when PostgreSQL and Redis answer
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health/ready
--- error_code: 200
--- response_body_like: ^\{"status":"ready","checks":\{"database":"ok","redis":"ok","scrapers_failing":\d+\},"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"\}$
--- no_error_log
[error]



=== TEST 2: Redis down: 503 naming redis, the database still checked
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis 127.0.0.1:9 timeout=200ms;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health/ready
--- error_code: 503
--- response_body_like: ^\{"status":"unavailable","error":\{"code":"not_ready","message":"failing checks: redis","request_id":"[0-9a-f]{32}"\},"checks":\{"database":"ok","redis":"redis unavailable",
--- error_log
connecting to Redis at 127.0.0.1:9 failed



=== TEST 3: PostgreSQL unreachable: 503 naming the database
--- http_config
    jobscout_postgres "host=127.0.0.1 port=9 dbname=x user=x" connect_timeout=200ms;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health/ready
--- error_code: 503
--- response_body_like: "message":"failing checks: database".*"checks":\{"database":"database unavailable","redis":"ok","scrapers_failing":null\}
--- error_log
connecting to PostgreSQL failed



=== TEST 4: both down: both named
--- http_config
    jobscout_postgres "host=127.0.0.1 port=9 dbname=x user=x";
    jobscout_redis 127.0.0.1:9;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health/ready
--- error_code: 503
--- response_body_like: "failing checks: database, redis"



=== TEST 5: a wrong database name is a failing check, not a crash
--- http_config
    jobscout_postgres "host=127.0.0.1 port=$TEST_NGINX_PG_PORT dbname=no_such_db user=postgres";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health/ready
--- error_code: 503
--- response_body_like: "database":"database unavailable"
--- error_log
database "no_such_db" does not exist



=== TEST 6: a query runs through the pool
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_test_endpoints on;
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/_test/sleep?seconds=0.05
--- error_code: 200
--- response_body: {"slept":true}



=== TEST 7: parameters are validated before any query
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_test_endpoints on;
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/_test/sleep?seconds=1;DROP%20TABLE%20users
--- error_code: 422
--- response_body_like: "code":"invalid_parameter"



=== TEST 8: a query slower than query_timeout is a JSON 504
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" query_timeout=200ms;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_test_endpoints on;
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/_test/sleep?seconds=2
--- error_code: 504
--- response_body_like: ^\{"error":\{"code":"timeout","message":"database query timed out","request_id":"[0-9a-f]{32}"\}\}$
--- error_log
504 timeout: database query timed out



=== TEST 9: the pool still works after a timed-out query
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" pool=1 query_timeout=200ms;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_test_endpoints on;
--- config
    location / { jobscout_api; }
--- request eval
["GET /api/v1/_test/sleep?seconds=2", "GET /health/ready"]
--- error_code eval
[504, 200]
