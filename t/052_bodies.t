# Hostile bodies: every malformed, mistyped or unknown input is a JSON
# error with the right status, and nothing is written.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1

our $HttpConfig = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
_EOC_

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: a body that is not JSON: 400
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email": 
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like: "code":"invalid_json","message":"invalid JSON at line 1


=== TEST 2: duplicate keys are refused: 400
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"a@b.co","email":"c@d.co"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like: "code":"invalid_json".*duplicate


=== TEST 3: a JSON array is not an object: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
[1,2,3]
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"the body must be a JSON object"


=== TEST 4: a JSON number, string or null is not an object either: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request eval
["POST /api/v1/auth/register\n1", "POST /api/v1/auth/register\n\"x\"",
 "POST /api/v1/auth/register\nnull"]
--- more_headers
Content-Type: application/json
--- error_code eval
[422, 422, 422]
--- response_body_like eval
[('"code":"validation_failed","message":"the body must be a JSON object"') x 3]


=== TEST 5: the wrong content type: 415
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina Njeri"}
--- more_headers
Content-Type: text/plain
--- error_code: 415
--- response_body_like: "code":"unsupported_media_type"


=== TEST 6: no content type: 415
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina Njeri"}
--- error_code: 415
--- response_body_like: "code":"unsupported_media_type"


=== TEST 7: application/json with a charset is fine (then an unknown field)
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina Njeri","is_admin":true}
--- more_headers
Content-Type: application/json; charset=utf-8
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"is_admin: unknown field","field":"is_admin","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 8: an unknown field: 422 naming it
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina Njeri","role":"admin"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"role: unknown field","field":"role","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 9: a missing field: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"full_name: is required","field":"full_name","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 10: a field of the wrong type: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":42,"password":"a long passphrase","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"email: must be a string","field":"email","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 11: null is not a string
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":null,"password":"a long passphrase","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"email: must be a string","field":"email","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 12: not an e-mail address: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina.example.com","password":"a long passphrase","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"email: is not an e-mail address","field":"email","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 13: two @: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"a@b@example.com","password":"a long passphrase","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"email: is not an e-mail address","field":"email","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 14: a header injection in the address: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"a@example.com\r\nBcc: x@evil.com","password":"a long passphrase","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"email: has a control character","field":"email","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 15: a short password: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"short","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"password: has a wrong length","field":"password","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 16: a password over 72 bytes: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"éééééééééééééééééééééééééééééééééééééééé","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"password: is longer than 72 bytes","field":"password","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 17: a common password: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"Password123","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"password: is too common","field":"password","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 18: the address as password: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"AMINA@example.com","full_name":"Amina"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"password: must not be the e-mail address","field":"password","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 19: an empty name: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase","full_name":""}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"full_name: has a wrong length","field":"full_name","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 20: a name with a control character: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/register
{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina\u0007Njeri"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"full_name: has a control character","field":"full_name","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 21: a name with a bidi override or a line separator: 422
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request eval
["POST /api/v1/auth/register\n"
 . '{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina \u202egnp.exe"}',
 "POST /api/v1/auth/register\n"
 . '{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina\u2028Njeri"}',
 "POST /api/v1/auth/register\n"
 . '{"email":"amina@example.com","password":"a long passphrase","full_name":"Amina \u2067x\u2069"}']
--- more_headers
Content-Type: application/json
--- error_code eval
[422, 422, 422]
--- response_body_like eval
[('^\{"error":\{"code":"validation_failed","message":"full_name: has a direction or line control","field":"full_name",') x 3]


=== TEST 22: a body over client_max_body_size: 413 in JSON
--- http_config eval: $::HttpConfig
--- config
    error_page 400 408 413 /_jobscout/error;
    location = /_jobscout/error { jobscout_api; }
    location / { client_max_body_size 1k; jobscout_api; }
--- request
POST /api/v1/auth/register
{"full_name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}
--- more_headers
Content-Type: application/json
--- error_code: 413
--- response_body_like: "code":"payload_too_large"


=== TEST 23: login: wrong types are 422, not 401
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/login
{"email":"amina@example.com","password":12345678}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"password: must be a string","field":"password","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 24: refresh: garbage is 401 with WWW-Authenticate
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/refresh
{"refresh_token":"x.y.z"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body_like: "code":"unauthorized"
--- response_headers
WWW-Authenticate: Bearer realm="jobscout", error="invalid_token"

=== TEST 25: logout without a token: 401
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
POST /api/v1/auth/logout
--- error_code: 401
--- response_body_like: "message":"a bearer token is required"


=== TEST 26: GET on a POST route: 405
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/auth/register
--- error_code: 405
--- response_body_like: "code":"method_not_allowed"
