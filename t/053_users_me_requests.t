# PATCH /users/me and PUT /users/me/fcm-token, request by request: every
# refused field is a 422 naming it (nothing is written: t/053_users_me.t
# checks the row), broken JSON a 400.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Psql;
use JobScout::Admin;

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});

admin_blocks(account($db, 'requests', 0));

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: PATCH {"full_name":""}: 422 naming full_name
--- request
PATCH /api/v1/users/me
{"full_name":""}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"full_name"


=== TEST 2: PATCH {"full_name":42}: 422 naming full_name
--- request
PATCH /api/v1/users/me
{"full_name":42}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"full_name"


=== TEST 3: PATCH {"full_name":"xxxxxxxxxxxxxxxxxxxxxxxxxx...: 422 naming full_name
--- request eval
'PATCH /api/v1/users/me' . "\n" . '{"full_name":"' . ('x' x 201) . '"}'
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"full_name"


=== TEST 4: PATCH {"full_name":"Line\nbreak"}: 422 naming full_name
--- request
PATCH /api/v1/users/me
{"full_name":"Line\nbreak"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"full_name"


=== TEST 5: PATCH {"email":"new@example.com"}: 422 naming email
--- request
PATCH /api/v1/users/me
{"email":"new@example.com"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"email"


=== TEST 6: PATCH {"is_admin":true}: 422 naming is_admin
--- request
PATCH /api/v1/users/me
{"is_admin":true}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"is_admin"


=== TEST 7: PATCH {"preferences":[]}: 422 naming preferences
--- request
PATCH /api/v1/users/me
{"preferences":[]}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences"


=== TEST 8: PATCH {"preferences":"all"}: 422 naming preferences
--- request
PATCH /api/v1/users/me
{"preferences":"all"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences"


=== TEST 9: PATCH {"preferences":{"colour":"blue"}}: 422 naming preferences.colour
--- request
PATCH /api/v1/users/me
{"preferences":{"colour":"blue"}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.colour"


=== TEST 10: PATCH {"preferences":{"companies":"safaricom"}}: 422 naming preferences.companies
--- request
PATCH /api/v1/users/me
{"preferences":{"companies":"safaricom"}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.companies"


=== TEST 11: PATCH {"preferences":{"companies":[1]}}: 422 naming preferences.companies
--- request
PATCH /api/v1/users/me
{"preferences":{"companies":[1]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.companies"


=== TEST 12: PATCH {"preferences":{"companies":["Safaricom"]}}: 422 naming preferences.companies
--- request
PATCH /api/v1/users/me
{"preferences":{"companies":["Safaricom"]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.companies"


=== TEST 13: PATCH {"preferences":{"companies":["a b"]}}: 422 naming preferences.companies
--- request
PATCH /api/v1/users/me
{"preferences":{"companies":["a b"]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.companies"


=== TEST 14: PATCH {"preferences":{"companies":["c1","c2","...: 422 naming preferences.companies
--- request
PATCH /api/v1/users/me
{"preferences":{"companies":["c1","c2","c3","c4","c5","c6","c7","c8","c9","c10","c11","c12","c13","c14","c15","c16","c17","c18","c19","c20","c21","c22","c23","c24","c25","c26","c27","c28","c29","c30","c31","c32","c33","c34","c35","c36","c37","c38","c39","c40","c41","c42","c43","c44","c45","c46","c47","c48","c49","c50","c51"]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.companies"


=== TEST 15: PATCH {"preferences":{"roles":[""]}}: 422 naming preferences.roles
--- request
PATCH /api/v1/users/me
{"preferences":{"roles":[""]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.roles"


=== TEST 16: PATCH {"preferences":{"roles":["xxxxxxxxxxxxxx...: 422 naming preferences.roles
--- request
PATCH /api/v1/users/me
{"preferences":{"roles":["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.roles"


=== TEST 17: PATCH {"preferences":{"roles":[{}]}}: 422 naming preferences.roles
--- request
PATCH /api/v1/users/me
{"preferences":{"roles":[{}]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.roles"


=== TEST 18: PATCH {"preferences":{"locations":["Nai\trobi"]}}: 422 naming preferences.locations
--- request
PATCH /api/v1/users/me
{"preferences":{"locations":["Nai\trobi"]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.locations"


=== TEST 19: PATCH {"preferences":{"locations":{"city":"Nairobi"}}}: 422 naming preferences.locations
--- request
PATCH /api/v1/users/me
{"preferences":{"locations":{"city":"Nairobi"}}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.locations"


=== TEST 20: PATCH {"preferences":{"notifications":[]}}: 422 naming preferences.notifications
--- request
PATCH /api/v1/users/me
{"preferences":{"notifications":[]}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.notifications"


=== TEST 21: PATCH {"preferences":{"notifications":{"push":1}}}: 422 naming preferences.notifications.push
--- request
PATCH /api/v1/users/me
{"preferences":{"notifications":{"push":1}}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.notifications\.push"


=== TEST 22: PATCH {"preferences":{"notifications":{"email":"yes"}}}: 422 naming preferences.notifications.email
--- request
PATCH /api/v1/users/me
{"preferences":{"notifications":{"email":"yes"}}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.notifications\.email"


=== TEST 23: PATCH {"preferences":{"notifications":{"email_...: 422 naming preferences.notifications.email_digest
--- request
PATCH /api/v1/users/me
{"preferences":{"notifications":{"email_digest":"weekly"}}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.notifications\.email_digest"


=== TEST 24: PATCH {"preferences":{"notifications":{"sms":true}}}: 422 naming preferences.notifications.sms
--- request
PATCH /api/v1/users/me
{"preferences":{"notifications":{"sms":true}}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.notifications\.sms"


=== TEST 25: PATCH {"preferences":{"min_score":101}}: 422 naming preferences.min_score
--- request
PATCH /api/v1/users/me
{"preferences":{"min_score":101}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.min_score"


=== TEST 26: PATCH {"preferences":{"min_score":-1}}: 422 naming preferences.min_score
--- request
PATCH /api/v1/users/me
{"preferences":{"min_score":-1}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.min_score"


=== TEST 27: PATCH {"preferences":{"min_score":50.5}}: 422 naming preferences.min_score
--- request
PATCH /api/v1/users/me
{"preferences":{"min_score":50.5}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.min_score"


=== TEST 28: PATCH {"preferences":{"min_score":"50"}}: 422 naming preferences.min_score
--- request
PATCH /api/v1/users/me
{"preferences":{"min_score":"50"}}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"preferences\.min_score"


=== TEST 29: PUT /users/me/fcm-token, token "": 422
--- request
PUT /api/v1/users/me/fcm-token
{"token":""}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"token"


=== TEST 30: PUT /users/me/fcm-token, token "token with spaces": 422
--- request
PUT /api/v1/users/me/fcm-token
{"token":"token with spaces"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"token"


=== TEST 31: PUT /users/me/fcm-token, a token of 4,097 characters: 422
--- request eval
'PUT /api/v1/users/me/fcm-token' . "\n" . '{"token":"' . ('a' x 4097) . '"}'
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"token"


=== TEST 32: PUT /users/me/fcm-token, token quote"d: 422
--- request
PUT /api/v1/users/me/fcm-token
{"token":"quote\"d"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"token"


=== TEST 33: PUT /users/me/fcm-token, token "<script>": 422
--- request
PUT /api/v1/users/me/fcm-token
{"token":"<script>"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"token"


=== TEST 34: an unknown field beside the device token: 422
--- request
PUT /api/v1/users/me/fcm-token
{"platform":"ios","token":"dGVzdA:APA91bHxyz"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"platform"


=== TEST 35: PATCH with broken JSON: 400
--- request
PATCH /api/v1/users/me
{"full_name": "A", 
--- error_code: 400
--- response_body_like: "code":"invalid_json"


