# Every jobscout_* directive error is refused by "nginx -t" with a precise
# message naming the directive and the bad value.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: a valid configuration starts
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" pool=2 queue=4 connect_timeout=2s query_timeout=500ms;
    jobscout_redis $TEST_NGINX_REDIS timeout=300ms;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- request
GET /health
--- error_code: 200
--- response_body: {"status":"ok"}
--- no_error_log
[error]



=== TEST 2: pool must be a positive number
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" pool=0;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "pool=0" in "jobscout_postgres" directive



=== TEST 3: pool must be a number
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" pool=many;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "pool=many" in "jobscout_postgres" directive



=== TEST 4: queue is bounded
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" queue=100000;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "queue=100000" in "jobscout_postgres" directive



=== TEST 5: timeouts must be times
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" query_timeout=soon;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "query_timeout=soon" in "jobscout_postgres" directive



=== TEST 6: a zero connect timeout is refused
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" connect_timeout=0;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "connect_timeout=0" in "jobscout_postgres" directive



=== TEST 7: unknown parameters are named
--- http_config
    jobscout_postgres "$TEST_NGINX_PG" poolsize=4;
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
unknown parameter "poolsize=4" in "jobscout_postgres" directive



=== TEST 8: the conninfo is parsed by libpq at configuration time
--- http_config
    jobscout_postgres "host=127.0.0.1 colour=blue";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid conninfo "host=127.0.0.1 colour=blue" in "jobscout_postgres" directive: invalid connection option "colour"



=== TEST 9: jobscout_postgres is not repeated
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
"jobscout_postgres" directive is duplicate



=== TEST 10: jobscout_postgres belongs to the http block
--- http_config
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    jobscout_postgres "$TEST_NGINX_PG";
    location / { jobscout_api; }
--- must_die
--- error_log
"jobscout_postgres" directive is not allowed here



=== TEST 11: a Redis address needs a port
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis 127.0.0.1;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid address "127.0.0.1" in "jobscout_redis" directive



=== TEST 12: a Redis unix socket needs a path
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis unix:;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
no socket path in "jobscout_redis" directive



=== TEST 13: the Redis timeout must be a time
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS timeout=-1;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "timeout=-1" in "jobscout_redis" directive



=== TEST 14: unknown Redis parameters are named
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS db=3;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
unknown parameter "db=3" in "jobscout_redis" directive



=== TEST 15: the API needs PostgreSQL and Redis
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
"jobscout_api" requires "jobscout_postgres", "jobscout_redis" and "jobscout_jwt_key_file" in the http block



=== TEST 16: jobscout_api takes no arguments
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { jobscout_api on; }
--- must_die
--- error_log
invalid number of arguments in "jobscout_api" directive



=== TEST 17: jobscout_api does not share a location with another handler
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- config
    location / { proxy_pass http://127.0.0.1:9; jobscout_api; }
--- must_die
--- error_log
"jobscout_api" directive conflicts with another content handler in this location



=== TEST 18: jobscout_test_endpoints is a flag
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_test_endpoints yes;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "yes" in "jobscout_test_endpoints" directive, it must be "on" or "off"



=== TEST 19: the JWT key file must exist
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file /nonexistent/jwt.key;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
open() "/nonexistent/jwt.key" failed



=== TEST 20: an HS256 secret must be at least 32 bytes
--- user_files
>>> short.key
tooshort
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_SERVER_ROOT/html/short.key;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
is shorter than 32 bytes



=== TEST 21: only HS256, RS256 and ES256
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY alg=none;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid value "alg=none" in "jobscout_jwt_key_file" directive, expected alg=HS256, alg=RS256 or alg=ES256



=== TEST 22: RS256 needs a private key in PEM
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY alg=RS256;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
holds no RSA private key in PEM



=== TEST 23: token lifetimes are times of at least a minute
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_jwt_ttl access=10s;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
invalid parameter "access=10s" in "jobscout_jwt_ttl" directive



=== TEST 24: the API needs a token key
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
--- config
    location / { jobscout_api; }
--- must_die
--- error_log
"jobscout_api" requires "jobscout_postgres", "jobscout_redis" and "jobscout_jwt_key_file" in the http block
