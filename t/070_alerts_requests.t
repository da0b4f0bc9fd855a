# The alerts and applications routes, request by request: every refused
# argument or body field is a 422 naming it, before any query (so an
# alert id of no one's answers 422, not 404); broken JSON is a 400.  The
# flows, and another user's alerts, are t/070-t/072's.
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

=== TEST 1: GET /alerts?limit=0: 422 naming limit
--- request
GET /api/v1/alerts?limit=0
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 2: GET /alerts?limit=101: 422 naming limit
--- request
GET /api/v1/alerts?limit=101
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 3: GET /alerts?limit=ten: 422 naming limit
--- request
GET /api/v1/alerts?limit=ten
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 4: GET /alerts?limit=-1: 422 naming limit
--- request
GET /api/v1/alerts?limit=-1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 5: GET /alerts?limit=2&limit=3: 422 naming limit
--- request
GET /api/v1/alerts?limit=2&limit=3
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 6: GET /alerts?unread=yes: 422 naming unread
--- request
GET /api/v1/alerts?unread=yes
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"unread"


=== TEST 7: GET /alerts?saved=1: 422 naming saved
--- request
GET /api/v1/alerts?saved=1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"saved"


=== TEST 8: GET /alerts?status=applied: 422 naming status
--- request
GET /api/v1/alerts?status=applied
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"status"


=== TEST 9: GET /alerts?status=Hired: 422 naming status
--- request
GET /api/v1/alerts?status=Hired
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"status"


=== TEST 10: GET /alerts?cursor=: 422 naming cursor
--- request
GET /api/v1/alerts?cursor=
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 11: GET /alerts?cursor=%%%: 422 naming cursor
--- request
GET /api/v1/alerts?cursor=%%%
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 12: GET /alerts?cursor=bm90IGEgY3Vyc29y: 422 naming cursor
--- request
GET /api/v1/alerts?cursor=bm90IGEgY3Vyc29y
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 13: GET /alerts?cursor=MTJ8MTIzZTQ1NjctZTg5Yi00MmQzLWE0NTYtNDI2NjE0MTc0MDAwfHg: 422 naming cursor
--- request
GET /api/v1/alerts?cursor=MTJ8MTIzZTQ1NjctZTg5Yi00MmQzLWE0NTYtNDI2NjE0MTc0MDAwfHg
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 14: GET /alerts?cursor=MTJ8bm90LWEtdXVpZA: 422 naming cursor
--- request
GET /api/v1/alerts?cursor=MTJ8bm90LWEtdXVpZA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 15: GET /alerts?cursor=MS41fDEyM2U0NTY3LWU4OWItNDJkMy1hNDU2LTQyNjYxNDE3NDAwMA: 422 naming cursor
--- request
GET /api/v1/alerts?cursor=MS41fDEyM2U0NTY3LWU4OWItNDJkMy1hNDU2LTQyNjYxNDE3NDAwMA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 16: GET /alerts?sort=oldest: 422 naming sort
--- request
GET /api/v1/alerts?sort=oldest
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"sort"


=== TEST 17: unread-count takes no argument
--- request
GET /api/v1/alerts/unread-count?x=1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"x"


=== TEST 18: PATCH {}: 422
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{}
--- error_code: 422
--- response_body_like: "code":"validation_failed"


=== TEST 19: PATCH {"is_saved":"yes"}: 422 naming is_saved
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"is_saved":"yes"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"is_saved"


=== TEST 20: PATCH {"is_read":1}: 422 naming is_read
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"is_read":1}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"is_read"


=== TEST 21: PATCH {"is_applied":null}: 422 naming is_applied
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"is_applied":null}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"is_applied"


=== TEST 22: PATCH {"notes":"xxxxxxxxxxxxxxxxxxxx..."}: 422 naming notes
--- request eval
'PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000' . "\n" . '{"notes":"' . ('x' x 2001) . '"}'
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"notes"


=== TEST 23: PATCH {"notes":"a\u0007b"}: 422 naming notes
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"notes":"a\u0007b"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"notes"


=== TEST 24: PATCH {"notes":[]}: 422 naming notes
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"notes":[]}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"notes"


=== TEST 25: PATCH {"match_score":99}: 422 naming match_score
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"match_score":99}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"match_score"


=== TEST 26: PATCH {"id":"123e4567-e89b-42d3-a456-426614174000"}: 422 naming id
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"id":"123e4567-e89b-42d3-a456-426614174000"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"id"


=== TEST 27: PATCH with a JSON array: 422
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
[true]
--- error_code: 422
--- response_body_like: "code":"validation_failed"


=== TEST 28: PATCH with broken JSON: 400
--- request
PATCH /api/v1/alerts/123e4567-e89b-42d3-a456-426614174000
{"is_read":tru
--- error_code: 400
--- response_body_like: "code":"invalid_json"


=== TEST 29: GET /applications?limit=0: 422 naming limit
--- request
GET /api/v1/applications?limit=0
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 30: GET /applications?status=Hired: 422 naming status
--- request
GET /api/v1/applications?status=Hired
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"status"


=== TEST 31: GET /applications?cursor=abc: 422 naming cursor
--- request
GET /api/v1/applications?cursor=abc
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 32: GET /applications?unread=true: 422 naming unread
--- request
GET /api/v1/applications?unread=true
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"unread"


=== TEST 33: POST /applications {"company":"A"}: 422 naming title
--- request
POST /api/v1/applications
{"company":"A"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"title"


=== TEST 34: POST /applications {"title":"A"}: 422 naming company
--- request
POST /api/v1/applications
{"title":"A"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"company"


=== TEST 35: POST /applications {"company":"A","title":"   "}: 422 naming title
--- request
POST /api/v1/applications
{"company":"A","title":"   "}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"title"


=== TEST 36: POST /applications {"company":"A","title":"x" x 301}: 422 naming title
--- request eval
'POST /api/v1/applications' . "\n" . '{"company":"A","title":"' . ('x' x 301) . '"}'
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"title"


=== TEST 37: POST /applications {"company":"A","title":"A\nB"}: 422 naming title
--- request
POST /api/v1/applications
{"company":"A","title":"A\nB"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"title"


=== TEST 38: POST /applications {"company":7,"title":"A"}: 422 naming company
--- request
POST /api/v1/applications
{"company":7,"title":"A"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"company"


=== TEST 39: POST /applications {"company":"A","title":"A","url":"ftp://x.org/"}: 422 naming url
--- request
POST /api/v1/applications
{"company":"A","title":"A","url":"ftp://x.org/"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"url"


=== TEST 40: POST /applications {"company":"A","title":"A","url":"javascript:alert(1)"}: 422 naming url
--- request
POST /api/v1/applications
{"company":"A","title":"A","url":"javascript:alert(1)"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"url"


=== TEST 41: POST /applications {"company":"A","title":"A","url":"https://x.org/a b"}: 422 naming url
--- request
POST /api/v1/applications
{"company":"A","title":"A","url":"https://x.org/a b"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"url"


=== TEST 42: POST /applications {"company":"A","title":"A","url":"https://"}: 422 naming url
--- request
POST /api/v1/applications
{"company":"A","title":"A","url":"https://"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"url"


=== TEST 43: POST /applications {"company":"A","notes":{},"title":"A"}: 422 naming notes
--- request
POST /api/v1/applications
{"company":"A","notes":{},"title":"A"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"notes"


=== TEST 44: POST /applications {"company":"A","status":"Offer","title":"A"}: 422 naming status
--- request
POST /api/v1/applications
{"company":"A","status":"Offer","title":"A"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"status"


=== TEST 45: POST /applications {"company":"A","title":"A","user_id":"12...: 422 naming user_id
--- request
POST /api/v1/applications
{"company":"A","title":"A","user_id":"123e4567-e89b-42d3-a456-426614174000"}
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"user_id"


