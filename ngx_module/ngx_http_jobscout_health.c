
/*
 * Job Scout: liveness (/health, no I/O), readiness (/health/ready: one
 * PostgreSQL query and one Redis PING, in parallel) and the test-only
 * /api/v1/_test/sleep, a slow query that proves the worker never waits.
 */


#include "ngx_http_jobscout.h"


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *pg_error;
    const char                     *redis_error;
    ngx_str_t                       failing;    /* sources failing */
} ngx_http_jobscout_ready_t;


static void ngx_http_jobscout_ready_pg(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_ready_redis(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply);
static void ngx_http_jobscout_ready_step(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_ready_send(ngx_http_request_t *r,
    ngx_http_jobscout_ready_t *st);
static void ngx_http_jobscout_test_sleep_done(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_ready_stmt = {
    "health_ready",
    "SELECT count(*) FROM job_sources"
    " WHERE is_active AND health_status = 'failing'",
    0, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_sleep_stmt = {
    "test_sleep",
    "SELECT pg_sleep($1::float8)",
    1, 0
};


ngx_int_t
ngx_http_jobscout_health(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    static u_char  body[] = "{\"status\":\"ok\"}";

    return ngx_http_jobscout_send_json(r, NGX_HTTP_OK, body,
                                       sizeof(body) - 1);
}


ngx_int_t
ngx_http_jobscout_health_ready(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_ready_t  *st;

    static const char   *ping[] = { "PING" };
    static const size_t  ping_len[] = { 4 };

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_ready_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;

    st->query.stmt = &ngx_http_jobscout_ready_stmt;
    st->query.handler = ngx_http_jobscout_ready_pg;

    if (ngx_http_jobscout_pg_query(r, &st->query) == NGX_OK) {
        ctx->pending++;

    } else {
        st->pg_error = st->query.error;
    }

    if (ngx_http_jobscout_redis_command(r, ngx_http_jobscout_ready_redis,
                                        NULL, 1, ping, ping_len)
        == NGX_OK)
    {
        ctx->pending++;

    } else {
        st->redis_error = "redis unavailable";
    }

    if (ctx->pending) {
        return NGX_DONE;
    }

    return ngx_http_jobscout_ready_send(r, st);
}


static void
ngx_http_jobscout_ready_pg(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_http_jobscout_ctx_t    *ctx;
    ngx_http_jobscout_ready_t  *st;

    ctx = ngx_http_get_module_ctx(q->request, ngx_http_jobscout_module);
    st = ctx->data;

    if (res == NULL) {
        st->pg_error = q->error;

    } else if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
    {
        ngx_log_error(NGX_LOG_ERR, q->request->connection->log, 0,
                      "jobscout: readiness query failed: %s",
                      PQresultErrorMessage(res));
        st->pg_error = "database query failed";

    } else {
        /* res is freed after this handler: copy the value */
        if (ngx_http_jobscout_pg_copy(q->request->pool, res, 0,
                                      &st->failing)
            != NGX_OK)
        {
            st->pg_error = "out of memory";
        }
    }

    ngx_http_jobscout_ready_step(q->request);
}


static void
ngx_http_jobscout_ready_redis(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_ctx_t    *ctx;
    ngx_http_jobscout_ready_t  *st;

    ctx = ngx_http_get_module_ctx(cmd->request, ngx_http_jobscout_module);
    st = ctx->data;

    if (reply == NULL) {
        st->redis_error = cmd->error;

    } else if (reply->type != REDIS_REPLY_STATUS
               || ngx_strcmp(reply->str, "PONG") != 0)
    {
        st->redis_error = "unexpected reply to PING";
    }

    ngx_http_jobscout_ready_step(cmd->request);
}


static void
ngx_http_jobscout_ready_step(ngx_http_request_t *r)
{
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (--ctx->pending) {
        return;
    }

    ngx_http_jobscout_finalize(r, ngx_http_jobscout_ready_send(r, ctx->data));
}


static ngx_int_t
ngx_http_jobscout_ready_send(ngx_http_request_t *r,
    ngx_http_jobscout_ready_t *st)
{
    u_char                   *body, *p;
    size_t                    len;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    len = sizeof("{\"status\":\"unavailable\",\"error\":{"
                 "\"code\":\"not_ready\","
                 "\"message\":\"failing checks: database, redis\","
                 "\"request_id\":\"\"},\"checks\":{\"database\":\"\","
                 "\"redis\":\"\",\"scrapers_failing\":null},"
                 "\"timestamp\":\"\"}")
          + ctx->request_id.len
          + (st->pg_error ? ngx_strlen(st->pg_error) : 2)
          + (st->redis_error ? ngx_strlen(st->redis_error) : 2)
          + st->failing.len
          + ngx_cached_http_log_iso8601.len;

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    /* the error texts are ours, never a server's: no escaping needed */

    if (st->pg_error == NULL && st->redis_error == NULL) {
        p = ngx_sprintf(body, "{\"status\":\"ready\"");

    } else {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "jobscout: not ready: database: %s, redis: %s, "
                      "request_id: %V",
                      st->pg_error ? st->pg_error : "ok",
                      st->redis_error ? st->redis_error : "ok",
                      &ctx->request_id);

        p = ngx_sprintf(body, "{\"status\":\"unavailable\",\"error\":{"
                        "\"code\":\"not_ready\",\"message\":\"failing "
                        "checks: %s%s%s\",\"request_id\":\"%V\"}",
                        st->pg_error ? "database" : "",
                        st->pg_error && st->redis_error ? ", " : "",
                        st->redis_error ? "redis" : "",
                        &ctx->request_id);
    }

    p = ngx_sprintf(p, ",\"checks\":{\"database\":\"%s\",\"redis\":\"%s\","
                    "\"scrapers_failing\":",
                    st->pg_error ? st->pg_error : "ok",
                    st->redis_error ? st->redis_error : "ok");

    if (st->failing.len) {
        p = ngx_sprintf(p, "%V", &st->failing);

    } else {
        p = ngx_sprintf(p, "null");
    }

    p = ngx_sprintf(p, "},\"timestamp\":\"%V\"}",
                    &ngx_cached_http_log_iso8601);

    return ngx_http_jobscout_send_json(r,
                                       (st->pg_error || st->redis_error)
                                       ? NGX_HTTP_SERVICE_UNAVAILABLE
                                       : NGX_HTTP_OK,
                                       body, p - body);
}


ngx_int_t
ngx_http_jobscout_test_sleep(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                        *value;
    ngx_int_t                      ms;
    ngx_str_t                      arg;
    const char                   **values;
    ngx_http_jobscout_pg_query_t  *q;

    if (ngx_http_arg(r, (u_char *) "seconds", 7, &arg) != NGX_OK) {
        return ngx_http_jobscout_send_error(r,
                                            NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                            "invalid_parameter",
                                            "seconds is required");
    }

    ms = ngx_atofp(arg.data, arg.len, 3);

    if (ms <= 0 || ms > 60000) {
        return ngx_http_jobscout_send_error(r,
                                            NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                            "invalid_parameter",
                                            "seconds must be a number "
                                            "from 0.001 to 60");
    }

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_pg_query_t));
    values = ngx_palloc(r->pool, sizeof(char *));
    value = ngx_pnalloc(r->pool, arg.len + 1);
    if (q == NULL || values == NULL || value == NULL) {
        return NGX_ERROR;
    }

    /* the validated text itself is the parameter */

    *ngx_cpymem(value, arg.data, arg.len) = '\0';
    values[0] = (const char *) value;

    q->stmt = &ngx_http_jobscout_sleep_stmt;
    q->values = values;
    q->handler = ngx_http_jobscout_test_sleep_done;

    if (ngx_http_jobscout_pg_query(r, q) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, q, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_test_sleep_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t  rc;

    static u_char  body[] = "{\"slept\":true}";

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = ngx_http_jobscout_pg_send_error(q->request, q, res);

    } else {
        rc = ngx_http_jobscout_send_json(q->request, NGX_HTTP_OK, body,
                                         sizeof(body) - 1);
    }

    ngx_http_jobscout_finalize(q->request, rc);
}
