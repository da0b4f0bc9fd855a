
/*
 * Job Scout: what operators ask of jobscoutd through Redis (the dead
 * letters: _admin_dead.c).
 *
 *   POST /admin/sources/{id}/scrape     a run now, on scrape:high: never
 *                                       queued twice (the scheduler's
 *                                       pending key), once a minute at most
 *   POST /admin/sources/test            a dry run of a source definition,
 *   POST /admin/sources/{id}/test       or of a saved source: jobscoutd
 *                                       answers on a reply list, which a
 *                                       timer polls (nothing blocks)
 *
 * No route answers or changes anything before PostgreSQL checked its
 * caller, as every admin route does, so that a demotion counts at once.
 * A run now is audited in that statement, before Redis is asked: the
 * audit holds the request, the answer says whether it was queued.
 */


#include "ngx_http_jobscout.h"
#include "jobscout_task.h"


/* + "<trigger>:<source id>": a run of that trigger was queued lately */
#define NGX_HTTP_JOBSCOUT_SCRAPE_RATE_PREFIX  "jobscout:scrape:"

#define NGX_HTTP_JOBSCOUT_TEST_POLL           100     /* ms */


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

ngx_http_jobscout_admin_task_t *
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


ngx_int_t
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

ngx_int_t
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


ngx_int_t
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

    ngx_http_jobscout_finalize(cmd->request,
        ngx_http_jobscout_scrape_queued(cmd->request, reply, &st->id, 0));
}


/*
 * The answer to the reply of queue_scrape()'s script: queued, 202 with
 * the task id; rate-limited, 429 with Retry-After; already pending or
 * running, 409 already_pending, or (pending_accepted: a board, which
 * should not retry) 202 {"status": "already_pending"}.
 */

ngx_int_t
ngx_http_jobscout_scrape_queued(ngx_http_request_t *r, redisReply *reply,
    ngx_str_t *source_id, ngx_uint_t pending_accepted)
{
    u_char           *p, message[80];
    json_t           *json;
    ngx_int_t         rc, retry;
    ngx_table_elt_t  *h;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_INTEGER
        || reply->element[1]->type != (reply->element[0]->integer == 1
                                       ? REDIS_REPLY_STRING
                                       : REDIS_REPLY_INTEGER))
    {
        return ngx_http_jobscout_admin_unavailable(r);
    }

    switch (reply->element[0]->integer) {

    case 0:
        retry = ngx_max(reply->element[1]->integer, 1);

        h = ngx_list_push(&r->headers_out.headers);
        p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
        if (h == NULL || p == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Retry-After");
        h->value.data = p;
        h->value.len = ngx_sprintf(p, "%i", retry) - p;

        ngx_sprintf(message, "this source was queued moments ago: retry in "
                    "%i s%Z", retry);

        return ngx_http_jobscout_send_error(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                            "rate_limited", (char *) message);

    case 1:
        json = json_pack("{s:s%,s:s%,s:s}",
                         "task_id", reply->element[1]->str,
                         (size_t) reply->element[1]->len,
                         "source_id", source_id->data, source_id->len,
                         "status", "queued");
        break;

    default:
        if (!pending_accepted) {
            return ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT,
                                                "already_pending",
                                                "a run of this source is "
                                                "queued or under way");
        }

        json = json_pack("{s:s%,s:s}",
                         "source_id", source_id->data, source_id->len,
                         "status", "already_pending");
    }

    if (json == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_ACCEPTED, json);
    json_decref(json);

    return rc;
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

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
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

