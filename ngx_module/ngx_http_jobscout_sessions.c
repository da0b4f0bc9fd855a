
/*
 * Job Scout: is a session revoked?  PostgreSQL knows (auth_sessions, see
 * sql/migrations/0013_auth_sessions.sql); Redis caches its revoked token
 * families, and is trusted only while it holds the marker written when
 * the cache was primed from PostgreSQL, naming the run_id of the Redis
 * server primed.  A Redis flushed, or restarted (with its data or not),
 * or replaced holds no marker or another server's: until one request of
 * some worker has primed it again, each request asks PostgreSQL (one
 * indexed lookup, never blocking), so no revoked token passes, not even
 * on the first request, and no valid session is lost.
 *
 * Priming is raced safely: the primer takes a lock whose value is a fresh
 * generation, reads the revocations, and writes them with the marker in
 * one script that first checks the lock still holds that generation.  A
 * flush between the two empties the lock, and the script then writes
 * nothing.  A revocation committed after the read writes its own key
 * after its commit, so it is in Redis by the time the marker is.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_PRIME_LOCK_MS  "10000"


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[1];
    u_char                          generation[33];
    ngx_uint_t                      primer;
    ngx_uint_t                      revoked;
} ngx_http_jobscout_session_t;


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[1];
    ngx_http_jobscout_revoked_pt    done;
    void                           *data;
} ngx_http_jobscout_revoke_t;


static void ngx_http_jobscout_session_cached(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_session_locked(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_session_checked(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_session_listed(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_session_primed(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_session_decided(ngx_http_request_t *r,
    ngx_http_jobscout_session_t *st);
static void ngx_http_jobscout_session_continue(ngx_http_request_t *r);
static void ngx_http_jobscout_session_revoked(ngx_http_request_t *r);
static void ngx_http_jobscout_cache_distrusted(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_sessions_revoked(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_sessions_cached(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);


/*
 * A revocation that reached PostgreSQL but not Redis leaves the cache
 * short of it: this worker drops the marker at its next chance, before
 * anything else it asks Redis.
 */

static ngx_uint_t  ngx_http_jobscout_cache_stale;


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_session_stmt = {
    "session_revoked",
    "SELECT EXISTS (SELECT FROM auth_sessions"
    "                WHERE family = $1 AND revoked_at IS NOT NULL)",
    1, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_revocations_stmt = {
    "session_revocations",
    "SELECT family, ceil(extract(epoch FROM expires_at - now()))::bigint"
    "  FROM auth_sessions"
    " WHERE revoked_at IS NOT NULL AND expires_at > now()",
    0, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_revoke_all_stmt = {
    "sessions_revoke_all",
    "UPDATE auth_sessions SET revoked_at = now()"
    " WHERE user_id = $1::uuid AND revoked_at IS NULL"
    "   AND expires_at > now()"
    " RETURNING family",
    1, 0
};


/*
 * KEYS: the lock, the marker.  ARGV: the generation, then each revoked
 * family and its remaining life (s).
 */

static const char  ngx_http_jobscout_prime_lua[] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
    "for i = 2, #ARGV, 2 do "
    "  redis.call('SET', '" NGX_HTTP_JOBSCOUT_REVOKED_FAM "' .. ARGV[i], "
    "             '1', 'EX', ARGV[i + 1]) "
    "end "
    "redis.call('SET', KEYS[2], "
    "           string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')) "
    "redis.call('DEL', KEYS[1]) "
    "return 1";

/* KEYS: the families' revocation keys.  ARGV: their life (s) */

static const char  ngx_http_jobscout_cache_lua[] =
    "for _, k in ipairs(KEYS) do "
    "  redis.call('SET', k, '1', 'EX', ARGV[1]) "
    "end "
    "return #KEYS";


/* the request's access token passed its signature: is it revoked? */

ngx_int_t
ngx_http_jobscout_session_check(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char      *fam;
    size_t       argvlen[3];
    ngx_int_t    rc;
    const char  *argv[3];

    if (ngx_http_jobscout_cache_stale) {
        argv[0] = "DEL";
        argvlen[0] = 3;
        argv[1] = NGX_HTTP_JOBSCOUT_CACHE_PRIMED;
        argvlen[1] = sizeof(NGX_HTTP_JOBSCOUT_CACHE_PRIMED) - 1;

        /* sent first on the connection: the MGET below sees no marker */

        (void) ngx_http_jobscout_redis_command(r,
                                    ngx_http_jobscout_cache_distrusted, NULL,
                                    2, argv, argvlen);
    }

    fam = ngx_pnalloc(r->pool, sizeof(NGX_HTTP_JOBSCOUT_REVOKED_FAM) - 1
                               + ctx->token.fam.len);
    if (fam == NULL) {
        return NGX_ERROR;
    }

    argv[0] = "MGET";
    argvlen[0] = 4;
    argv[1] = (const char *) fam;
    argvlen[1] = ngx_sprintf(fam, NGX_HTTP_JOBSCOUT_REVOKED_FAM "%V",
                             &ctx->token.fam) - fam;
    argv[2] = NGX_HTTP_JOBSCOUT_CACHE_PRIMED;
    argvlen[2] = sizeof(NGX_HTTP_JOBSCOUT_CACHE_PRIMED) - 1;

    rc = ngx_http_jobscout_redis_command(r, ngx_http_jobscout_session_cached,
                                         NULL, 3, argv, argvlen);
    if (rc != NGX_OK) {
        /* fail closed: a revoked token must not pass while Redis is away */
        return ngx_http_jobscout_send_unavailable(r,
                                             "cannot check the session now");
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_session_cached(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    size_t                        argvlen[6];
    ngx_int_t                     rc;
    ngx_str_t                     run_id;
    const char                   *argv[6];
    redisReply                   *marker;
    ngx_http_request_t           *r;
    ngx_http_jobscout_session_t  *st;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2)
    {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_unavailable(r,
                                             "cannot check the session now"));
        return;
    }

    if (reply->element[0]->type != REDIS_REPLY_NIL) {
        ngx_http_jobscout_session_revoked(r);
        return;
    }

    marker = reply->element[1];
    ngx_http_jobscout_redis_run_id(r, &run_id);

    if (marker->type == REDIS_REPLY_STRING && run_id.len
        && (size_t) marker->len == run_id.len
        && ngx_strncmp(marker->str, run_id.data, run_id.len) == 0)
    {
        ngx_http_jobscout_session_continue(r);
        return;
    }

    /* not primed in this server's life: PostgreSQL decides, one primes */

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_session_t));
    if (st == NULL
        || ngx_http_jobscout_random_hex(st->generation, 16) != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    argv[0] = "SET";
    argvlen[0] = 3;
    argv[1] = NGX_HTTP_JOBSCOUT_CACHE_PRIMING;
    argvlen[1] = sizeof(NGX_HTTP_JOBSCOUT_CACHE_PRIMING) - 1;
    argv[2] = (const char *) st->generation;
    argvlen[2] = 32;
    argv[3] = "NX";
    argvlen[3] = 2;
    argv[4] = "PX";
    argvlen[4] = 2;
    argv[5] = NGX_HTTP_JOBSCOUT_PRIME_LOCK_MS;
    argvlen[5] = sizeof(NGX_HTTP_JOBSCOUT_PRIME_LOCK_MS) - 1;

    rc = ngx_http_jobscout_redis_command(r, ngx_http_jobscout_session_locked,
                                         st, 6, argv, argvlen);
    if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_unavailable(r,
                                             "cannot check the session now"));
    }
}


static void
ngx_http_jobscout_session_locked(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_request_t           *r;
    ngx_http_jobscout_ctx_t      *ctx;
    ngx_http_jobscout_session_t  *st;

    r = cmd->request;
    st = cmd->data;
    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    /* the lock is only about priming: the check goes on without it */

    st->primer = reply != NULL && reply->type == REDIS_REPLY_STATUS;

    st->values[0] = ngx_http_jobscout_cstr(r->pool, &ctx->token.fam);
    if (st->values[0] == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    st->query.stmt = &ngx_http_jobscout_session_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_session_checked;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_pg_send_error(r, &st->query, NULL));
    }
}


static void
ngx_http_jobscout_session_checked(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_request_t           *r;
    ngx_http_jobscout_session_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_pg_row(q, res, NULL) != NGX_OK) {
        return;
    }

    st->revoked = PQgetvalue(res, 0, 0)[0] == 't';

    if (st->primer) {
        ngx_memzero(&st->query, sizeof(ngx_http_jobscout_pg_query_t));
        st->query.stmt = &ngx_http_jobscout_revocations_stmt;
        st->query.handler = ngx_http_jobscout_session_listed;
        st->query.data = st;

        if (ngx_http_jobscout_pg_query(r, &st->query) == NGX_OK) {
            return;
        }

        /* not primed now: the lock expires, a later request primes */
    }

    ngx_http_jobscout_session_decided(r, st);
}


static void
ngx_http_jobscout_session_decided(ngx_http_request_t *r,
    ngx_http_jobscout_session_t *st)
{
    if (st->revoked) {
        ngx_http_jobscout_session_revoked(r);
        return;
    }

    ngx_http_jobscout_session_continue(r);
}


static void
ngx_http_jobscout_session_listed(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    int                           i, n;
    size_t                       *argvlen;
    ngx_uint_t                    argc;
    const char                  **argv;
    ngx_http_request_t           *r;
    ngx_http_jobscout_session_t  *st;

    r = q->request;
    st = q->data;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: cannot read the revocations to prime "
                      "Redis: %s", res ? PQresultErrorMessage(res)
                                       : q->error);
        ngx_http_jobscout_session_decided(r, st);
        return;
    }

    n = PQntuples(res);
    argc = 6 + 2 * (ngx_uint_t) n;

    argv = ngx_palloc(r->pool, argc * sizeof(char *));
    argvlen = ngx_palloc(r->pool, argc * sizeof(size_t));
    if (argv == NULL || argvlen == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    argv[0] = "EVAL";
    argvlen[0] = 4;
    argv[1] = ngx_http_jobscout_prime_lua;
    argvlen[1] = sizeof(ngx_http_jobscout_prime_lua) - 1;
    argv[2] = "2";
    argvlen[2] = 1;
    argv[3] = NGX_HTTP_JOBSCOUT_CACHE_PRIMING;
    argvlen[3] = sizeof(NGX_HTTP_JOBSCOUT_CACHE_PRIMING) - 1;
    argv[4] = NGX_HTTP_JOBSCOUT_CACHE_PRIMED;
    argvlen[4] = sizeof(NGX_HTTP_JOBSCOUT_CACHE_PRIMED) - 1;
    argv[5] = (const char *) st->generation;
    argvlen[5] = 32;

    /* hiredis copies the arguments into its buffer: res may go after */

    for (i = 0; i < n; i++) {
        argv[6 + 2 * i] = PQgetvalue(res, i, 0);
        argvlen[6 + 2 * i] = PQgetlength(res, i, 0);
        argv[7 + 2 * i] = PQgetvalue(res, i, 1);
        argvlen[7 + 2 * i] = PQgetlength(res, i, 1);
    }

    /* the script runs even if this request is gone before its reply */

    if (ngx_http_jobscout_redis_command(r, ngx_http_jobscout_session_primed,
                                        NULL, (int) argc, argv, argvlen)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: cannot prime Redis with the revocations");
    }

    ngx_http_jobscout_session_decided(r, st);
}


static void
ngx_http_jobscout_session_primed(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    /* the request went on meanwhile: only the outcome is noted */

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, cmd->request->connection->log, 0,
                      "jobscout: priming Redis with the revocations "
                      "failed: %s", cmd->error ? cmd->error : "no answer");
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, cmd->request->connection->log, 0,
                  reply->integer ? "jobscout: Redis primed with the "
                                   "revocations from PostgreSQL"
                                 : "jobscout: Redis was emptied while "
                                   "priming: primed on a later request");
}


static void
ngx_http_jobscout_session_continue(ngx_http_request_t *r)
{
    ngx_int_t                 rc;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    rc = ngx_http_jobscout_cache_run(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


static void
ngx_http_jobscout_session_revoked(ngx_http_request_t *r)
{
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
    ctx->token_state = NGX_HTTP_JOBSCOUT_TOKEN_INVALID;

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_unauthorized(r, "the token was revoked"));
}


static void
ngx_http_jobscout_cache_distrusted(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    if (reply != NULL) {
        ngx_http_jobscout_cache_stale = 0;
    }
}


/*
 * Revoked families into the cache, after their commit: ttl is their
 * life in seconds.  On failure the cache is distrusted (see above).
 */

ngx_int_t
ngx_http_jobscout_cache_revoked(ngx_http_request_t *r, ngx_str_t *fams,
    ngx_uint_t n, time_t ttl, ngx_http_jobscout_redis_handler_pt handler,
    void *data)
{
    u_char       *p;
    size_t       *argvlen;
    ngx_int_t     rc;
    ngx_uint_t    i;
    const char  **argv;

    argv = ngx_palloc(r->pool, (n + 4) * sizeof(char *));
    argvlen = ngx_palloc(r->pool, (n + 4) * sizeof(size_t));
    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN + NGX_TIME_T_LEN);
    if (argv == NULL || argvlen == NULL || p == NULL) {
        return NGX_ERROR;
    }

    argv[0] = "EVAL";
    argvlen[0] = 4;
    argv[1] = ngx_http_jobscout_cache_lua;
    argvlen[1] = sizeof(ngx_http_jobscout_cache_lua) - 1;
    argv[2] = (const char *) p;
    argvlen[2] = ngx_sprintf(p, "%ui", n) - p;
    p += argvlen[2];

    for (i = 0; i < n; i++) {
        argv[3 + i] = ngx_pnalloc(r->pool,
                                  sizeof(NGX_HTTP_JOBSCOUT_REVOKED_FAM) - 1
                                  + fams[i].len);
        if (argv[3 + i] == NULL) {
            return NGX_ERROR;
        }

        argvlen[3 + i] = ngx_sprintf((u_char *) argv[3 + i],
                                     NGX_HTTP_JOBSCOUT_REVOKED_FAM "%V",
                                     &fams[i])
                         - (u_char *) argv[3 + i];
    }

    argv[3 + n] = (const char *) p;
    argvlen[3 + n] = ngx_sprintf(p, "%T", ttl) - p;

    rc = ngx_http_jobscout_redis_command(r, handler, data, (int) n + 4,
                                         argv, argvlen);
    if (rc != NGX_OK) {
        ngx_http_jobscout_cache_stale = 1;
    }

    return rc;
}


/* the reply of ngx_http_jobscout_cache_revoked(): NULL distrusts the cache */

void
ngx_http_jobscout_cache_noted(redisReply *reply)
{
    if (reply == NULL) {
        ngx_http_jobscout_cache_stale = 1;
    }
}


/*
 * Every session of a user: after a password reset, a deletion, disabling.
 * done() learns whether PostgreSQL and then Redis took the revocation.
 */

ngx_int_t
ngx_http_jobscout_revoke_sessions(ngx_http_request_t *r, ngx_str_t *user,
    ngx_http_jobscout_revoked_pt done, void *data)
{
    ngx_http_jobscout_revoke_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_revoke_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->values[0] = ngx_http_jobscout_cstr(r->pool, user);
    if (st->values[0] == NULL) {
        return NGX_ERROR;
    }

    st->done = done;
    st->data = data;
    st->query.stmt = &ngx_http_jobscout_revoke_all_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_sessions_revoked;
    st->query.data = st;

    return ngx_http_jobscout_pg_query(r, &st->query);
}


static void
ngx_http_jobscout_sessions_revoked(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    int                              i, n;
    ngx_str_t                       *fams;
    ngx_http_request_t              *r;
    ngx_http_jobscout_revoke_t      *st;
    ngx_http_jobscout_main_conf_t   *jmcf;

    r = q->request;
    st = q->data;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: revoking the sessions failed: %s",
                      res ? PQresultErrorMessage(res) : q->error);
        st->done(r, st->data, 0);
        return;
    }

    n = PQntuples(res);

    if (n == 0) {
        st->done(r, st->data, 1);
        return;
    }

    fams = ngx_palloc(r->pool, n * sizeof(ngx_str_t));
    if (fams == NULL) {
        st->done(r, st->data, 0);
        return;
    }

    for (i = 0; i < n; i++) {
        fams[i].data = (u_char *) PQgetvalue(res, i, 0);
        fams[i].len = PQgetlength(res, i, 0);
    }

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_cache_revoked(r, fams, n,
                                        jmcf->jwt.refresh_ttl
                                        + jmcf->jwt.leeway,
                                        ngx_http_jobscout_sessions_cached, st)
        != NGX_OK)
    {
        st->done(r, st->data, 0);
    }
}


static void
ngx_http_jobscout_sessions_cached(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_revoke_t  *st = cmd->data;

    ngx_http_jobscout_cache_noted(reply);

    st->done(cmd->request, st->data, reply != NULL);
}


/* 503 with Retry-After: a moment's trouble, worth a retry */

ngx_int_t
ngx_http_jobscout_send_unavailable(ngx_http_request_t *r, const char *message)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Retry-After");
    ngx_str_set(&h->value, "1");

    return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                        "unavailable", message);
}


/* a NUL-terminated copy, for a query's values */

const char *
ngx_http_jobscout_cstr(ngx_pool_t *pool, ngx_str_t *s)
{
    u_char  *p;

    p = ngx_pnalloc(pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    *ngx_cpymem(p, s->data, s->len) = '\0';

    return (const char *) p;
}
