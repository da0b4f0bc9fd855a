# /api/v1/admin/companies, request by request: every malformed, mistyped,
# unknown or oversized input is a JSON 4xx naming what is wrong; the
# flows and what is written are t/101_admin_companies.t's.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Psql;
use JobScout::Admin;

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});

our $Admin = account($db, 'ops', 1);
our $User = account($db, 'user', 0);
our $Taken = "taken-$$";
our $Company = $db->query("INSERT INTO companies (name, slug)"
                          . " VALUES ('Taken', '$Taken') RETURNING id");
our $Invalid = invalid();

admin_blocks($Admin);

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: no token: 401
--- request
GET /api/v1/admin/companies
--- more_headers
Accept: application/json
--- error_code: 401
--- response_body_like: "code":"unauthorized"


=== TEST 2: a user's token: 403
--- request
GET /api/v1/admin/companies
--- more_headers eval: $::User
--- error_code: 403
--- response_body_like: ^\{"error":\{"code":"forbidden","message":"administrators only"


=== TEST 3: a body that is not JSON: 400
--- request
POST /api/v1/admin/companies
{"name": 
--- error_code: 400
--- response_body_like: "code":"invalid_json"


=== TEST 4: a JSON array: 422
--- request
POST /api/v1/admin/companies
["Acme"]
--- error_code: 422
--- response_body_like: "message":"the body must be a JSON object"


=== TEST 5: not application/json: 415
--- request
POST /api/v1/admin/companies
{"name":"Acme"}
--- more_headers eval
"$::Admin\nContent-Type: text/plain"
--- error_code: 415
--- response_body_like: "code":"unsupported_media_type"


=== TEST 6: a 2 MB body: 413 in JSON (as configured in conf/nginx.conf)
--- config
    error_page 400 408 413 /_jobscout/error;
    location = /_jobscout/error { jobscout_api; }
    location / { client_max_body_size 1m; jobscout_api; }
--- request eval
"POST /api/v1/admin/companies\n" . '{"name":"' . ('x' x (2 * 1024 * 1024)) . '"}'
--- error_code: 413
--- response_body_like: "code":"payload_too_large"


=== TEST 7: no name
--- request
POST /api/v1/admin/companies
{"slug":"acme"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: is required', 'name'


=== TEST 8: a name that is not a string
--- request
POST /api/v1/admin/companies
{"name":42}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: must be a string', 'name'


=== TEST 9: a blank name
--- request
POST /api/v1/admin/companies
{"name":"   "}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: must not be blank', 'name'


=== TEST 10: a name of 201 characters
--- request eval
"POST /api/v1/admin/companies\n" . '{"name":"' . ('n' x 201) . '"}'
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: has a wrong length', 'name'


=== TEST 11: an unknown field
--- request
POST /api/v1/admin/companies
{"name":"Acme","website":"https://acme.example"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'website: unknown field', 'website'


=== TEST 12: a slug that is not one
--- request
POST /api/v1/admin/companies
{"name":"Acme","slug":"Acme Ltd"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'slug: must be lower-case letters and digits, in words joined by single hyphens', 'slug'


=== TEST 13: a name no slug can be made of
--- request
POST /api/v1/admin/companies
{"name":"\u00c9\u00e9\u00e8 !!!"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'slug: cannot be made from this name \(no letter or digit a-z, 0-9\): send one', 'slug'


=== TEST 14: a careers URL that is not http
--- request
POST /api/v1/admin/companies
{"name":"Acme","careers_url":"javascript:alert(1)"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'careers_url: must be an absolute http or https URL', 'careers_url'


=== TEST 15: a relative logo URL
--- request
POST /api/v1/admin/companies
{"name":"Acme","logo_url":"/logo.png"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'logo_url: must be an absolute http or https URL', 'logo_url'


=== TEST 16: a URL without a host
--- request
POST /api/v1/admin/companies
{"name":"Acme","logo_url":"https://:443/logo.png"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'logo_url: has no host', 'logo_url'


=== TEST 17: a URL with a space
--- request
POST /api/v1/admin/companies
{"name":"Acme","careers_url":"https://acme.example/our jobs"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'careers_url: has a character a URL cannot have', 'careers_url'


=== TEST 18: a URL of 2001 characters
--- request eval
"POST /api/v1/admin/companies\n" . '{"name":"Acme","careers_url":"https://acme.example/' . ('p' x 1981) . '"}'
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'careers_url: has a wrong length', 'careers_url'


=== TEST 19: a URL that is a number
--- request
POST /api/v1/admin/companies
{"name":"Acme","careers_url":7}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'careers_url: must be a string', 'careers_url'


=== TEST 20: a slug taken: 409
--- request eval
"POST /api/v1/admin/companies\n{\"name\":\"Other\",\"slug\":\"$::Taken\"}"
--- error_code: 409
--- response_body_like: ^\{"error":\{"code":"conflict","message":"a company with this slug already exists","request_id":"[0-9a-f]{32}"\}\}$


=== TEST 21: created: 201, the slug from the name
--- request eval
"POST /api/v1/admin/companies\n{\"name\":\"Jumia Kenya $$\",\"careers_url\":\"https://group.jumia.example/careers\"}"
--- error_code: 201
--- response_body_like eval
qr/^\{"id" : "[0-9a-f-]{36}", "name" : "Jumia Kenya $$", "slug" : "jumia-kenya-$$", "careers_url" : "https:\/\/group.jumia.example\/careers", "logo_url" : null, "is_active" : true, "sources" : 0, "active_jobs" : 0, "created_at" : "[^"]+", "updated_at" : "[^"]+"\}$/


=== TEST 22: get: a malformed id is 404
--- request
GET /api/v1/admin/companies/jumia
--- error_code: 404
--- response_body_like: "code":"not_found","message":"no such company"


=== TEST 23: get: an unknown id is 404
--- request
GET /api/v1/admin/companies/5b0c2c37-59b8-4c36-9a8c-1a8e0f8d0f00
--- error_code: 404
--- response_body_like: "code":"not_found","message":"no such company"


=== TEST 24: get: an argument it does not take
--- request eval
"GET /api/v1/admin/companies/$::Company?expand=jobs"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'expand: unknown parameter', 'expand'


=== TEST 25: get: 200
--- request eval
"GET /api/v1/admin/companies/$::Company"
--- error_code: 200
--- response_body_like eval
qr/^\{"id" : "$::Company", "name" : "Taken", "slug" : "$::Taken", /


=== TEST 26: list: limit 0
--- request
GET /api/v1/admin/companies?limit=0
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'limit: must be an integer from 1 to 100', 'limit'


=== TEST 27: list: limit 101
--- request
GET /api/v1/admin/companies?limit=101
--- error_code: 422
--- response_body_like: "field":"limit"


=== TEST 28: list: a cursor this server did not make
--- request
GET /api/v1/admin/companies?cursor=bm90LWEtY3Vyc29y
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'cursor: is not a valid cursor', 'cursor'


=== TEST 29: list: active neither true nor false
--- request
GET /api/v1/admin/companies?active=yes
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'active: must be true or false', 'active'


=== TEST 30: list: an empty q
--- request
GET /api/v1/admin/companies?q=
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'q: must not be empty', 'q'


=== TEST 31: list: a q of 201 characters
--- request eval
"GET /api/v1/admin/companies?q=" . ('q' x 201)
--- error_code: 422
--- response_body_like: "field":"q"


=== TEST 32: list: an unknown argument
--- request
GET /api/v1/admin/companies?sort=name
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'sort: unknown parameter', 'sort'


=== TEST 33: list: a page
--- request eval
"GET /api/v1/admin/companies?q=$::Taken&active=true&limit=5"
--- error_code: 200
--- response_body_like eval
qr/^\{"items":\[\{"id" : "$::Company", .*\}\],"next_cursor":null\}$/


=== TEST 34: update: a malformed id is 404
--- request
PATCH /api/v1/admin/companies/42
{"name":"Acme"}
--- error_code: 404
--- response_body_like: "message":"no such company"


=== TEST 35: update: an unknown id is 404
--- request
PATCH /api/v1/admin/companies/5b0c2c37-59b8-4c36-9a8c-1a8e0f8d0f00
{"name":"Acme"}
--- error_code: 404
--- response_body_like: "message":"no such company"


=== TEST 36: update: a null name
--- request eval
"PATCH /api/v1/admin/companies/$::Company\n{\"name\":null}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: must be a string', 'name'


=== TEST 37: update: is_active as a string
--- request eval
"PATCH /api/v1/admin/companies/$::Company\n{\"is_active\":\"false\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'is_active: must be true or false', 'is_active'


=== TEST 38: update: a null slug
--- request eval
"PATCH /api/v1/admin/companies/$::Company\n{\"slug\":null}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'slug: must be a string', 'slug'


=== TEST 39: update: an unknown field
--- request eval
"PATCH /api/v1/admin/companies/$::Company\n{\"id\":\"$::Company\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'id: unknown field', 'id'


=== TEST 40: update: a logo, then 200
--- request eval
"PATCH /api/v1/admin/companies/$::Company\n{\"logo_url\":\"https://cdn.example/t.svg\"}"
--- error_code: 200
--- response_body_like: "logo_url" : "https://cdn.example/t.svg"


=== TEST 41: deactivate: an unknown id is 404
--- request
DELETE /api/v1/admin/companies/5b0c2c37-59b8-4c36-9a8c-1a8e0f8d0f00
--- error_code: 404
--- response_body_like: "message":"no such company"


=== TEST 42: deactivate: a user's token is 403
--- request eval
"DELETE /api/v1/admin/companies/$::Company"
--- more_headers eval: $::User
--- error_code: 403
--- response_body_like: "code":"forbidden"


=== TEST 43: deactivate: 200
--- request eval
"DELETE /api/v1/admin/companies/$::Company"
--- error_code: 200
--- response_body_like: "is_active" : false
