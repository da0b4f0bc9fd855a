# The profile routes, request by request: every malformed, mistyped,
# unknown or oversized input is a JSON 4xx naming what is wrong, before
# any query; the flows are t/115_profile.t's.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Psql;
use JobScout::Admin;

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});

our $User = account($db, 'profile', 0);
our $Invalid = invalid();

admin_blocks($User);

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: no token: 401
--- request
GET /api/v1/users/me/skills
--- more_headers
Accept: application/json
--- error_code: 401
--- response_body_like: "code":"unauthorized"


=== TEST 2: a body that is not JSON: 400
--- request
POST /api/v1/users/me/skills
{"name":
--- error_code: 400
--- response_body_like: "code":"invalid_json"


=== TEST 3: a body that is not an object: 422
--- request
POST /api/v1/users/me/education
["University"]
--- error_code: 422
--- response_body_like: "code":"validation_failed"


=== TEST 4: a skill without a name
--- request
POST /api/v1/users/me/skills
{"years":3}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: is required', 'name'


=== TEST 5: a name that is not a string
--- request
POST /api/v1/users/me/skills
{"name":["Go"]}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: must be a string', 'name'


=== TEST 6: a name of 51 characters
--- request eval
"POST /api/v1/users/me/skills\n" . '{"name":"' . ('x' x 51) . '"}'
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: has a wrong length', 'name'


=== TEST 7: a blank name
--- request
POST /api/v1/users/me/skills
{"name":"   "}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: must not be blank', 'name'


=== TEST 8: a control character in the name
--- request
POST /api/v1/users/me/skills
{"name":"Go\u0001lang"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: has a control character', 'name'


=== TEST 9: an unknown proficiency
--- request
POST /api/v1/users/me/skills
{"name":"Go","proficiency":"guru"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'proficiency: must be beginner, intermediate, advanced or expert', 'proficiency'


=== TEST 10: negative years
--- request
POST /api/v1/users/me/skills
{"name":"Go","years":-1}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'years: must be a number from 0 to 70', 'years'


=== TEST 11: years as a string
--- request
POST /api/v1/users/me/skills
{"name":"Go","years":"3"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'years: must be a number from 0 to 70', 'years'


=== TEST 12: a huge number of years
--- request
POST /api/v1/users/me/skills
{"name":"Go","years":1e300}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'years: must be a number from 0 to 70', 'years'


=== TEST 13: an unknown field
--- request
POST /api/v1/users/me/skills
{"name":"Go","level":3}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'level: unknown field', 'level'


=== TEST 14: a PATCH of a skill with nothing to change
--- request
PATCH /api/v1/users/me/skills/Go
{}
--- error_code: 422
--- response_body_like: "message":"nothing to change: send proficiency or years"


=== TEST 15: a PATCH of a skill's name is refused
--- request
PATCH /api/v1/users/me/skills/Go
{"name":"Golang"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'name: unknown field', 'name'


=== TEST 16: DELETE of a skill takes no argument
--- request
DELETE /api/v1/users/me/skills/Go?all=1
--- error_code: 422
--- response_body_like: "field":"all"


=== TEST 17: education without an institution
--- request
POST /api/v1/users/me/education
{"degree":"BSc"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'institution: is required', 'institution'


=== TEST 18: an institution of null
--- request
POST /api/v1/users/me/education
{"institution":null}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'institution: must not be null', 'institution'


=== TEST 19: a day that is not in the calendar
--- request
POST /api/v1/users/me/education
{"institution":"UoN","start_date":"2023-02-29"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'start_date: must be a date, YYYY-MM-DD', 'start_date'


=== TEST 20: a date in another format
--- request
POST /api/v1/users/me/education
{"institution":"UoN","end_date":"01/02/2020"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'end_date: must be a date, YYYY-MM-DD', 'end_date'


=== TEST 21: a date out of range
--- request
POST /api/v1/users/me/education
{"institution":"UoN","start_date":"0001-01-01"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'start_date: must be a date, YYYY-MM-DD', 'start_date'


=== TEST 22: an end before the start
--- request
POST /api/v1/users/me/education
{"institution":"UoN","start_date":"2020-01-01","end_date":"2019-12-31"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'end_date: must not be before start_date', 'end_date'


=== TEST 23: a description too long
--- request eval
"POST /api/v1/users/me/education\n" . '{"institution":"UoN","description":"' . ('d' x 2001) . '"}'
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'description: is too long', 'description'


=== TEST 24: a grade that is a number
--- request
POST /api/v1/users/me/education
{"institution":"UoN","grade":4}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'grade: must be a string or null', 'grade'


=== TEST 25: experience with an unknown employment type
--- request
POST /api/v1/users/me/experience
{"company":"Acme","title":"Dev","start_date":"2020-01-01","employment_type":"gig"}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'employment_type: must be full_time, part_time, contract, internship or temporary', 'employment_type'


=== TEST 26: a PATCH clearing a required field
--- request
PATCH /api/v1/users/me/experience/123e4567-e89b-42d3-a456-426614174000
{"start_date":null}
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'start_date: must not be null', 'start_date'


=== TEST 27: a PATCH with nothing to change
--- request
PATCH /api/v1/users/me/experience/123e4567-e89b-42d3-a456-426614174000
{}
--- error_code: 422
--- response_body_like: "message":"nothing to change: send a field to change"


=== TEST 28: a malformed entry id: 404
--- request
GET /api/v1/users/me/education/not-a-uuid
--- error_code: 404
--- response_body_like: "message":"no such education entry"


=== TEST 29: an unknown entry: 404
--- request
DELETE /api/v1/users/me/experience/123e4567-e89b-42d3-a456-426614174000
--- error_code: 404
--- response_body_like: "message":"no such experience entry"


=== TEST 30: a 2 MB body: 413 in JSON
--- config
    error_page 400 408 413 /_jobscout/error;
    location = /_jobscout/error { jobscout_api; }
    location / { client_max_body_size 1m; jobscout_api; }
--- request eval
"POST /api/v1/users/me/experience\n" . '{"company":"' . ('x' x (2 * 1024 * 1024)) . '"}'
--- error_code: 413
--- response_body_like: "code":"payload_too_large"


=== TEST 31: recommendations: a limit out of range
--- request
GET /api/v1/jobs/recommended?limit=101
--- error_code: 422
--- response_body_like: "field":"limit"


=== TEST 32: recommendations: a cursor that is not ours
--- request
GET /api/v1/jobs/recommended?cursor=bm90IGEgY3Vyc29y
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'cursor: is not a valid cursor', 'cursor'


=== TEST 33: recommendations: a cursor whose coverage is out of range
--- request eval
use MIME::Base64 qw(encode_base64url);
"GET /api/v1/jobs/recommended?cursor="
    . encode_base64url('101|1700000000000000|123e4567-e89b-42d3-a456-426614174000')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'cursor: is not a valid cursor', 'cursor'


=== TEST 34: recommendations: an unknown argument
--- request
GET /api/v1/jobs/recommended?sort=newest
--- error_code: 422
--- response_body_like: "field":"sort"


=== TEST 35: skill gap: an argument
--- request
GET /api/v1/jobs/123e4567-e89b-42d3-a456-426614174000/skill-gap?x=1
--- error_code: 422
--- response_body_like: "field":"x"


=== TEST 36: skill gap: a malformed job id
--- request
GET /api/v1/jobs/%27%20OR%201=1/skill-gap
--- error_code: 404
--- response_body_like: "message":"no such job"


=== TEST 37: a skill name that is SQL is only a name
--- request
DELETE /api/v1/users/me/skills/'%20OR%20'1'='1
--- error_code: 404
--- response_body_like: "message":"no such skill in your profile"
