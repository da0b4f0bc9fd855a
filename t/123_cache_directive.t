# jobscout_cache: its parameters, refused with a message naming what is
# wrong; "off" keeps no answer (no ETag, no $jobscout_cache); on or off, a
# cached route still wants its token.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Token ();

our $Bearer = JobScout::Token::bearer();

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('config', <<'_EOC_') unless defined $block->config;
    location / {
        jobscout_api;
        add_header X-Cache $jobscout_cache always;
    }
_EOC_
});

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: every parameter set: starts and answers
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache size=1m ttl=500ms ready=100ms;
--- request
GET /health
--- error_code: 200
--- response_body: {"status":"ok"}
--- no_error_log
[error]



=== TEST 2: off: a listing is answered without the cache, no ETag
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache off;
--- request
GET /api/v1/jobs?limit=1
--- more_headers eval
$::Bearer
--- error_code: 200
--- response_headers
!ETag
!X-Cache
--- response_body_like: ^\{"items":\[



=== TEST 3: on by default: a listing still wants its token
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
--- request
GET /api/v1/jobs?limit=1
--- error_code: 401
--- response_headers
!ETag
--- response_body_like: "code":"unauthorized"



=== TEST 4: a zone smaller than 8 pages
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache size=1k;
--- must_die
--- error_log
"jobscout_cache" directive has an invalid size (at least 8 pages)



=== TEST 5: a ttl that is not a time
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache ttl=soon;
--- must_die
--- error_log
"jobscout_cache" directive has an invalid ttl



=== TEST 6: a ready time of 0
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache ready=0;
--- must_die
--- error_log
"jobscout_cache" directive has an invalid ready time



=== TEST 7: an unknown parameter
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache zone=api;
--- must_die
--- error_log
invalid parameter "zone=api"



=== TEST 8: twice
--- http_config
    jobscout_postgres "$TEST_NGINX_PG";
    jobscout_redis $TEST_NGINX_REDIS;
    jobscout_jwt_key_file $TEST_NGINX_JWT_KEY;
    jobscout_cache size=1m;
    jobscout_cache off;
--- must_die
--- error_log
"jobscout_cache" directive is duplicate
