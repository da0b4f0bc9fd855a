
/*
 * Job Scout: what every admin route shares (the statement convention of
 * ngx_http_jobscout.h), and the routes that only read: the adapter
 * catalogue, the stats and the audit.
 */


#include "ngx_http_jobscout.h"
#include "jobscout_task.h"
#include "catalogue.h"


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[8];
    PGresult                       *counts;     /* the stats' PostgreSQL part */
} ngx_http_jobscout_admin_t;


static ngx_uint_t ngx_http_jobscout_admin_conflict(PGresult *res,
    const char **field, const char **message);
static void ngx_http_jobscout_admin_checked(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_admin_catalogue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static void ngx_http_jobscout_admin_stats_counted(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_admin_stats_queued(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_admin_stats_cleanup(void *data);


/* what a 4xx status of a statement is called */

static struct {
    ngx_uint_t      status;
    const char     *code;
} ngx_http_jobscout_admin_codes[] = {
    { NGX_HTTP_BAD_REQUEST, "bad_request" },
    { NGX_HTTP_FORBIDDEN, "forbidden" },
    { NGX_HTTP_NOT_FOUND, "not_found" },
    { NGX_HTTP_CONFLICT, "conflict" },
    { NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "validation_failed" },
    { NGX_HTTP_TOO_MANY_REQUESTS, "rate_limited" },
    { 0, NULL }
};


/*
 * Unique and foreign keys and checks a write can run into, said for
 * people; a 422 names its field, as every validation does.
 */

static struct {
    const char     *constraint;
    ngx_uint_t      status;
    const char     *field;
    const char     *message;
} ngx_http_jobscout_admin_constraints[] = {
    { "companies_slug_key", NGX_HTTP_CONFLICT, NULL,
      "a company with this slug already exists" },
    { "job_sources_company_id_fkey", NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
      "company_id", "no such company" },
    { "job_sources_once", NGX_HTTP_CONFLICT, NULL,
      "the company has an active source with this adapter, URL and "
      "config already" },
    { "user_skills_pkey", NGX_HTTP_CONFLICT, NULL,
      "this skill is in your profile already" },
    { "user_skills_user_lower_name", NGX_HTTP_CONFLICT, NULL,
      "this skill is in your profile already" },
    { "user_education_dates_chk", NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
      "end_date", "must not be before start_date" },
    { "user_experience_dates_chk", NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
      "end_date", "must not be before start_date" },
    { NULL, 0, NULL, NULL }
};


/*
 * Queue depths in one round trip: for each queue its ready and
 * processing counts (the processing lists of its live consumers), then
 * the delayed and dead counts.  KEYS: the queues.
 */

static const char  ngx_http_jobscout_admin_depths_lua[] =
    "local consumers = redis.call('HGETALL', '" JOBSCOUT_CONSUMERS "')"
    " local out = {}"
    " for i, q in ipairs(KEYS) do"
    "   local busy = 0"
    "   for j = 1, #consumers, 2 do"
    "     if consumers[j + 1] == q then"
    "       busy = busy + redis.call('LLEN',"
    "                 '" JOBSCOUT_PROCESSING_PREFIX "' .. consumers[j])"
    "     end"
    "   end"
    "   out[#out + 1] = redis.call('LLEN', q)"
    "   out[#out + 1] = busy"
    " end"
    " out[#out + 1] = redis.call('ZCARD', '" JOBSCOUT_DELAYED "')"
    " out[#out + 1] = redis.call('LLEN', '" JOBSCOUT_DEAD "')"
    " return out";

#define NGX_HTTP_JOBSCOUT_ADMIN_NQUEUES  4

static const char  *ngx_http_jobscout_admin_queues[] = {
    JOBSCOUT_QUEUE_MAIL,
    JOBSCOUT_QUEUE_MATCH,
    JOBSCOUT_QUEUE_SCRAPE_HIGH,
    JOBSCOUT_QUEUE_SCRAPE_NORMAL
};


/*
 * Users, jobs, alerts, pushes and sources, counted in one statement; the
 * alerts of the last 24 hours read once ("recent"), for every count.  The
 * hours ("hours": the current one and the 23 before it) give the
 * console's charts; push latency is alert_push_latency's (the job's
 * discovery to FCM's 200), as the notifier logs it.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_PERCENTILE(p)                            \
    "round(percentile_cont(" p ") WITHIN GROUP (ORDER BY latency_ms))"

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_stats_stmt = {
    "admin_stats",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " recent AS (SELECT push_status, email_status, created_at, pushed_at,"
    "        job_id IS NOT NULL"
    "        AND created_at > now() - interval '24 hours' AS created,"
    "        pushed_at > now() - interval '24 hours' AS pushed"
    "   FROM user_job_alerts"
    "  WHERE (job_id IS NOT NULL"
    "         AND created_at > now() - interval '24 hours')"
    "     OR pushed_at > now() - interval '24 hours'),"
    " latency AS (SELECT pushed_at, latency_ms FROM alert_push_latency"
    "  WHERE pushed_at > now() - interval '24 hours'),"
    " hours AS (SELECT h FROM generate_series("
    "        date_trunc('hour', now()) - interval '23 hours',"
    "        date_trunc('hour', now()), interval '1 hour') h)"
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 200, json_build_object("
    "  'users', (SELECT json_build_object('total', count(*),"
    "       'verified', count(*) FILTER (WHERE email_verified),"
    "       'active_7d', count(*) FILTER (WHERE last_login_at"
    "                                    > now() - interval '7 days'),"
    "       'disabled', count(*) FILTER (WHERE NOT is_active),"
    "       'admins', count(*) FILTER (WHERE is_admin))"
    "     FROM users WHERE deleted_at IS NULL),"
    "  'jobs', (SELECT json_build_object("
    "       'active', count(*) FILTER (WHERE is_active),"
    "       'new_24h', count(*) FILTER (WHERE discovered_at"
    "                                  > now() - interval '24 hours'))"
    "     FROM jobs),"
    "  'alerts_24h', json_build_object("
    "       'created', (SELECT count(*) FROM recent WHERE created),"
    "       'push', coalesce((SELECT json_object_agg(s, n) FROM"
    "           (SELECT coalesce(push_status, 'none') s, count(*) n"
    "              FROM recent WHERE created GROUP BY 1) p), '{}'),"
    "       'email', coalesce((SELECT json_object_agg(s, n) FROM"
    "           (SELECT coalesce(email_status, 'none') s, count(*) n"
    "              FROM recent WHERE created GROUP BY 1) e), '{}')),"
    "  'pushes_24h', (SELECT json_build_object("
    "       'accepted', count(*) FILTER (WHERE push_status = 'accepted'),"
    "       'failed', count(*) FILTER (WHERE push_status NOT IN"
    "                        ('accepted', 'pending', 'sending')))"
    "     FROM recent WHERE pushed),"
    "  'push_latency_24h', (SELECT json_build_object('count', count(*),"
    "       'p50_ms', " NGX_HTTP_JOBSCOUT_SQL_ADMIN_PERCENTILE("0.5") ","
    "       'p95_ms', " NGX_HTTP_JOBSCOUT_SQL_ADMIN_PERCENTILE("0.95") ","
    "       'p99_ms', " NGX_HTTP_JOBSCOUT_SQL_ADMIN_PERCENTILE("0.99") ")"
    "     FROM latency),"
    "  'hourly', (SELECT json_agg(json_build_object('hour', hours.h,"
    "       'alerts', coalesce(a.n, 0), 'pushes', coalesce(p.n, 0),"
    "       'push_p50_ms', l.p50, 'push_p95_ms', l.p95) ORDER BY hours.h)"
    "     FROM hours"
    "     LEFT JOIN (SELECT date_trunc('hour', created_at) h, count(*) n"
    "                  FROM recent WHERE created GROUP BY 1) a"
    "            ON a.h = hours.h"
    "     LEFT JOIN (SELECT date_trunc('hour', pushed_at) h, count(*) n"
    "                  FROM recent WHERE pushed"
    "                   AND push_status = 'accepted' GROUP BY 1) p"
    "            ON p.h = hours.h"
    "     LEFT JOIN (SELECT date_trunc('hour', pushed_at) h,"
    "            " NGX_HTTP_JOBSCOUT_SQL_ADMIN_PERCENTILE("0.5") " p50,"
    "            " NGX_HTTP_JOBSCOUT_SQL_ADMIN_PERCENTILE("0.95") " p95"
    "                  FROM latency GROUP BY 1) l"
    "            ON l.h = hours.h),"
    "  'sources', (SELECT json_build_object("
    "       'healthy', count(*) FILTER (WHERE is_active"
    "                                  AND health_status = 'healthy'),"
    "       'degraded', count(*) FILTER (WHERE is_active"
    "                                   AND health_status = 'degraded'),"
    "       'failing', count(*) FILTER (WHERE is_active"
    "                                  AND health_status = 'failing'),"
    "       'inactive', count(*) FILTER (WHERE NOT is_active))"
    "     FROM job_sources))::text"
    "  WHERE EXISTS (SELECT FROM admin)",
    2, 0
};


/*
 * The audit, newest first: a list's $3..$5, filters $6 action, $7
 * target_type, $8 target_id, $9 since (micros).
 */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_AUDIT_ENTRY                              \
    "json_build_object('id', p.id,"                                          \
    " 'admin', json_build_object('id', p.admin_id, 'email', u.email),"      \
    " 'action', p.action, 'target_type', p.target_type,"                    \
    " 'target_id', p.target_id, 'before', p.before, 'after', p.after,"      \
    " 'request_id', p.request_id, 'created_at', p.created_at)"

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_audit_stmt = {
    NULL,
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " page AS (SELECT a.* FROM admin_audit a"
    "  WHERE " NGX_HTTP_JOBSCOUT_SQL_ADMIN_AFTER("a.created_at", "a.id")
    "    AND ($6::text IS NULL OR a.action = $6)"
    "    AND ($7::text IS NULL OR a.target_type = $7)"
    "    AND ($8::text IS NULL OR a.target_id = $8)"
    "    AND ($9::bigint IS NULL OR a.created_at >= "
             NGX_HTTP_JOBSCOUT_SQL_MICROS("$9") ")"
    "  ORDER BY a.created_at DESC, a.id DESC"
    "  LIMIT $3::integer + 1)"
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED_PAGE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_PAGE(NGX_HTTP_JOBSCOUT_SQL_ADMIN_AUDIT_ENTRY,
                                     "p", "created_at",
                                     " LEFT JOIN users u ON u.id = p.admin_id",
                                     ""),
    9, 0
};


const char **
ngx_http_jobscout_admin_values(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t n)
{
    u_char       *sub, *rid;
    const char  **values;

    values = ngx_pcalloc(r->pool, n * sizeof(char *));
    sub = ngx_pnalloc(r->pool, ctx->token.sub.len + 1);
    rid = ngx_pnalloc(r->pool, ctx->request_id.len + 1);
    if (values == NULL || sub == NULL || rid == NULL) {
        return NULL;
    }

    *ngx_cpymem(sub, ctx->token.sub.data, ctx->token.sub.len) = '\0';
    *ngx_cpymem(rid, ctx->request_id.data, ctx->request_id.len) = '\0';

    values[0] = (const char *) sub;
    values[1] = (const char *) rid;

    return values;
}


/*
 * {id} number i as a NUL-terminated UUID: NGX_OK; NGX_DECLINED when it is
 * not one (nothing answered: the caller says what is missing).
 */

ngx_int_t
ngx_http_jobscout_admin_uuid_param(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t i, const char **value)
{
    u_char  *p;

    if (i >= ctx->nparams
        || ngx_http_jobscout_valid_uuid(&ctx->params[i]) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, ctx->params[i].len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(p, ctx->params[i].data, ctx->params[i].len) = '\0';
    *value = (const char *) p;

    return NGX_OK;
}


/* what a refused {id} is answered: rc NGX_DECLINED a 404 saying missing */

ngx_int_t
ngx_http_jobscout_admin_missing(ngx_http_request_t *r, ngx_int_t rc,
    const char *missing)
{
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                        missing);
}


ngx_int_t
ngx_http_jobscout_admin_query(ngx_http_request_t *r,
    ngx_http_jobscout_pg_stmt_t *stmt, const char **values,
    const char *missing)
{
    ngx_http_jobscout_pg_query_t  *q;

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_pg_query_t));
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->stmt = stmt;
    q->values = values;
    q->handler = ngx_http_jobscout_admin_done;
    q->data = (void *) missing;

    if (ngx_http_jobscout_pg_query(r, q) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, q, NULL);
    }

    return NGX_DONE;
}


void
ngx_http_jobscout_admin_done(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_int_t  rc;

    if (res == NULL) {
        rc = ngx_http_jobscout_pg_send_error(q->request, q, NULL);

    } else {
        rc = ngx_http_jobscout_admin_send(q->request, res, q->data);
    }

    ngx_http_jobscout_finalize(q->request, rc);
}


/*
 * A step of a route that goes on after its statement: NGX_OK when the
 * statement answered 200; else its answer (403, 404, ...) or the failure
 * is sent and the request finalized, and NGX_DONE says so.
 */

ngx_int_t
ngx_http_jobscout_admin_ok(ngx_http_jobscout_pg_query_t *q, PGresult *res,
    const char *missing)
{
    ngx_int_t  rc;

    if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK
        && PQntuples(res) == 1
        && ngx_strcmp(PQgetvalue(res, 0, 0), "200") == 0)
    {
        return NGX_OK;
    }

    rc = res ? ngx_http_jobscout_admin_send(q->request, res, missing)
             : ngx_http_jobscout_pg_send_error(q->request, q, NULL);

    ngx_http_jobscout_finalize(q->request, rc);

    return NGX_DONE;
}


/* the answer of a statement of the convention */

ngx_int_t
ngx_http_jobscout_admin_send(ngx_http_request_t *r, PGresult *res,
    const char *missing)
{
    ngx_int_t    status;
    ngx_str_t    body;
    ngx_uint_t   i;
    const char  *field, *message;

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        status = ngx_http_jobscout_admin_conflict(res, &field, &message);

        if (status == 0) {
            return ngx_http_jobscout_pg_send_error(r, NULL, res);
        }

        if (field != NULL) {
            return ngx_http_jobscout_invalid(r, field, message);
        }

        goto error;
    }

    if (PQntuples(res) == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", missing);
    }

    status = ngx_atoi((u_char *) PQgetvalue(res, 0, 0),
                      PQgetlength(res, 0, 0));

    if (status < 200 || status > 499) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                            "internal_error",
                                            "unexpected answer");
    }

    if (status >= 300) {
        message = PQgetisnull(res, 0, 1) ? missing : PQgetvalue(res, 0, 1);
        goto error;
    }

    if (PQnfields(res) == 3) {
        return ngx_http_jobscout_send_page_at(r, res, 1);
    }

    if (status == NGX_HTTP_NO_CONTENT || PQgetisnull(res, 0, 1)) {
        return ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0);
    }

    if (ngx_http_jobscout_pg_copy(r->pool, res, 1, &body) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_send_json(r, status, body.data, body.len);

error:

    for (i = 0; ngx_http_jobscout_admin_codes[i].code; i++) {
        if (ngx_http_jobscout_admin_codes[i].status == (ngx_uint_t) status) {
            break;
        }
    }

    return ngx_http_jobscout_send_error(r, status,
               ngx_http_jobscout_admin_codes[i].code
               ? ngx_http_jobscout_admin_codes[i].code : "error",
               message);
}


/* a refused write the caller can fix: its status, else 0 */

static ngx_uint_t
ngx_http_jobscout_admin_conflict(PGresult *res, const char **field,
    const char **message)
{
    ngx_uint_t   i;
    const char  *sqlstate, *constraint;

    *field = NULL;
    sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);

    if (sqlstate == NULL || constraint == NULL) {
        return 0;
    }

    for (i = 0; ngx_http_jobscout_admin_constraints[i].constraint; i++) {
        if (ngx_strcmp(constraint,
                       ngx_http_jobscout_admin_constraints[i].constraint)
            == 0)
        {
            *field = ngx_http_jobscout_admin_constraints[i].field;
            *message = ngx_http_jobscout_admin_constraints[i].message;
            return ngx_http_jobscout_admin_constraints[i].status;
        }
    }

    if (ngx_strcmp(sqlstate, "23505") == 0) {
        *message = "conflicts with an existing record";
        return NGX_HTTP_CONFLICT;
    }

    if (ngx_strcmp(sqlstate, "23503") == 0) {
        *message = "refers to a record that does not exist";
        return NGX_HTTP_JOBSCOUT_UNPROCESSABLE;
    }

    return 0;
}


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_check_stmt = {
    "admin_check",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 200, NULL WHERE EXISTS (SELECT FROM admin)",
    2, 0
};


/*
 * For routes that answer from elsewhere than PostgreSQL: the role claim
 * said admin, but only the database says whether the user still is.
 */

ngx_int_t
ngx_http_jobscout_admin_check(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_handler_pt next)
{
    const char                    **values;
    ngx_http_jobscout_pg_query_t   *q;

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_pg_query_t));
    values = ngx_http_jobscout_admin_values(r, ctx, 2);
    if (q == NULL || values == NULL) {
        return NGX_ERROR;
    }

    q->stmt = &ngx_http_jobscout_admin_check_stmt;
    q->values = values;
    q->handler = ngx_http_jobscout_admin_checked;
    q->data = next;

    if (ngx_http_jobscout_pg_query(r, q) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, q, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_admin_checked(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t                      rc;
    ngx_http_request_t            *r;
    ngx_http_jobscout_handler_pt   next;

    r = q->request;
    next = (ngx_http_jobscout_handler_pt) q->data;

    if (ngx_http_jobscout_admin_ok(q, res, "administrators only") != NGX_OK) {
        return;
    }

    rc = next(r, ngx_http_get_module_ctx(r, ngx_http_jobscout_module));

    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


/* GET /api/v1/admin/adapters: the catalogue jobscoutd checks sources by */

ngx_int_t
ngx_http_jobscout_admin_adapters(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_check(r, ctx,
                                         ngx_http_jobscout_admin_catalogue);
}


static ngx_int_t
ngx_http_jobscout_admin_catalogue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    json_t     *list, *body;
    ngx_int_t   rc;

    list = js_catalogue_json();
    body = list ? json_pack("{s:o}", "items", list) : NULL;
    if (body == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, body);
    json_decref(body);

    return rc;
}


/*
 * GET /api/v1/admin/stats: PostgreSQL's counts, then Redis's queue
 * depths, in one answer.
 */

ngx_int_t
ngx_http_jobscout_admin_stats(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_admin_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_admin_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->query.stmt = &ngx_http_jobscout_admin_stats_stmt;
    st->query.values = ngx_http_jobscout_admin_values(r, ctx, 2);
    st->query.handler = ngx_http_jobscout_admin_stats_counted;
    st->query.data = st;

    if (st->query.values == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_admin_stats_counted(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    size_t                      argvlen[7];
    ngx_int_t                   rc;
    ngx_uint_t                  i;
    const char                 *argv[7];   /* EVAL, script, n, queues */
    ngx_pool_cleanup_t         *cln;
    ngx_http_request_t         *r;
    ngx_http_jobscout_admin_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_admin_ok(q, res, "") != NGX_OK) {
        return;
    }

    /* the result outlives this handler: the pool clears it */

    cln = ngx_pool_cleanup_add(r->pool, 0);
    st->counts = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
    if (cln == NULL || st->counts == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    cln->handler = ngx_http_jobscout_admin_stats_cleanup;
    cln->data = st->counts;

    argv[0] = "EVAL";
    argv[1] = ngx_http_jobscout_admin_depths_lua;
    argv[2] = "4";                         /* NGX_HTTP_JOBSCOUT_ADMIN_NQUEUES */

    for (i = 0; i < NGX_HTTP_JOBSCOUT_ADMIN_NQUEUES; i++) {
        argv[3 + i] = ngx_http_jobscout_admin_queues[i];
    }

    for (i = 0; i < 3 + NGX_HTTP_JOBSCOUT_ADMIN_NQUEUES; i++) {
        argvlen[i] = ngx_strlen(argv[i]);
    }

    rc = ngx_http_jobscout_redis_command(r,
                                     ngx_http_jobscout_admin_stats_queued,
                                     st, 3 + NGX_HTTP_JOBSCOUT_ADMIN_NQUEUES,
                                     argv, argvlen);
    if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot read the queues now"));
    }
}


static void
ngx_http_jobscout_admin_stats_queued(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    json_t                     *stats, *queues;
    ngx_int_t                   rc;
    ngx_uint_t                  i, n;
    json_error_t                error;
    ngx_http_request_t         *r;
    ngx_http_jobscout_admin_t  *st;

    r = cmd->request;
    st = cmd->data;

    n = NGX_HTTP_JOBSCOUT_ADMIN_NQUEUES;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2 * n + 2)
    {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot read the queues now"));
        return;
    }

    for (i = 0; i < reply->elements; i++) {
        if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }
    }

    stats = json_loadb(PQgetvalue(st->counts, 0, 1),
                       PQgetlength(st->counts, 0, 1), 0, &error);
    queues = json_object();

    for (i = 0; stats && queues && i < n; i++) {
        json_object_set_new(queues,
            ngx_http_jobscout_admin_queues[i]
                + sizeof(JOBSCOUT_QUEUE_PREFIX) - 1,
            json_pack("{s:I,s:I}",
                      "ready", (json_int_t) reply->element[2 * i]->integer,
                      "processing",
                      (json_int_t) reply->element[2 * i + 1]->integer));
    }

    if (stats == NULL || queues == NULL
        || json_object_set_new(stats, "queues", queues) != 0
        || json_object_set_new(stats, "delayed",
               json_integer(reply->element[2 * n]->integer)) != 0
        || json_object_set_new(stats, "dead_letters",
               json_integer(reply->element[2 * n + 1]->integer)) != 0)
    {
        json_decref(stats);
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, stats);
    json_decref(stats);

    ngx_http_jobscout_finalize(r, rc);
}


static void
ngx_http_jobscout_admin_stats_cleanup(void *data)
{
    PQclear(data);
}


/*
 * GET /api/v1/admin/audit?action=&target_type=&target_id=&since=&limit=
 * &cursor=
 */

ngx_int_t
ngx_http_jobscout_admin_audit(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                   *p;
    int64_t                   since;
    ngx_uint_t                i;
    const char              **values;
    ngx_http_jobscout_arg_t   args[6];

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "limit", 1 }, { "cursor", 1 }, { "action", 1 },
        { "target_type", 1 }, { "target_id", 1 }, { "since", 1 },
        { NULL, 0 }
    };

    values = ngx_http_jobscout_admin_list_values(r, ctx, specs, args, 9);
    if (values == NULL) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    for (i = 2; i < 5; i++) {
        if (args[i].n == 0) {
            continue;
        }

        if (ngx_http_jobscout_arg_length(ctx, specs[i].name,
                                         &args[i].values[0], 1, 200)
            != NGX_OK)
        {
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        values[3 + i] = (const char *) args[i].values[0].data;
    }

    if (args[5].n) {
        if (ngx_http_jobscout_arg_time(ctx, "since", &args[5].values[0],
                                       &since)
            != NGX_OK)
        {
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        p = ngx_pnalloc(r->pool, NGX_INT64_LEN + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(p, "%L", since) = '\0';
        values[8] = (const char *) p;
    }

    return ngx_http_jobscout_admin_query(r,
                                         &ngx_http_jobscout_admin_audit_stmt,
                                         values, "");
}
