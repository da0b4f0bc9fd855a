# CORS for a front end served elsewhere: the origins of
# jobscout_cors_origin (repeatable; none by default) get
# Access-Control-Allow-Origin on every answer, errors included, and their
# preflights (OPTIONS) 204 with the resource's methods; any other origin
# gets no CORS header and its preflight the 405 of before.  Vary: Origin
# whenever origins are configured.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1

our $Http = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
_EOC_

our $Cors = $Http . <<'_EOC_';
    jobscout_cors_origin https://app.example.com;
    jobscout_cors_origin http://localhost:5173;
_EOC_

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $Cors) unless defined $block->http_config;
    $block->set_value('config', '    location / { jobscout_api; }')
        unless defined $block->config;
    $block->set_value('main_config', 'thread_pool jobscout threads=2;');
});

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: an allowed origin's preflight: 204 with the route's methods
--- request
OPTIONS /api/v1/auth/login
--- more_headers
Origin: https://app.example.com
Access-Control-Request-Method: POST
Access-Control-Request-Headers: content-type
--- error_code: 204
--- response_headers
Access-Control-Allow-Origin: https://app.example.com
Access-Control-Allow-Methods: POST
Access-Control-Allow-Headers: Authorization, Content-Type, X-Request-Id
Access-Control-Max-Age: 600
Vary: Origin
!Access-Control-Allow-Credentials
--- response_body:


=== TEST 2: every configured origin is allowed; a resource's methods all listed
--- request
OPTIONS /api/v1/users/me
--- more_headers
Origin: http://localhost:5173
Access-Control-Request-Method: PATCH
Access-Control-Request-Headers: authorization, content-type
--- error_code: 204
--- response_headers
Access-Control-Allow-Origin: http://localhost:5173
Access-Control-Allow-Methods: GET, HEAD, PATCH, DELETE


=== TEST 3: another origin's preflight: the 405 of before, no CORS header
--- request
OPTIONS /api/v1/auth/login
--- more_headers
Origin: https://evil.example.net
Access-Control-Request-Method: POST
--- error_code: 405
--- response_headers
Allow: POST
Vary: Origin
!Access-Control-Allow-Origin
!Access-Control-Allow-Methods
--- response_body_like: "code":"method_not_allowed"


=== TEST 4: an origin is matched whole: a longer host is another origin
--- request
OPTIONS /api/v1/auth/login
--- more_headers
Origin: https://app.example.com.evil.net
Access-Control-Request-Method: POST
--- error_code: 405
--- response_headers
!Access-Control-Allow-Origin


=== TEST 5: OPTIONS without Access-Control-Request-Method is no preflight
--- request
OPTIONS /api/v1/auth/login
--- more_headers
Origin: https://app.example.com
--- error_code: 405
--- response_headers
Allow: POST
--- response_body_like: "code":"method_not_allowed"


=== TEST 6: an allowed origin's request: Allow-Origin, the headers it may read
--- request
GET /health
--- more_headers
Origin: https://app.example.com
--- error_code: 200
--- response_headers
Access-Control-Allow-Origin: https://app.example.com
Access-Control-Expose-Headers: X-Request-Id, Retry-After
Vary: Origin


=== TEST 7: its errors too (the front end reads the JSON error)
--- request
GET /api/v1/users/me
--- more_headers
Origin: https://app.example.com
--- error_code: 401
--- response_headers
Access-Control-Allow-Origin: https://app.example.com
--- response_body_like: "code":"unauthorized"


=== TEST 8: another origin's request: answered, without CORS headers
--- request
GET /health
--- more_headers
Origin: https://evil.example.net
--- error_code: 200
--- response_headers
Vary: Origin
!Access-Control-Allow-Origin
!Access-Control-Expose-Headers


=== TEST 9: no Origin at all: no CORS header
--- request
GET /health
--- error_code: 200
--- response_headers
Vary: Origin
!Access-Control-Allow-Origin


=== TEST 10: nothing configured (the default): no origin allowed, no Vary
--- http_config eval: $::Http
--- request
OPTIONS /api/v1/auth/login
--- more_headers
Origin: https://app.example.com
Access-Control-Request-Method: POST
--- error_code: 405
--- response_headers
!Access-Control-Allow-Origin
!Vary


=== TEST 11: nothing configured: a request gets no CORS header
--- http_config eval: $::Http
--- request
GET /health
--- more_headers
Origin: https://app.example.com
--- error_code: 200
--- response_headers
!Access-Control-Allow-Origin


=== TEST 12: an origin with a path is refused at start
--- http_config eval: $::Http . "    jobscout_cors_origin https://app.example.com/;\n"
--- request
GET /health
--- must_die
--- error_log
is not an origin


=== TEST 13: a wildcard is refused at start
--- http_config eval: $::Http . "    jobscout_cors_origin *;\n"
--- request
GET /health
--- must_die
--- error_log
is not an origin
