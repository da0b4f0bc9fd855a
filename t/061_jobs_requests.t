# The jobs and companies routes, request by request: every malformed,
# mistyped or unknown parameter is a 422 naming it, before any query; an
# id or slug that is no job or company is a 404.  The listings themselves
# are t/061_jobs.t's.
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

=== TEST 1: ?limit=0: 422 naming limit
--- request
GET /api/v1/jobs?limit=0
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 2: ?limit=101: 422 naming limit
--- request
GET /api/v1/jobs?limit=101
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 3: ?limit=abc: 422 naming limit
--- request
GET /api/v1/jobs?limit=abc
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 4: ?limit=-1: 422 naming limit
--- request
GET /api/v1/jobs?limit=-1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 5: ?limit=1.5: 422 naming limit
--- request
GET /api/v1/jobs?limit=1.5
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 6: ?limit=+5: 422 naming limit
--- request
GET /api/v1/jobs?limit=+5
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 7: ?limit=1&limit=2: 422 naming limit
--- request
GET /api/v1/jobs?limit=1&limit=2
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 8: ?limit=: 422 naming limit
--- request
GET /api/v1/jobs?limit=
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 9: ?limit: 422 naming limit
--- request
GET /api/v1/jobs?limit
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 10: ?limit=99999999999999999999999: 422 naming limit
--- request
GET /api/v1/jobs?limit=99999999999999999999999
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


=== TEST 11: ?cursor=!!!: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=!!!
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 12: ?cursor=aGVsbG8: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=aGVsbG8
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 13: ?cursor=MTIzfG5vdC1hLXV1aWQ: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MTIzfG5vdC1hLXV1aWQ
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 14: ?cursor=MTJ4fDAwMDAwMDAwLTAwMDAtNDAwMC04M...: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MTJ4fDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 15: ?cursor=fDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=fDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 16: ?cursor=MXwyfDAwMDAwMDAwLTAwMDAtNDAwMC04M...: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MXwyfDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 17: ?cursor=MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDB8: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDB8
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 18: ?cursor=MSB8MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MSB8MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 19: ?cursor=MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA=: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA=
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 20: ?cursor=MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDB: 422 naming cursor
--- request
GET /api/v1/jobs?cursor=MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDB
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 21: ?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...: 422 naming cursor
--- request eval
'GET /api/v1/jobs?cursor=' . ('A' x 300)
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 22: ?q=x&sort=relevance&cursor=bmFufDF8MDAwMD...: 422 naming cursor
--- request
GET /api/v1/jobs?q=x&sort=relevance&cursor=bmFufDF8MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 23: ?q=x&sort=relevance&cursor=MWU5OXwxfDAwMD...: 422 naming cursor
--- request
GET /api/v1/jobs?q=x&sort=relevance&cursor=MWU5OXwxfDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 24: ?q=x&sort=relevance&cursor=LTF8MXwwMDAwMD...: 422 naming cursor
--- request
GET /api/v1/jobs?q=x&sort=relevance&cursor=LTF8MXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"cursor"


=== TEST 25: ?sort=oldest: 422 naming sort
--- request
GET /api/v1/jobs?sort=oldest
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"sort"


=== TEST 26: ?sort=relevance: 422 naming sort
--- request
GET /api/v1/jobs?sort=relevance
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"sort"


=== TEST 27: ?company=Bad_Slug: 422 naming company
--- request
GET /api/v1/jobs?company=Bad_Slug
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"company"


=== TEST 28: ?company=-a: 422 naming company
--- request
GET /api/v1/jobs?company=-a
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"company"


=== TEST 29: ?company=c1&company=c2&company=c3&company...: 422 naming company
--- request
GET /api/v1/jobs?company=c1&company=c2&company=c3&company=c4&company=c5&company=c6&company=c7&company=c8&company=c9&company=c10&company=c11&company=c12&company=c13&company=c14&company=c15&company=c16&company=c17&company=c18&company=c19&company=c20&company=c21
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"company"


=== TEST 30: ?location=: 422 naming location
--- request
GET /api/v1/jobs?location=
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 31: ?location=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...: 422 naming location
--- request eval
'GET /api/v1/jobs?location=' . ('x' x 101)
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 32: ?location_type=space: 422 naming location_type
--- request
GET /api/v1/jobs?location_type=space
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location_type"


=== TEST 33: ?location_type=Remote: 422 naming location_type
--- request
GET /api/v1/jobs?location_type=Remote
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location_type"


=== TEST 34: ?q=qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq...: 422 naming q
--- request eval
'GET /api/v1/jobs?q=' . ('q' x 201)
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"q"


=== TEST 35: ?posted_since=yesterday: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=yesterday
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 36: ?posted_since=2026-02-30: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=2026-02-30
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 37: ?posted_since=2026-11-20T25:00:00Z: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=2026-11-20T25:00:00Z
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 38: ?posted_since=2026-11-20T10:00:00: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=2026-11-20T10:00:00
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 39: ?posted_since=2026-11-20T10:00:00.Z: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=2026-11-20T10:00:00.Z
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 40: ?posted_since=1969-12-31: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=1969-12-31
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 41: ?posted_since=now: 422 naming posted_since
--- request
GET /api/v1/jobs?posted_since=now
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"posted_since"


=== TEST 42: ?salary_min=-1: 422 naming salary_min
--- request
GET /api/v1/jobs?salary_min=-1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"salary_min"


=== TEST 43: ?salary_min=1e6: 422 naming salary_min
--- request
GET /api/v1/jobs?salary_min=1e6
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"salary_min"


=== TEST 44: ?salary_min=1000000000000: 422 naming salary_min
--- request
GET /api/v1/jobs?salary_min=1000000000000
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"salary_min"


=== TEST 45: ?currency=KE: 422 naming currency
--- request
GET /api/v1/jobs?currency=KE
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"currency"


=== TEST 46: ?currency=K3S: 422 naming currency
--- request
GET /api/v1/jobs?currency=K3S
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"currency"


=== TEST 47: ?skill=sssssssssssssssssssssssssssssssssssssssssssssssssss: 422 naming skill
--- request
GET /api/v1/jobs?skill=sssssssssssssssssssssssssssssssssssssssssssssssssss
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"skill"


=== TEST 48: ?skill=s1&skill=s2&skill=s3&skill=s4&skil...: 422 naming skill
--- request
GET /api/v1/jobs?skill=s1&skill=s2&skill=s3&skill=s4&skill=s5&skill=s6&skill=s7&skill=s8&skill=s9&skill=s10&skill=s11
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"skill"


=== TEST 49: ?foo=1: 422 naming foo
--- request
GET /api/v1/jobs?foo=1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"foo"


=== TEST 50: ?Limit=1: 422 naming Limit
--- request
GET /api/v1/jobs?Limit=1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"Limit"


=== TEST 51: ?location=%zz: 422 naming location
--- request
GET /api/v1/jobs?location=%zz
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 52: ?location=%4: 422 naming location
--- request
GET /api/v1/jobs?location=%4
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 53: ?location=a%00b: 422 naming location
--- request
GET /api/v1/jobs?location=a%00b
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 54: ?location=%ff: 422 naming location
--- request
GET /api/v1/jobs?location=%ff
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 55: ?location=a%0Ab: 422 naming location
--- request
GET /api/v1/jobs?location=a%0Ab
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"location"


=== TEST 56: ?q=%ed%a0%80: 422 naming q
--- request
GET /api/v1/jobs?q=%ed%a0%80
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"q"


=== TEST 57: ?%ff=1: 422 naming query
--- request
GET /api/v1/jobs?%ff=1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"query"


=== TEST 58: GET /jobs/00000000-0000-4000-8000-000000000000: 404
--- request
GET /api/v1/jobs/00000000-0000-4000-8000-000000000000
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 59: GET /jobs/abc: 404
--- request
GET /api/v1/jobs/abc
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 60: GET /jobs/1: 404
--- request
GET /api/v1/jobs/1
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 61: GET /jobs/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz: 404
--- request
GET /api/v1/jobs/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 62: GET /jobs/00000000000000000000000000000000000x: 404
--- request
GET /api/v1/jobs/00000000000000000000000000000000000x
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 63: GET /companies/nope-x: 404
--- request
GET /api/v1/companies/nope-x
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 64: GET /companies/nope-x/jobs: 404
--- request
GET /api/v1/companies/nope-x/jobs
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 65: GET /companies/Bad_Slug: 404
--- request
GET /api/v1/companies/Bad_Slug
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 66: GET /companies/Bad_Slug/jobs: 404
--- request
GET /api/v1/companies/Bad_Slug/jobs
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 67: GET /companies/-a: 404
--- request
GET /api/v1/companies/-a
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 68: GET /companies/-a/jobs: 404
--- request
GET /api/v1/companies/-a/jobs
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 69: GET /companies/a--b: 404
--- request
GET /api/v1/companies/a--b
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 70: GET /companies/a--b/jobs: 404
--- request
GET /api/v1/companies/a--b/jobs
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 71: GET /companies/a slug of 101 characters: 404
--- request eval
'GET /api/v1/companies/' . ('x' x 101)
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 72: GET /companies/a slug of 101 characters/jobs: 404
--- request eval
'GET /api/v1/companies/' . ('x' x 101) . '/jobs'
--- error_code: 404
--- response_body_like: "code":"not_found"


=== TEST 73: GET /companies takes no parameter
--- request
GET /api/v1/companies?limit=1
--- error_code: 422
--- response_body_like: "code":"validation_failed","message":"[^"]*","field":"limit"


