
/*
 * Job Scout: what operators ask of jobscoutd through Redis.
 *
 *   POST /admin/sources/{id}/scrape     a run now, on scrape:high: never
 *                                       queued twice (the scheduler's
 *                                       pending key), once a minute at most
 *   POST /admin/sources/test            a dry run of a source definition,
 *   POST /admin/sources/{id}/test       or of a saved source: jobscoutd
 *                                       answers on a reply list, which a
 *                                       timer polls (nothing blocks)
 *   /admin/dead-letters[/{id}]          the tasks that failed for good:
 *                                       list, show, requeue, delete
 *
 * No route answers or changes anything before PostgreSQL checked its
 * caller, as every admin route does, so that a demotion counts at once.
 * A run now is audited in that statement, before Redis is asked: the
 * audit holds the request, the answer says whether it was queued.
 *
 * A dead letter is changed in three steps: Redis finds it; one statement
 * checks the caller and writes the audit with the task as it is; then
 * Redis removes it, only if it is still there unchanged (LREM of the very
 * entry).  The audit comes before the change, since the two stores cannot
 * commit together: a change is never left unrecorded, at the price of an
 * audit row for an attempt that lost a race with another operator (it
 * is answered 404).
 */


#include "ngx_http_jobscout.h"
#include "jobscout_task.h"


/* + "<trigger>:<source id>": a run of that trigger was queued lately */
#define NGX_HTTP_JOBSCOUT_SCRAPE_RATE_PREFIX  "jobscout:scrape:"


#define NGX_HTTP_JOBSCOUT_TEST_POLL           100     /* ms */

/* dead letters are scanned in chunks of this many */
#define NGX_HTTP_JOBSCOUT_DEAD_CHUNK          "100"

/* the cursor's id when the last item of a page has none (not a task) */
#define NGX_HTTP_JOBSCOUT_DEAD_NO_ID  "00000000-0000-0000-0000-000000000000"


/* one route's state, from its first statement to its answer */

typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                    **values;
    const char                     *missing;    /* the 404's message */
    ngx_str_t                       id;         /* source or task id */

    /* dry runs */
    ngx_str_t                       reply;      /* the reply list */
    ngx_int_t                       max_pages;
    ngx_msec_t                      deadline;
    ngx_event_t                     poll;

    /* dead letters */
    ngx_int_t                       limit;
    ngx_str_t                       offset;     /* the cursor's */
    ngx_str_t                       last;       /* its id, "" if none */
    ngx_str_t                       raw;        /* the entry as found */
    ngx_str_t                       queue;      /* where it goes back */
    char                           *requeued;   /* the entry put back */
    unsigned                        change:1;   /* requeue or delete */
    unsigned                        requeue:1;
} ngx_http_jobscout_admin_task_t;


static ngx_http_jobscout_admin_task_t *ngx_http_jobscout_admin_task_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx, ngx_uint_t nvalues,
    const char *missing);
static ngx_int_t ngx_http_jobscout_admin_task_query(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st, ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler);
static ngx_int_t ngx_http_jobscout_admin_redis(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data, ngx_uint_t argc,
    ngx_str_t *argv);
static ngx_int_t ngx_http_jobscout_admin_unavailable(ngx_http_request_t *r);

static void ngx_http_jobscout_admin_scrape_checked(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_admin_scrape_queued(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);

static ngx_int_t ngx_http_jobscout_admin_test_pages(
    ngx_http_jobscout_ctx_t *ctx, ngx_int_t *pages);
static void ngx_http_jobscout_admin_test_defined(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_admin_test_queued(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_admin_test_poll(ngx_event_t *ev);
static void ngx_http_jobscout_admin_test_polled(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_admin_test_expired(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_admin_test_late(ngx_http_request_t *r);
static void ngx_http_jobscout_admin_test_cleanup(void *data);

static ngx_int_t ngx_http_jobscout_admin_dead_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_task_t *st);
static ngx_int_t ngx_http_jobscout_admin_hex(u_char *p, size_t n);
static ngx_int_t ngx_http_jobscout_admin_dead_page(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static void ngx_http_jobscout_admin_dead_paged(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_admin_dead_find(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_admin_dead_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t change, ngx_uint_t requeue);
static ngx_int_t ngx_http_jobscout_admin_dead_eval(ngx_http_request_t *r,
    const char *script, ngx_http_jobscout_redis_handler_pt handler,
    ngx_http_jobscout_admin_task_t *st, ngx_uint_t nargs, ngx_str_t *args);
static void ngx_http_jobscout_admin_dead_found(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static json_t *ngx_http_jobscout_admin_dead_item(redisReply *entry);
static const char *ngx_http_jobscout_admin_dead_requeued(
    ngx_http_request_t *r, ngx_http_jobscout_admin_task_t *st, json_t *task);
static ngx_int_t ngx_http_jobscout_admin_dead_audit(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st);
static void ngx_http_jobscout_admin_dead_audited(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_admin_dead_done(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);


/*
 * KEYS: the rate key, the pending key, the queue.  ARGV: the rate
 * interval (s), the task, its id, the pending key's lifetime (s).
 */

static const char  ngx_http_jobscout_queue_scrape_lua[] =
    "local ttl = redis.call('TTL', KEYS[1])"
    " if ttl ~= -2 then"
    "   if ttl < 1 then ttl = tonumber(ARGV[1]) end"
    "   return {0, ttl}"
    " end"
    " if not redis.call('SET', KEYS[2], '" JOBSCOUT_QUEUE_SCRAPE_HIGH "',"
    "                   'NX', 'EX', ARGV[4]) then"
    "   return {2, 0}"
    " end"
    " redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])"
    " redis.call('LPUSH', KEYS[3], ARGV[2])"
    " return {1, ARGV[3]}";

/*
 * The id of a dead letter, nil for an entry that is not a task; then the
 * position of the one with id ARGV[1] (0-based), or nil.  Shared by the
 * scripts below.  KEYS[1]: the dead letters.
 */

#define NGX_HTTP_JOBSCOUT_DEAD_FIND_LUA                                      \
    "local function id_of(raw)"                                              \
    "  local ok, t = pcall(cjson.decode, raw)"                               \
    "  if ok and type(t) == 'table' then return t['id'] end"                 \
    " end"                                                                   \
    " local function find(id)"                                               \
    "  local n = redis.call('LLEN', KEYS[1])"                                \
    "  for i = 0, n - 1, " NGX_HTTP_JOBSCOUT_DEAD_CHUNK " do"                \
    "   local chunk = redis.call('LRANGE', KEYS[1], i,"                      \
    "                            i + " NGX_HTTP_JOBSCOUT_DEAD_CHUNK " - 1)"  \
    "   for j, raw in ipairs(chunk) do"                                      \
    "    if id_of(raw) == id then return i + j - 1 end"                      \
    "   end"                                                                 \
    "  end"                                                                  \
    " end"

/* ARGV: the id.  The entry, or nil. */

static const char  ngx_http_jobscout_dead_get_lua[] =
    NGX_HTTP_JOBSCOUT_DEAD_FIND_LUA
    " local at = find(ARGV[1])"
    " if at then return redis.call('LINDEX', KEYS[1], at) end";

/*
 * ARGV: the offset the cursor gives, the id of the entry before it ("" on
 * the first page), the limit.  Should entries have come or gone above
 * that entry since, the page starts after wherever it is now.  Returns
 * the start, then up to limit + 1 entries.
 */

static const char  ngx_http_jobscout_dead_page_lua[] =
    NGX_HTTP_JOBSCOUT_DEAD_FIND_LUA
    " local start = tonumber(ARGV[1])"
    " if ARGV[2] ~= '' then"
    "  local before = redis.call('LINDEX', KEYS[1], start - 1)"
    "  if not before or id_of(before) ~= ARGV[2] then"
    "   local at = find(ARGV[2])"
    "   if at then start = at + 1 end"
    "  end"
    " end"
    " local page = redis.call('LRANGE', KEYS[1], start,"
    "                         start + tonumber(ARGV[3]))"
    " table.insert(page, 1, start)"
    " return page";

/* KEYS: the dead letters, the queue.  ARGV: the entry, its requeued form */

static const char  ngx_http_jobscout_dead_requeue_lua[] =
    "if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end"
    " redis.call('LPUSH', KEYS[2], ARGV[2])"
    " return 1";


/* a run now: the source exists and is active, the request audited */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_scrape_stmt = {
    "admin_sources_scrape",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " source AS (SELECT s.id, s.is_active AND c.is_active AS active"
    "   FROM job_sources s JOIN companies c ON c.id = s.company_id"
    "  WHERE s.id = $3::uuid AND EXISTS (SELECT FROM admin)),"
    " changed AS (SELECT id AS target_id, NULL::jsonb AS before,"
    "        jsonb_build_object('trigger', 'manual') AS after"
    "   FROM source WHERE active),"
    " " NGX_HTTP_JOBSCOUT_SQL_AUDIT("source.scrape", "source", "changed")
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 409, 'the source is inactive'::text FROM source WHERE NOT active"
    " UNION ALL"
    " SELECT 200, NULL FROM source WHERE active",
    3, 0
};

/* what jobscoutd is given of a source to try: the task's args.source */

#define NGX_HTTP_JOBSCOUT_SQL_TEST_SOURCE(id, name, slug, class, url, config) \
    " SELECT 200, json_build_object('id', " id ", 'company_name', " name     \
    ",  'company_slug', " slug ", 'scraper_class', " class                   \
    ",  'source_url', " url ", 'config', " config ")::text"

/*
 * A definition sent: $3 its company (NULL: a placeholder "test"), $4 the
 * scraper class, $5 the URL, $6 the config.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_test_stmt = {
    "admin_sources_test",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    NGX_HTTP_JOBSCOUT_SQL_TEST_SOURCE("NULL::uuid", "c.name", "c.slug",
                                      "$4::text", "$5::text", "$6::jsonb")
    "   FROM companies c"
    "  WHERE c.id = $3::uuid AND EXISTS (SELECT FROM admin)"
    " UNION ALL"
    NGX_HTTP_JOBSCOUT_SQL_TEST_SOURCE("NULL::uuid", "'test'", "'test'",
                                      "$4::text", "$5::text", "$6::jsonb")
    "  WHERE $3::uuid IS NULL AND EXISTS (SELECT FROM admin)",
    6, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_test_saved_stmt = {
    "admin_sources_test_saved",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    NGX_HTTP_JOBSCOUT_SQL_TEST_SOURCE("s.id", "c.name", "c.slug",
                                      "s.scraper_class", "s.source_url",
                                      "s.config")
    "   FROM job_sources s JOIN companies c ON c.id = s.company_id"
    "  WHERE s.id = $3::uuid AND EXISTS (SELECT FROM admin)",
    3, 0
};

/*
 * A change of a dead letter, audited: $3 its id, $4 the task as found
 * (NULL: none has that id), $5 what it becomes (NULL: gone), $6 why it
 * cannot be done (NULL: it can).
 */

#define NGX_HTTP_JOBSCOUT_SQL_DEAD_CHANGE(action)                            \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","                                      \
    " changed AS (SELECT $3::text AS target_id, $4::jsonb AS before,"        \
    "        $5::jsonb AS after"                                             \
    "   FROM admin WHERE $4::jsonb IS NOT NULL AND $6::text IS NULL),"       \
    " " NGX_HTTP_JOBSCOUT_SQL_AUDIT(action, "task", "changed")               \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED                                       \
    " SELECT 404, 'no such dead letter'::text"                               \
    "   FROM admin WHERE $4::jsonb IS NULL"                                  \
    " UNION ALL"                                                             \
    " SELECT 409, $6::text"                                                  \
    "   FROM admin WHERE $4::jsonb IS NOT NULL AND $6::text IS NOT NULL"     \
    " UNION ALL"                                                             \
    " SELECT 200, NULL FROM changed"

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_requeue_stmt = {
    "admin_dead_requeue",
    NGX_HTTP_JOBSCOUT_SQL_DEAD_CHANGE("task.requeue"),
    6, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_delete_stmt = {
    "admin_dead_delete",
    NGX_HTTP_JOBSCOUT_SQL_DEAD_CHANGE("task.delete"),
    6, 0
};


static ngx_http_jobscout_admin_task_t *
ngx_http_jobscout_admin_task_new(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t nvalues, const char *missing)
{
    ngx_http_jobscout_admin_task_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_admin_task_t));
    if (st == NULL) {
        return NULL;
    }

    st->values = ngx_http_jobscout_admin_values(r, ctx, nvalues);
    if (st->values == NULL) {
        return NULL;
    }

    ctx->data = st;
    st->missing = missing;

    return st;
}


static ngx_int_t
ngx_http_jobscout_admin_task_query(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st, ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler)
{
    st->query.stmt = stmt;
    st->query.values = st->values;
    st->query.handler = handler;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


/* a command of argc words; hiredis copies them */

static ngx_int_t
ngx_http_jobscout_admin_redis(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data, ngx_uint_t argc,
    ngx_str_t *argv)
{
    size_t       *lens;
    ngx_uint_t    i;
    const char  **words;

    words = ngx_palloc(r->pool, argc * sizeof(char *));
    lens = ngx_palloc(r->pool, argc * sizeof(size_t));
    if (words == NULL || lens == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < argc; i++) {
        words[i] = (const char *) argv[i].data;
        lens[i] = argv[i].len;
    }

    return ngx_http_jobscout_redis_command(r, handler, data, (int) argc,
                                           words, lens);
}


static ngx_int_t
ngx_http_jobscout_admin_unavailable(ngx_http_request_t *r)
{
    return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                        "unavailable",
                                        "cannot reach the task queues now");
}


/* POST /admin/sources/{id}/scrape */

ngx_int_t
ngx_http_jobscout_admin_sources_scrape(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t                        rc;
    ngx_http_jobscout_admin_task_t  *st;

    st = ngx_http_jobscout_admin_task_new(r, ctx, 3, "no such source");
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_args_none(r, ctx) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &st->values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, st->missing);
    }

    st->id.data = (u_char *) st->values[2];
    st->id.len = ngx_strlen(st->values[2]);

    return ngx_http_jobscout_admin_task_query(r, st,
                                    &ngx_http_jobscout_admin_scrape_stmt,
                                    ngx_http_jobscout_admin_scrape_checked);
}


static void
ngx_http_jobscout_admin_scrape_checked(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_admin_task_t *st = q->data;

    if (ngx_http_jobscout_admin_ok(q, res, st->missing) != NGX_OK) {
        return;
    }

    if (ngx_http_jobscout_queue_scrape(q->request, &st->id, "manual", 60,
                                       ngx_http_jobscout_admin_scrape_queued,
                                       st)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(q->request,
                            ngx_http_jobscout_admin_unavailable(q->request));
    }
}


static void
ngx_http_jobscout_admin_scrape_queued(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    u_char              *p, message[80];
    json_t              *json;
    ngx_int_t            rc;
    ngx_table_elt_t     *h;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_INTEGER
        || reply->element[1]->type != (reply->element[0]->integer == 1
                                       ? REDIS_REPLY_STRING
                                       : REDIS_REPLY_INTEGER))
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    switch (reply->element[0]->integer) {

    case 1:
        json = json_pack("{s:s%,s:s%,s:s}",
                         "task_id", reply->element[1]->str,
                         (size_t) reply->element[1]->len,
                         "source_id", st->id.data, st->id.len,
                         "status", "queued");
        if (json == NULL) {
            rc = NGX_ERROR;
            break;
        }

        rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_ACCEPTED, json);
        json_decref(json);
        break;

    case 0:
        h = ngx_list_push(&r->headers_out.headers);
        p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
        if (h == NULL || p == NULL) {
            rc = NGX_ERROR;
            break;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Retry-After");
        h->value.data = p;
        h->value.len = ngx_sprintf(p, "%L", reply->element[1]->integer) - p;

        ngx_sprintf(message, "this source was queued moments ago: retry in "
                    "%L s%Z", reply->element[1]->integer);

        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                          "rate_limited", (char *) message);
        break;

    default:
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT,
                                          "already_pending",
                                          "a run of this source is queued "
                                          "or under way");
    }

    ngx_http_jobscout_finalize(r, rc);
}


ngx_int_t
ngx_http_jobscout_queue_scrape(ngx_http_request_t *r, ngx_str_t *source_id,
    const char *trigger, ngx_uint_t interval,
    ngx_http_jobscout_redis_handler_pt handler, void *data)
{
    char       *task;
    u_char     *rate, *pending, *seconds, id[32];
    ngx_int_t   rc;
    ngx_str_t   argv[10];

    if (ngx_http_jobscout_random_hex(id, 16) != NGX_OK) {
        return NGX_ERROR;
    }

    task = ngx_http_jobscout_task_json(JOBSCOUT_TASK_SCRAPE_SOURCE,
               json_pack("{s:s%,s:s}",
                         "source_id", source_id->data, source_id->len,
                         "trigger", trigger),
               id);

    rate = ngx_pnalloc(r->pool, sizeof(NGX_HTTP_JOBSCOUT_SCRAPE_RATE_PREFIX)
                                + ngx_strlen(trigger) + 1 + source_id->len);
    pending = ngx_pnalloc(r->pool, sizeof(JOBSCOUT_SCRAPE_PENDING_PREFIX)
                                   + source_id->len);
    seconds = ngx_pnalloc(r->pool, NGX_INT_T_LEN);

    if (task == NULL || rate == NULL || pending == NULL || seconds == NULL) {
        free(task);
        return NGX_ERROR;
    }

    ngx_str_set(&argv[0], "EVAL");
    argv[1].data = (u_char *) ngx_http_jobscout_queue_scrape_lua;
    argv[1].len = sizeof(ngx_http_jobscout_queue_scrape_lua) - 1;
    ngx_str_set(&argv[2], "3");
    argv[3].data = rate;
    argv[3].len = ngx_sprintf(rate, NGX_HTTP_JOBSCOUT_SCRAPE_RATE_PREFIX
                              "%s:%V", trigger, source_id) - rate;
    argv[4].data = pending;
    argv[4].len = ngx_sprintf(pending, JOBSCOUT_SCRAPE_PENDING_PREFIX "%V",
                              source_id) - pending;
    ngx_str_set(&argv[5], JOBSCOUT_QUEUE_SCRAPE_HIGH);
    argv[6].data = seconds;
    argv[6].len = ngx_sprintf(seconds, "%ui", interval) - seconds;
    argv[7].data = (u_char *) task;
    argv[7].len = ngx_strlen(task);
    argv[8].data = id;
    argv[8].len = sizeof(id);
    ngx_str_set(&argv[9], JOBSCOUT_SCRAPE_PENDING_TTL);

    rc = ngx_http_jobscout_admin_redis(r, handler, data, 10, argv);
    free(task);

    return rc;
}


/* POST /admin/sources/test {company_id?, scraper_class, source_url,
 * config?, max_pages?} */

ngx_int_t
ngx_http_jobscout_admin_sources_test(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    static const char  *allowed[] = { "company_id", "scraper_class",
                                      "source_url", "config", "max_pages",
                                      NULL };

    ngx_http_jobscout_admin_task_t  *st;

    st = ngx_http_jobscout_admin_task_new(r, ctx, 6, "no such company");
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_args_none(r, ctx) != NGX_OK
        || ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_admin_source_trial(r, ctx, &st->values[2])
           != NGX_OK
        || ngx_http_jobscout_admin_test_pages(ctx, &st->max_pages) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_admin_task_query(r, st,
                                    &ngx_http_jobscout_admin_test_stmt,
                                    ngx_http_jobscout_admin_test_defined);
}


/* POST /admin/sources/{id}/test?max_pages= */

ngx_int_t
ngx_http_jobscout_admin_sources_test_saved(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t                        rc;
    ngx_http_jobscout_arg_t          args[1];
    ngx_http_jobscout_admin_task_t  *st;

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "max_pages", 1 }, { NULL, 0 }
    };

    st = ngx_http_jobscout_admin_task_new(r, ctx, 3, "no such source");
    if (st == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(args, sizeof(args));
    st->max_pages = 1;

    if (ngx_http_jobscout_args_parse(r, ctx, specs, args) != NGX_OK
        || (args[0].n
            && ngx_http_jobscout_arg_int(ctx, "max_pages", &args[0].values[0],
                                         1, JOBSCOUT_SCRAPE_TEST_MAX_PAGES,
                                         &st->max_pages) != NGX_OK))
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &st->values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, st->missing);
    }

    return ngx_http_jobscout_admin_task_query(r, st,
                                    &ngx_http_jobscout_admin_test_saved_stmt,
                                    ngx_http_jobscout_admin_test_defined);
}


/* the body's max_pages: an integer 1..5, 1 when absent */

static ngx_int_t
ngx_http_jobscout_admin_test_pages(ngx_http_jobscout_ctx_t *ctx,
    ngx_int_t *pages)
{
    json_t  *value;

    value = json_object_get(ctx->body, "max_pages");

    if (value == NULL) {
        *pages = 1;
        return NGX_OK;
    }

    if (!json_is_integer(value) || json_integer_value(value) < 1
        || json_integer_value(value) > JOBSCOUT_SCRAPE_TEST_MAX_PAGES)
    {
        return ngx_http_jobscout_body_refuse(ctx, "max_pages",
                                             "must be an integer from 1 to 5");
    }

    *pages = (ngx_int_t) json_integer_value(value);

    return NGX_OK;
}


/* the source as PostgreSQL built it: the task, queued for jobscoutd */

static void
ngx_http_jobscout_admin_test_defined(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_admin_task_t *st = q->data;

    char                           *task;
    u_char                          id[32];
    json_t                         *source;
    ngx_int_t                       rc;
    ngx_str_t                       argv[3];
    ngx_time_t                     *tp;
    ngx_http_request_t             *r;
    ngx_http_jobscout_main_conf_t  *jmcf;

    r = q->request;
    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_admin_ok(q, res, st->missing) != NGX_OK) {
        return;
    }

    st->reply.data = ngx_pnalloc(r->pool,
                                 sizeof(JOBSCOUT_SCRAPE_TEST_REPLY_PREFIX)
                                 + sizeof(id));
    source = json_loadb(PQgetvalue(res, 0, 1), PQgetlength(res, 0, 1), 0,
                        NULL);
    tp = ngx_timeofday();

    /* the reply list is named after the task */

    if (st->reply.data == NULL || source == NULL
        || ngx_http_jobscout_random_hex(id, 16) != NGX_OK)
    {
        json_decref(source);
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    st->reply.len = ngx_sprintf(st->reply.data,
                                JOBSCOUT_SCRAPE_TEST_REPLY_PREFIX "%*s",
                                sizeof(id), id)
                    - st->reply.data;

    task = ngx_http_jobscout_task_json(JOBSCOUT_TASK_SCRAPE_TEST,
               json_pack("{s:o,s:s%,s:I,s:I}",
                         "source", source,
                         "reply", st->reply.data, st->reply.len,
                         "deadline", (json_int_t) tp->sec * 1000 + tp->msec
                                     + jmcf->source_test_timeout,
                         "max_pages", (json_int_t) st->max_pages),
               id);
    if (task == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    ngx_str_set(&argv[0], "LPUSH");
    ngx_str_set(&argv[1], JOBSCOUT_QUEUE_SCRAPE_TEST);
    argv[2].data = (u_char *) task;
    argv[2].len = ngx_strlen(task);

    rc = ngx_http_jobscout_admin_redis(r, ngx_http_jobscout_admin_test_queued,
                                       st, 3, argv);
    free(task);

    if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
    }
}


/* queued: the reply list is polled from now on, until the deadline */

static void
ngx_http_jobscout_admin_test_queued(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    ngx_http_request_t             *r;
    ngx_http_cleanup_t             *cln;
    ngx_http_jobscout_main_conf_t  *jmcf;

    r = cmd->request;
    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (reply == NULL) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    /* a client that goes away takes the timer with its request */

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    cln->handler = ngx_http_jobscout_admin_test_cleanup;
    cln->data = st;

    st->deadline = ngx_current_msec + jmcf->source_test_timeout;
    st->poll.handler = ngx_http_jobscout_admin_test_poll;
    st->poll.data = r;
    st->poll.log = r->connection->log;

    ngx_add_timer(&st->poll, ngx_min(NGX_HTTP_JOBSCOUT_TEST_POLL,
                                     jmcf->source_test_timeout));
}


static void
ngx_http_jobscout_admin_test_poll(ngx_event_t *ev)
{
    ngx_str_t                        argv[2];
    ngx_http_request_t              *r;
    ngx_http_jobscout_ctx_t         *ctx;
    ngx_http_jobscout_admin_task_t  *st;

    r = ev->data;
    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
    st = ctx->data;

    ngx_str_set(&argv[0], "LPOP");
    argv[1] = st->reply;

    if (ngx_http_jobscout_admin_redis(r, ngx_http_jobscout_admin_test_polled,
                                      st, 2, argv)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
    }
}


static void
ngx_http_jobscout_admin_test_polled(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    u_char              *body;
    json_t              *answer;
    ngx_str_t            argv[2];
    ngx_msec_int_t       left;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    if (reply->type == REDIS_REPLY_STRING) {

        /* jobscoutd's answer, as it is, once it is seen to be JSON */

        answer = json_loadb(reply->str, reply->len, 0, NULL);
        body = ngx_pnalloc(r->pool, reply->len);

        if (answer == NULL || !json_is_object(answer) || body == NULL) {
            json_decref(answer);
            ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_GATEWAY,
                                             "bad_gateway",
                                             "jobscoutd's answer to the dry "
                                             "run is not a JSON object"));
            return;
        }

        json_decref(answer);
        ngx_memcpy(body, reply->str, reply->len);
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_json(r, NGX_HTTP_OK, body, reply->len));
        return;
    }

    left = (ngx_msec_int_t) (st->deadline - ngx_current_msec);

    if (left > 0) {
        ngx_add_timer(&st->poll, ngx_min(NGX_HTTP_JOBSCOUT_TEST_POLL,
                                         (ngx_msec_t) left));
        return;
    }

    /* too late: an answer that comes now has nobody to read it */

    ngx_str_set(&argv[0], "DEL");
    argv[1] = st->reply;

    if (ngx_http_jobscout_admin_redis(r, ngx_http_jobscout_admin_test_expired,
                                      st, 2, argv)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_test_late(r));
    }
}


static void
ngx_http_jobscout_admin_test_expired(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_finalize(cmd->request,
                        ngx_http_jobscout_admin_test_late(cmd->request));
}


static ngx_int_t
ngx_http_jobscout_admin_test_late(ngx_http_request_t *r)
{
    u_char                          message[80];
    ngx_msec_t                      timeout;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    timeout = jmcf->source_test_timeout;

    if (timeout % 1000 == 0) {
        ngx_sprintf(message, "jobscoutd did not answer the dry run within "
                    "%M s%Z", timeout / 1000);

    } else {
        ngx_sprintf(message, "jobscoutd did not answer the dry run within "
                    "%M ms%Z", timeout);
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_GATEWAY_TIME_OUT,
                                        "timeout", (char *) message);
}


static void
ngx_http_jobscout_admin_test_cleanup(void *data)
{
    ngx_http_jobscout_admin_task_t *st = data;

    if (st->poll.timer_set) {
        ngx_del_timer(&st->poll);
    }
}


/* GET /admin/dead-letters?limit=&cursor=: newest first */

ngx_int_t
ngx_http_jobscout_admin_dead_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                          *p, *end;
    ngx_str_t                        key[2];
    ngx_http_jobscout_arg_t          args[2];
    ngx_http_jobscout_admin_task_t  *st;

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "limit", 1 }, { "cursor", 1 }, { NULL, 0 }
    };

    st = ngx_http_jobscout_admin_task_new(r, ctx, 2, "");
    if (st == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(args, sizeof(args));
    ngx_str_set(&st->offset, "0");
    ngx_str_set(&st->last, "");

    if (ngx_http_jobscout_args_parse(r, ctx, specs, args) != NGX_OK
        || ngx_http_jobscout_arg_limit(r, ctx, &args[0], 20, 100,
                                       &st->limit) != NGX_OK
        || (args[1].n
            && ngx_http_jobscout_cursor_decode(r, ctx, &args[1].values[0],
                                               key, 2) != NGX_OK))
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[1].n) {

        /* "offset|id": the id of the entry before, as a UUID's digits */

        if (key[0].data[0] == '-') {
            return ngx_http_jobscout_invalid(r, "cursor",
                                             "is not a valid cursor");
        }

        st->offset = key[0];

        if (ngx_strcmp(key[1].data, NGX_HTTP_JOBSCOUT_DEAD_NO_ID) != 0) {
            st->last.data = ngx_pnalloc(r->pool, 32);
            if (st->last.data == NULL) {
                return NGX_ERROR;
            }

            end = key[1].data + key[1].len;

            for (p = key[1].data; p < end; p++) {
                if (*p != '-') {
                    st->last.data[st->last.len++] = ngx_tolower(*p);
                }
            }
        }
    }

    return ngx_http_jobscout_admin_check(r, ctx,
                                         ngx_http_jobscout_admin_dead_page);
}


static ngx_int_t
ngx_http_jobscout_admin_dead_page(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                          *limit;
    ngx_str_t                        argv[3];
    ngx_http_jobscout_admin_task_t  *st;

    st = ctx->data;

    limit = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (limit == NULL) {
        return NGX_ERROR;
    }

    argv[0] = st->offset;
    argv[1] = st->last;
    argv[2].data = limit;
    argv[2].len = ngx_sprintf(limit, "%i", st->limit) - limit;

    return ngx_http_jobscout_admin_dead_eval(r,
                                         ngx_http_jobscout_dead_page_lua,
                                         ngx_http_jobscout_admin_dead_paged,
                                         st, 3, argv);
}


static void
ngx_http_jobscout_admin_dead_paged(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    u_char              *p, buf[NGX_INT64_LEN + 40];
    json_t              *page, *items, *item, *id;
    ngx_int_t            rc;
    ngx_str_t            key, cursor;
    ngx_uint_t           i, n;
    const char          *s;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements == 0
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    n = ngx_min(reply->elements - 1, (ngx_uint_t) st->limit);
    items = json_array();
    page = json_pack("{s:o,s:n}", "items", items, "next_cursor");
    item = NULL;

    for (i = 1; page && i <= n; i++) {
        item = ngx_http_jobscout_admin_dead_item(reply->element[i]);

        if (json_array_append_new(items, item) != 0) {
            json_decref(page);
            page = NULL;
        }
    }

    if (page && reply->elements - 1 > n) {

        /* more follow: where they start, and the id of the last item */

        id = json_object_get(item, "id");
        s = json_is_string(id) ? json_string_value(id) : "";

        p = ngx_sprintf(buf, "%L|", reply->element[0]->integer + n);

        if (ngx_strlen(s) == 32
            && ngx_http_jobscout_admin_hex((u_char *) s, 32) == NGX_OK)
        {
            p = ngx_sprintf(p, "%*s-%*s-%*s-%*s-%*s", 8, s, 4, s + 8,
                            4, s + 12, 4, s + 16, 12, s + 20);

        } else {
            p = ngx_cpymem(p, NGX_HTTP_JOBSCOUT_DEAD_NO_ID,
                           sizeof(NGX_HTTP_JOBSCOUT_DEAD_NO_ID) - 1);
        }

        key.data = buf;
        key.len = p - buf;
        cursor.data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(key.len));

        if (cursor.data == NULL) {
            json_decref(page);
            page = NULL;

        } else {
            ngx_encode_base64url(&cursor, &key);
            json_object_set_new(page, "next_cursor",
                                json_stringn((char *) cursor.data,
                                             cursor.len));
        }
    }

    if (page == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, page);
    json_decref(page);

    ngx_http_jobscout_finalize(r, rc);
}


/* GET /admin/dead-letters/{id} */

ngx_int_t
ngx_http_jobscout_admin_dead_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_dead_one(r, ctx, 0, 0);
}


/* POST /admin/dead-letters/{id}/requeue: back onto its queue, anew */

ngx_int_t
ngx_http_jobscout_admin_dead_requeue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_dead_one(r, ctx, 1, 1);
}


/* DELETE /admin/dead-letters/{id} */

ngx_int_t
ngx_http_jobscout_admin_dead_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_dead_one(r, ctx, 1, 0);
}


/*
 * A route on the dead letter {id}.  Shown after the check of the caller;
 * changed after the statement that checks the caller and audits, which
 * needs the task: it is read first, nothing answered before the check.
 */

static ngx_int_t
ngx_http_jobscout_admin_dead_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t change, ngx_uint_t requeue)
{
    ngx_int_t                        rc;
    ngx_http_jobscout_admin_task_t  *st;

    st = ngx_http_jobscout_admin_task_new(r, ctx, change ? 6 : 2,
                                          "no such dead letter");
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_args_none(r, ctx) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    /*
     * An id that is no task's names none: answered as a missing one, once
     * the caller is known to be an admin.
     */

    rc = ngx_http_jobscout_admin_dead_id(r, ctx, st);
    if (rc == NGX_ERROR) {
        return rc;
    }

    if (!change) {
        return ngx_http_jobscout_admin_check(r, ctx,
                                         ngx_http_jobscout_admin_dead_find);
    }

    st->change = 1;
    st->requeue = requeue;
    st->values[2] = (const char *) st->id.data;

    if (rc == NGX_DECLINED) {
        return ngx_http_jobscout_admin_dead_audit(r, st);
    }

    return ngx_http_jobscout_admin_dead_find(r, ctx);
}


/* {id}: a task id, 32 lower-case hex digits; NGX_DECLINED: not one */

static ngx_int_t
ngx_http_jobscout_admin_dead_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_task_t *st)
{
    ngx_str_t  *id;

    id = &ctx->params[0];

    if (id->len != 32
        || ngx_http_jobscout_admin_hex(id->data, 32) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    st->id.data = ngx_pnalloc(r->pool, 33);
    if (st->id.data == NULL) {
        return NGX_ERROR;
    }

    st->id.len = 32;
    *ngx_cpymem(st->id.data, id->data, 32) = '\0';

    return NGX_OK;
}


/* n lower-case hex digits, as task ids are written */

static ngx_int_t
ngx_http_jobscout_admin_hex(u_char *p, size_t n)
{
    while (n--) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
            return NGX_DECLINED;
        }

        p++;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_admin_dead_find(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_admin_task_t  *st;

    st = ctx->data;

    if (st->id.len == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", st->missing);
    }

    return ngx_http_jobscout_admin_dead_eval(r,
                                         ngx_http_jobscout_dead_get_lua,
                                         ngx_http_jobscout_admin_dead_found,
                                         st, 1, &st->id);
}


/* a script of the dead letters, KEYS[1], with nargs ARGV: NGX_DONE */

static ngx_int_t
ngx_http_jobscout_admin_dead_eval(ngx_http_request_t *r, const char *script,
    ngx_http_jobscout_redis_handler_pt handler,
    ngx_http_jobscout_admin_task_t *st, ngx_uint_t nargs, ngx_str_t *args)
{
    ngx_str_t   argv[7];
    ngx_uint_t  i;

    ngx_str_set(&argv[0], "EVAL");
    argv[1].data = (u_char *) script;
    argv[1].len = ngx_strlen(script);
    ngx_str_set(&argv[2], "1");
    ngx_str_set(&argv[3], JOBSCOUT_DEAD);

    for (i = 0; i < nargs; i++) {
        argv[4 + i] = args[i];
    }

    if (ngx_http_jobscout_admin_redis(r, handler, st, 4 + nargs, argv)
        != NGX_OK)
    {
        return ngx_http_jobscout_admin_unavailable(r);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_admin_dead_found(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    char                *before;
    json_t              *item;
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || (reply->type != REDIS_REPLY_STRING
                          && reply->type != REDIS_REPLY_NIL))
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    item = (reply->type == REDIS_REPLY_STRING)
           ? ngx_http_jobscout_admin_dead_item(reply) : NULL;

    if (!st->change) {
        rc = item ? ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, item)
             : reply->type == REDIS_REPLY_NIL
               ? ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                              "not_found", st->missing)
               : NGX_ERROR;
        json_decref(item);
        ngx_http_jobscout_finalize(r, rc);
        return;
    }

    /* $4, $5, $6: the task, what it becomes, why it cannot */

    if (item) {
        st->raw.len = reply->len;
        st->raw.data = ngx_pnalloc(r->pool, reply->len);
        before = json_dumps(item, JSON_COMPACT);
        st->values[3] = before ? (char *) ngx_pnalloc(r->pool,
                                                      ngx_strlen(before) + 1)
                               : NULL;

        if (st->raw.data == NULL || st->values[3] == NULL) {
            free(before);
            json_decref(item);
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_memcpy(st->raw.data, reply->str, reply->len);
        ngx_cpystrn((u_char *) st->values[3], (u_char *) before,
                    ngx_strlen(before) + 1);
        free(before);

        if (st->requeue) {
            st->values[5] = ngx_http_jobscout_admin_dead_requeued(r, st,
                                                                item);
            st->values[4] = st->requeued;
        }

        json_decref(item);

        if (st->values[5] == NULL && st->requeue && st->requeued == NULL) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

    } else if (reply->type == REDIS_REPLY_STRING) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    rc = ngx_http_jobscout_admin_dead_audit(r, st);
    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


/* the statement that checks the caller and audits a change: NGX_DONE */

static ngx_int_t
ngx_http_jobscout_admin_dead_audit(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st)
{
    return ngx_http_jobscout_admin_task_query(r, st,
                                  st->requeue
                                  ? &ngx_http_jobscout_admin_requeue_stmt
                                  : &ngx_http_jobscout_admin_delete_stmt,
                                  ngx_http_jobscout_admin_dead_audited);
}


/*
 * A dead letter as the API shows it: the task stored, or {"raw": ...}
 * for an entry that is not a JSON object (bytes that are not UTF-8 shown
 * as "?").  NULL when out of memory.
 */

static json_t *
ngx_http_jobscout_admin_dead_item(redisReply *entry)
{
    u_char    *p, *start, *end, *text, *t;
    json_t    *item;
    uint32_t   ch;

    item = json_loadb(entry->str, entry->len, 0, NULL);

    if (json_is_object(item)) {
        return item;
    }

    json_decref(item);

    text = ngx_alloc(entry->len + 1, ngx_cycle->log);
    if (text == NULL) {
        return NULL;
    }

    p = (u_char *) entry->str;
    end = p + entry->len;
    t = text;

    while (p < end) {
        start = p;

        if (*p < 0x80) {
            *t++ = (*p == '\0') ? '?' : *p;
            p++;
            continue;
        }

        ch = ngx_utf8_decode(&p, end - p);

        if (ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff)) {
            *t++ = '?';
            p = (p == start) ? p + 1 : p;
            continue;
        }

        t = ngx_cpymem(t, start, p - start);
    }

    item = json_pack("{s:s%}", "raw", text, (size_t) (t - text));
    ngx_free(text);

    return item;
}


/*
 * What a task becomes when requeued: attempt 0, no error, no failed_at,
 * on the queue it names, one of Job Scout's.  NULL, or why it cannot be.
 */

static const char *
ngx_http_jobscout_admin_dead_requeued(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st, json_t *task)
{
    char        *payload;
    json_t      *queue, *copy;
    const char  *name;

    queue = json_object_get(task, "queue");
    name = json_string_value(queue);

    if (!json_is_string(json_object_get(task, "id"))
        || !json_is_string(json_object_get(task, "kind")))
    {
        return "the entry is not a task";
    }

    if (name == NULL
        || json_string_length(queue) <= sizeof(JOBSCOUT_QUEUE_PREFIX) - 1
        || ngx_strncmp(name, JOBSCOUT_QUEUE_PREFIX,
                       sizeof(JOBSCOUT_QUEUE_PREFIX) - 1) != 0
        || ngx_strlen(name) != json_string_length(queue))
    {
        return "the task names no queue of Job Scout to go back to";
    }

    copy = json_copy(task);

    if (copy == NULL
        || json_object_set_new(copy, "attempt", json_integer(0)) != 0)
    {
        json_decref(copy);
        return NULL;
    }

    json_object_del(copy, "error");
    json_object_del(copy, "failed_at");

    payload = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);

    st->queue.len = ngx_strlen(name);
    st->queue.data = ngx_pnalloc(r->pool, st->queue.len);
    st->requeued = payload ? ngx_pnalloc(r->pool,
                                         ngx_strlen(payload) + 1)
                           : NULL;

    if (st->queue.data == NULL || st->requeued == NULL) {
        free(payload);
        st->requeued = NULL;
        return NULL;
    }

    ngx_memcpy(st->queue.data, name, st->queue.len);
    ngx_cpystrn((u_char *) st->requeued, (u_char *) payload,
                ngx_strlen(payload) + 1);
    free(payload);

    return NULL;
}


/* audited: now the change, if the entry is still there as it was found */

static void
ngx_http_jobscout_admin_dead_audited(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_admin_task_t *st = q->data;

    ngx_int_t   rc;
    ngx_str_t   argv[7];

    if (ngx_http_jobscout_admin_ok(q, res, st->missing) != NGX_OK) {
        return;
    }

    if (st->requeue) {
        ngx_str_set(&argv[0], "EVAL");
        argv[1].data = (u_char *) ngx_http_jobscout_dead_requeue_lua;
        argv[1].len = sizeof(ngx_http_jobscout_dead_requeue_lua) - 1;
        ngx_str_set(&argv[2], "2");
        ngx_str_set(&argv[3], JOBSCOUT_DEAD);
        argv[4] = st->queue;
        argv[5] = st->raw;
        argv[6].data = (u_char *) st->requeued;
        argv[6].len = ngx_strlen(st->requeued);

        rc = ngx_http_jobscout_admin_redis(q->request,
                                           ngx_http_jobscout_admin_dead_done,
                                           st, 7, argv);

    } else {
        ngx_str_set(&argv[0], "LREM");
        ngx_str_set(&argv[1], JOBSCOUT_DEAD);
        ngx_str_set(&argv[2], "1");
        argv[3] = st->raw;

        rc = ngx_http_jobscout_admin_redis(q->request,
                                           ngx_http_jobscout_admin_dead_done,
                                           st, 4, argv);
    }

    if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(q->request,
                            ngx_http_jobscout_admin_unavailable(q->request));
    }
}


static void
ngx_http_jobscout_admin_dead_done(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    json_t              *json;
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: dead letter %V audited, but not changed",
                      &st->id);
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    if (reply->integer == 0) {
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                          "no such dead letter: another "
                                          "change came first");

    } else if (st->requeue) {
        json = json_pack("{s:s%,s:s%,s:s}",
                         "task_id", st->id.data, st->id.len,
                         "queue", st->queue.data, st->queue.len,
                         "status", "requeued");
        rc = json ? ngx_http_jobscout_send_jansson(r, NGX_HTTP_ACCEPTED, json)
                  : NGX_ERROR;
        json_decref(json);

    } else {
        rc = ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0);
    }

    ngx_http_jobscout_finalize(r, rc);
}

