# Forged, expired and tampered tokens are refused with 401 and
# WWW-Authenticate; a valid one passes (its user does not exist: 404).
# libjwt 1.10 would accept several of these on its own.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Token ();
use JSON::PP ();

our $HttpConfig = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
_EOC_

our $RsaConfig = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_RSA_KEY} alg=RS256;
_EOC_

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: a valid token passes (its user does not exist: 404)
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer()
--- error_code: 404
--- response_body_like: "code":"not_found","message":"this account no longer exists"


=== TEST 2: alg none is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(alg => 'none')
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"
--- response_headers
WWW-Authenticate: Bearer realm="jobscout", error="invalid_token"

=== TEST 3: another HMAC algorithm is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(alg => 'HS512')
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 4: a token signed with another secret is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(secret => 'x' x 32)
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 5: an expired token is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { exp => time - 120 })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 6: a token expired within the leeway passes
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { exp => time - 10 })
--- error_code: 404
--- response_body_like: "code":"not_found","message":"this account no longer exists"


=== TEST 7: a token not valid yet is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { nbf => time + 300 })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 8: a token issued in the future is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { iat => time + 300 })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 9: a wrong issuer is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { iss => 'evil' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 10: a wrong audience is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { aud => 'other-api' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 11: a missing expiry is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { exp => undef })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 12: an expiry of the wrong type is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { exp => '9999999999' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 13: a refresh token is not an access token
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { use => 'refresh' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 14: a tampered payload is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
my $t = JobScout::Token::token(); my ($h, $p, $s) = split /\./, $t; "Authorization: Bearer $h." . JobScout::Token::encode_base64url('{"iss":"jobscout","aud":"jobscout-api","sub":"00000000-0000-4000-8000-000000000002","role":"admin"}') . ".$s"
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 15: garbage is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
"Authorization: Bearer not.a.token"
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 16: a non-Bearer scheme counts as no token
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
"Authorization: Basic dXNlcjpwYXNz"
--- error_code: 401
--- response_body_like: "message":"a bearer token is required"
--- response_headers
WWW-Authenticate: Bearer realm="jobscout"

=== TEST 17: an overlong token is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
"Authorization: Bearer " . ("a" x 5000)
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 18: RS256: a token signed with the private key passes
--- http_config eval: $::RsaConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(alg => 'RS256', key => $ENV{TEST_NGINX_RSA_KEY})
--- error_code: 404
--- response_body_like: "code":"not_found","message":"this account no longer exists"


=== TEST 19: RS256: HS256 signed with the public key is refused
--- http_config eval: $::RsaConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(alg => 'HS256', secret => JobScout::Token::secret($ENV{TEST_NGINX_RSA_PUB}) . "\n")
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 20: RS256: HS256 with the configured HMAC secret is refused
--- http_config eval: $::RsaConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(alg => 'HS256')
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 21: RS256: alg none is refused
--- http_config eval: $::RsaConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(alg => 'none')
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 22: a sub that is not a UUID is refused, not a database error
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { sub => 'not-a-uuid' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"
--- no_error_log
22P02


=== TEST 23: a role the product does not have is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { role => 'superuser' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 24: role admin is one of the product's (its user does not exist: 404)
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { role => 'admin' })
--- error_code: 404
--- response_body_like: "message":"this account no longer exists"


=== TEST 25: duplicate claim names are refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
my $c = JSON::PP->new->canonical->encode(JobScout::Token::claims());
$c =~ s/\}$/,"sub":"00000000-0000-4000-8000-000000000002"}/;
JobScout::Token::bearer(payload => $c)
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 26: a second role claim does not make an admin
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/admin/stats
--- more_headers eval
my $c = JSON::PP->new->canonical->encode(JobScout::Token::claims());
$c =~ s/\}$/,"role":"admin"}/;
JobScout::Token::bearer(payload => $c)
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 27: a typ other than JWT is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(header => { typ => 'JOSE+JSON' })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 28: a typ that is not a string is refused
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(header => { typ => 42 })
--- error_code: 401
--- response_body_like: "code":"unauthorized","message":"the token is invalid or expired"


=== TEST 29: typ is optional, and case-blind
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- pipelined_requests eval
["GET /api/v1/users/me", "GET /api/v1/users/me"]
--- more_headers eval
[JobScout::Token::bearer(header => { typ => undef }),
 JobScout::Token::bearer(header => { typ => 'jwt' })]
--- error_code eval
[404, 404]
--- response_body_like eval
["this account no longer exists", "this account no longer exists"]


=== TEST 30: an exp at the end of time is compared without an overflow (make fuzz found exp + leeway overflowing)
--- http_config eval: $::HttpConfig
--- config
    location / { jobscout_api; }
--- request
GET /api/v1/users/me
--- more_headers eval
JobScout::Token::bearer(claims => { exp => 9223372036854775807 })
--- error_code: 404
--- response_body_like: "message":"this account no longer exists"
