# /api/v1/admin/sources and the scrape logs, request by request: a config
# the adapter catalogue refuses is a 422 naming the refused path and why,
# and every other malformed input a JSON 4xx naming what is wrong; the
# flows and what is written are t/102_admin_sources.t's.
use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1
use JobScout::Psql;
use JobScout::Admin;

my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});

our $Admin = account($db, 'sources-ops', 1);
our $User = account($db, 'sources-user', 0);
our $Company = $db->query("INSERT INTO companies (name, slug)"
                          . " VALUES ('Sources', 'sources-$$') RETURNING id");
our $Source = $db->query("INSERT INTO job_sources (company_id, scraper_class,"
    . " source_url, config) VALUES ('$Company', 'html',"
    . " 'https://sources.example/jobs',"
    . " '{\"list\": \"//li\", \"fields\": {\"title\": \"h2\"}}')"
    . " RETURNING id");
our $Board = $db->query("INSERT INTO job_sources (company_id, scraper_class,"
    . " source_url) VALUES ('$Company', 'greenhouse', 'sources-$$')"
    . " RETURNING id");
our $Unknown = '5b0c2c37-59b8-4c36-9a8c-1a8e0f8d0f00';
our $Invalid = invalid();

# a creation's body: company, adapter and URL, with more fields or others
sub source {
    my ($more) = @_;
    return "POST /api/v1/admin/sources\n{\"company_id\":\"$Company\","
         . "\"scraper_class\":\"greenhouse\","
         . "\"source_url\":\"https://boards-api.example/acme\"$more}";
}

admin_blocks($Admin);

no_shuffle();
no_root_location();
run_tests();

__DATA__

=== TEST 1: no token: 401
--- request
GET /api/v1/admin/sources
--- more_headers
Accept: application/json
--- error_code: 401
--- response_body_like: "code":"unauthorized"


=== TEST 2: a user's token: 403
--- request
GET /api/v1/admin/scrape-logs
--- more_headers eval: $::User
--- error_code: 403
--- response_body_like: ^\{"error":\{"code":"forbidden","message":"administrators only"


=== TEST 3: a body that is not JSON: 400
--- request
POST /api/v1/admin/sources
{"company_id":
--- error_code: 400
--- response_body_like: "code":"invalid_json"


=== TEST 4: a 2 MB body: 413 in JSON (as configured in conf/nginx.conf)
--- config
    error_page 400 408 413 /_jobscout/error;
    location = /_jobscout/error { jobscout_api; }
    location / { client_max_body_size 1m; jobscout_api; }
--- request eval
::source(',"config":{"include_keywords":["' . ('k' x (2 * 1024 * 1024)) . '"]}')
--- error_code: 413
--- response_body_like: "code":"payload_too_large"


=== TEST 5: an adapter the catalogue does not have
--- request eval
::source('') =~ s/greenhouse/taleo/r
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'scraper_class: unknown adapter', 'scraper_class'


=== TEST 6: no adapter
--- request eval
"POST /api/v1/admin/sources\n{\"company_id\":\"$::Company\",\"source_url\":\"https://x.example/\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'scraper_class: is required', 'scraper_class'


=== TEST 7: an invalid selector: the path and the reason
--- request eval
"POST /api/v1/admin/sources\n{\"company_id\":\"$::Company\",\"scraper_class\":\"html\",\"source_url\":\"https://x.example/\",\"config\":{\"list\":\"//div[\",\"fields\":{\"title\":\"h2\"}}}"
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"validation_failed","message":"config\.list: invalid selector: .+","field":"config\.list",


=== TEST 8: an invalid field selector
--- request eval
"POST /api/v1/admin/sources\n{\"company_id\":\"$::Company\",\"scraper_class\":\"html\",\"source_url\":\"https://x.example/\",\"config\":{\"list\":\"//li\",\"fields\":{\"title\":\"h2[[\"}}}"
--- error_code: 422
--- response_body_like: "field":"config\.fields\.title"


=== TEST 9: html without a title selector
--- request eval
"POST /api/v1/admin/sources\n{\"company_id\":\"$::Company\",\"scraper_class\":\"html\",\"source_url\":\"https://x.example/\",\"config\":{\"list\":\"//li\",\"fields\":{\"url\":\"a\"}}}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'config.fields.title: is required', 'config.fields.title'


=== TEST 10: greenhouse takes no selectors
--- request eval
::source(',"config":{"list":"//li"}')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'config.list: unknown key', 'config.list'


=== TEST 11: a config key of the wrong type
--- request eval
::source(',"config":{"include_keywords":"go"}')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'config.include_keywords: must be an array of non-empty strings', 'config.include_keywords'


=== TEST 12: a config that is not an object
--- request eval
::source(',"config":"{}"')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'config: must be an object', 'config'


=== TEST 13: a source URL that is not http
--- request eval
"POST /api/v1/admin/sources\n{\"company_id\":\"$::Company\",\"scraper_class\":\"rss\",\"source_url\":\"file:///etc/passwd\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'source_url: must be an absolute http or https URL', 'source_url'


=== TEST 14: no source URL
--- request eval
"POST /api/v1/admin/sources\n{\"company_id\":\"$::Company\",\"scraper_class\":\"rss\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'source_url: is required', 'source_url'


=== TEST 15: a company id that is a number
--- request eval
::source('') =~ s/"$::Company"/17/r
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'company_id: must be a string', 'company_id'


=== TEST 16: a company id that is not an id
--- request eval
::source('') =~ s/$::Company/sources/r
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, "company_id: must be a company's id", 'company_id'


=== TEST 17: a company that does not exist
--- request eval
::source('') =~ s/$::Company/$::Unknown/r
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'company_id: no such company', 'company_id'


=== TEST 18: a priority of neither kind
--- request eval
::source(',"priority":"low"')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'priority: must be high or normal', 'priority'


=== TEST 19: an interval of a second over a week
--- request eval
::source(',"scrape_interval_seconds":604801')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'scrape_interval_seconds: must be an integer from 60 to 604800 \(a week\), or null', 'scrape_interval_seconds'


=== TEST 20: an interval that is not an integer
--- request eval
::source(',"scrape_interval_seconds":90.5')
--- error_code: 422
--- response_body_like: "field":"scrape_interval_seconds"


=== TEST 21: an interval past any integer: not JSON this server reads
--- request eval
::source(',"scrape_interval_seconds":99999999999999999999')
--- error_code: 400
--- response_body_like: "code":"invalid_json","message":"invalid JSON at line 1, column \d+: too big integer


=== TEST 22: an unknown field
--- request eval
::source(',"webhook_secret":"s3cret"')
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'webhook_secret: unknown field', 'webhook_secret'


=== TEST 23: created: 201
--- request eval
::source(',"priority":"high","scrape_interval_seconds":600,"config":{"include_keywords":["engineer"]}')
--- error_code: 201
--- response_body_like eval
qr/^\{"id" : "[0-9a-f-]{36}", "company" : \{"id" : "$::Company", "slug" : "sources-$$", "name" : "Sources"\}, "scraper_class" : "greenhouse", "source_url" : "https:\/\/boards-api.example\/acme", "config" : \{"include_keywords": \["engineer"\]\}, "priority" : "high", "scrape_interval_seconds" : 600, "is_active" : true, "health_status" : "healthy", "consecutive_failures" : 0, "last_error" : null, "last_scraped_at" : null, "polling" : \{"next_check_at" : null, "reason" : null, "fetch_host" : null, "last_success_at" : null, "last_changed_at" : null, "changes" : 0.000, "hours_observed" : 0.000, "quiet_polls" : 0\}, "webhook" : \{"configured" : false, "created_at" : null\}, "created_at" : "[^"]+", "updated_at" : "[^"]+"\}$/


=== TEST 24: get: a malformed id is 404
--- request
GET /api/v1/admin/sources/greenhouse
--- error_code: 404
--- response_body_like: "code":"not_found","message":"no such source"


=== TEST 25: get: an unknown id is 404
--- request eval
"GET /api/v1/admin/sources/$::Unknown"
--- error_code: 404
--- response_body_like: "message":"no such source"


=== TEST 26: list: a company that is not an id
--- request
GET /api/v1/admin/sources?company=acme
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, "company: must be a company's id", 'company'


=== TEST 27: list: a health that is none
--- request
GET /api/v1/admin/sources?health=ok
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'health: must be healthy, degraded or failing', 'health'


=== TEST 28: list: active neither true nor false
--- request
GET /api/v1/admin/sources?active=1
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'active: must be true or false', 'active'


=== TEST 29: list: an adapter name of 101 characters
--- request eval
"GET /api/v1/admin/sources?scraper_class=" . ('a' x 101)
--- error_code: 422
--- response_body_like: "field":"scraper_class"


=== TEST 30: list: a bad cursor
--- request
GET /api/v1/admin/sources?cursor=%%%
--- error_code: 422
--- response_body_like: "field":"cursor"


=== TEST 31: list: a limit that is not a number
--- request
GET /api/v1/admin/sources?limit=ten
--- error_code: 422
--- response_body_like: "field":"limit"


=== TEST 32: list: a filter given twice
--- request
GET /api/v1/admin/sources?health=healthy&health=failing
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'health: may be given once', 'health'


=== TEST 33: list: by company and adapter
--- request eval
"GET /api/v1/admin/sources?company=$::Company&scraper_class=html&active=true"
--- error_code: 200
--- response_body_like eval
qr/^\{"items":\[\{"id" : "$::Source", .*\}\],"next_cursor":null\}$/


=== TEST 34: update: a malformed id is 404
--- request
PATCH /api/v1/admin/sources/1
{"priority":"high"}
--- error_code: 404
--- response_body_like: "message":"no such source"


=== TEST 35: update: a config the stored adapter refuses
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"config\":{\"list\":\"//li\",\"fields\":{\"title\":\"h2\"},\"max_pages\":0}}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'config.max_pages: must be an integer from 1 to 100', 'config.max_pages'


=== TEST 36: update: an adapter the stored config does not suit
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"scraper_class\":\"lever\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'config.list: unknown key', 'config.list'


=== TEST 37: update: a null adapter
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"scraper_class\":null}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'scraper_class: must be a string', 'scraper_class'


=== TEST 38: update: a null source URL
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"source_url\":null}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'source_url: must be a string', 'source_url'


=== TEST 39: update: is_active is not a field here
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"is_active\":false}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'is_active: unknown field', 'is_active'


=== TEST 40: update: 200
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"scrape_interval_seconds\":86400}"
--- error_code: 200
--- response_body_like: "scrape_interval_seconds" : 86400,


=== TEST 41: deactivate: an unknown id is 404
--- request eval
"DELETE /api/v1/admin/sources/$::Unknown"
--- error_code: 404
--- response_body_like: "message":"no such source"


=== TEST 42: reactivate: a malformed id is 404
--- request
POST /api/v1/admin/sources/xyz/reactivate
--- error_code: 404
--- response_body_like: "message":"no such source"


=== TEST 43: reactivate: an argument it does not take
--- request eval
"POST /api/v1/admin/sources/$::Source/reactivate?force=1"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'force: unknown parameter', 'force'


=== TEST 44: logs: an unknown source is 404
--- request eval
"GET /api/v1/admin/sources/$::Unknown/logs"
--- error_code: 404
--- response_body_like: "message":"no such source"


=== TEST 45: logs: a status that is none
--- request eval
"GET /api/v1/admin/sources/$::Source/logs?status=error"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'status: must be success, partial or failed', 'status'


=== TEST 46: logs: none yet
--- request eval
"GET /api/v1/admin/sources/$::Source/logs?status=failed&since=2026-01-01"
--- error_code: 200
--- response_body: {"items":[],"next_cursor":null}


=== TEST 47: feed: a since that is no time
--- request
GET /api/v1/admin/scrape-logs?since=2026-13-01
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'since: is not a date \(2026-11-20\) or an RFC 3339 date-time \(2026-11-20T08:30:00Z\)', 'since'


=== TEST 48: feed: a source that is not an id
--- request
GET /api/v1/admin/scrape-logs?source=acme
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, "source: must be a source's id", 'source'


=== TEST 49: feed: a cursor of the wrong shape
--- request
GET /api/v1/admin/scrape-logs?cursor=MTIzfG5vdC1hLXV1aWQ
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'cursor: is not a valid cursor', 'cursor'


=== TEST 50: feed: an unknown argument
--- request
GET /api/v1/admin/scrape-logs?company=acme
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'company: unknown parameter', 'company'


=== TEST 51: feed: filtered, a page
--- request eval
"GET /api/v1/admin/scrape-logs?source=$::Source&status=success&since=2026-11-20T08:30:00%2B03:00&limit=100"
--- error_code: 200
--- response_body: {"items":[],"next_cursor":null}


=== TEST 52: a board token for an adapter that takes one: created as sent
--- request eval
::source('') =~ s{https://boards-api.example/acme}{acme-kenya.2}r
--- error_code: 201
--- response_body_like: "scraper_class" : "greenhouse", "source_url" : "acme-kenya\.2"


=== TEST 53: a board token for one that takes a URL only
--- request eval
::source(',"config":{"list":"//li","fields":{"title":"h2"}}')
    =~ s{"greenhouse","source_url":"https://boards-api.example/acme"}{"html","source_url":"acme"}r
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'source_url: must be an absolute http or https URL',
    'source_url'


=== TEST 54: a token with a character no board name has
--- request eval
::source('') =~ s{https://boards-api.example/acme}{acme/jobs}r
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, "source_url: must be an absolute http or https URL, or a board token: letters, digits, '.', '_' and '-'",
    'source_url'


=== TEST 55: a token sent alone to a source whose stored adapter takes none
--- request eval
"PATCH /api/v1/admin/sources/$::Source\n{\"source_url\":\"acme\"}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'source_url: must be an absolute http or https URL: the adapter takes no board token',
    'source_url'


=== TEST 56: an adapter that takes none, sent alone, over a stored token
--- request eval
"PATCH /api/v1/admin/sources/$::Board\n{\"scraper_class\":\"html\",\"config\":{\"list\":\"//li\",\"fields\":{\"title\":\"h2\"}}}"
--- error_code: 422
--- response_body_like eval
sprintf $::Invalid, 'source_url: must be an absolute http or https URL: the adapter takes no board token',
    'source_url'


=== TEST 57: a token sent alone to a source whose adapter takes one
--- request eval
"PATCH /api/v1/admin/sources/$::Board\n{\"source_url\":\"other-board\"}"
--- error_code: 200
--- response_body_like: "scraper_class" : "greenhouse", "source_url" : "other-board"
