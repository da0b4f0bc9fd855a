
/*
 * Job Scout: accounts and sessions.
 *
 * Registering gives no tokens: a user logs in once the e-mail address is
 * verified (403 email_unverified before), so an unverified account cannot
 * act at all.  A login starts a token family; /auth/refresh rotates the
 * refresh token within it.  The same refresh token presented again within
 * 5 s gets the same new pair (parallel retries of the mobile app); later,
 * it is taken as stolen and the whole family is revoked.  Sessions and
 * their revocations are committed to PostgreSQL before the answer, then
 * cached in Redis (ngx_http_jobscout_sessions.c).
 */


#include "ngx_http_jobscout.h"
#include "jobscout_task.h"


#define NGX_HTTP_JOBSCOUT_REFRESH_WINDOW  5000     /* ms */


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[5];
    ngx_str_t                       email;
    ngx_str_t                       password;
    ngx_str_t                       full_name;
    u_char                          token[65];      /* sent by e-mail */
    u_char                          token_hash[65]; /* stored: SHA-256 */
} ngx_http_jobscout_register_t;


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[4];
    ngx_str_t                       email;      /* as sent, then as stored */
    ngx_str_t                       password;
    ngx_str_t                       stored;     /* the password's hash */
    ngx_str_t                       id;
    ngx_str_t                       role;
    ngx_str_t                       name;
    ngx_uint_t                      found;
    ngx_uint_t                      active;
    ngx_uint_t                      verified;
    ngx_str_t                       pair;
    ngx_http_jobscout_throttle_t    throttle;
} ngx_http_jobscout_login_t;


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[6];
    ngx_str_t                       pair;
    ngx_str_t                       used;       /* the use record's key */
} ngx_http_jobscout_refresh_t;


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[2];
} ngx_http_jobscout_logout_t;




static void ngx_http_jobscout_register_hashed(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);
static void ngx_http_jobscout_register_stored(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_login_user(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_login_allowed(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_login_verify(ngx_http_request_t *r,
    ngx_http_jobscout_login_t *st);
static void ngx_http_jobscout_login_checked(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);
static ngx_int_t ngx_http_jobscout_login_refused(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_login_throttled(ngx_http_request_t *r,
    ngx_http_jobscout_login_t *st);
static void ngx_http_jobscout_login_mailed(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_login_known(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_login_start(ngx_http_request_t *r,
    ngx_http_jobscout_login_t *st);
static void ngx_http_jobscout_login_started(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_issue_pair(ngx_http_request_t *r,
    ngx_str_t *sub, ngx_str_t *role, ngx_str_t *fam, ngx_str_t *pair,
    ngx_str_t *refresh_jti);
static void ngx_http_jobscout_refresh_rotated(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_refresh_noted(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_refresh_same(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_refresh_refused(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_logout_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_logout_cached(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_register_stmt = {
    "auth_register",
    "WITH u AS ("
    "  INSERT INTO users (email, hashed_password, full_name)"
    "  VALUES ($1, $2, $3)"
    "  RETURNING id, email, full_name, email_verified, created_at"
    "), t AS ("
    "  INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at)"
    "  SELECT decode($4, 'hex'), u.id, 'verify_email',"
    "         now() + interval '24 hours' FROM u"
    "),"
    NGX_HTTP_JOBSCOUT_SQL_OUTBOX_MAIL(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL,
                                      "$5::text", "u")
    " SELECT json_build_object('id', id, 'email', email,"
    "        'full_name', full_name, 'email_verified', email_verified,"
    "        'created_at', created_at)::text FROM u",
    5, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_login_stmt = {
    "auth_login",
    "SELECT id, hashed_password, is_active AND deleted_at IS NULL,"
    "       email_verified, CASE WHEN is_admin THEN 'admin' ELSE 'user' END,"
    "       email, coalesce(full_name, '')"
    "  FROM users WHERE lower(email) = lower($1)",
    1, 0
};


/*
 * The owner's notice of a login budget spent, in the task outbox: committed
 * before the 401, so that Redis losing its queue loses no notice.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_login_throttled_stmt = {
    "auth_login_throttled",
    "WITH u AS (SELECT email, full_name FROM users WHERE id = $1::uuid),"
    NGX_HTTP_JOBSCOUT_SQL_OUTBOX_MAIL(JOBSCOUT_TASK_MAIL_LOGIN_THROTTLED,
                                      "NULL::text", "u")
    " SELECT count(*) FROM u",
    1, 0
};


/*
 * The session, durable before its tokens are answered; the user's dead
 * sessions go; last_login_at is the admin stats' "active in 7 days".
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_login_session_stmt = {
    "auth_login_session",
    "WITH expired AS ("
    "  DELETE FROM auth_sessions"
    "   WHERE user_id = $1::uuid AND expires_at < now()"
    "), session AS ("
    "  INSERT INTO auth_sessions (family, user_id, refresh_jti, expires_at)"
    "  VALUES ($2, $1::uuid, $3, now() + $4::int * interval '1 second')"
    ")"
    " UPDATE users SET last_login_at = now() WHERE id = $1::uuid",
    4, 0
};

/*
 * $1 family, $2 user, $3 the presented refresh token's id, $4 the new
 * one's, $5 the family's new life (s), $6 the retry window (ms).  The
 * row lock orders parallel refreshes: the second sees the first's
 * rotation, and answers "same" within the window, "stolen" after it.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_refresh_stmt = {
    "auth_refresh",
    "WITH s AS ("
    "  SELECT family, refresh_jti, previous_jti, rotated_at, revoked_at,"
    "         expires_at > now() AS live"
    "    FROM auth_sessions"
    "   WHERE family = $1 AND user_id = $2::uuid FOR UPDATE"
    "), rotated AS ("
    "  UPDATE auth_sessions a"
    "     SET refresh_jti = $4, previous_jti = $3, rotated_at = now(),"
    "         expires_at = now() + $5::int * interval '1 second'"
    "    FROM s"
    "   WHERE a.family = s.family AND s.revoked_at IS NULL AND s.live"
    "     AND s.refresh_jti = $3"
    "  RETURNING 1"
    "), stolen AS ("
    "  UPDATE auth_sessions a SET revoked_at = now()"
    "    FROM s"
    "   WHERE a.family = s.family AND s.revoked_at IS NULL AND s.live"
    "     AND s.refresh_jti <> $3"
    "     AND (s.previous_jti IS DISTINCT FROM $3"
    "          OR s.rotated_at <= now() - $6::int * interval '1 ms')"
    "  RETURNING 1"
    ")"
    " SELECT CASE WHEN EXISTS (SELECT FROM rotated) THEN 'new'"
    "             WHEN EXISTS (SELECT FROM stolen) THEN 'stolen'"
    "             WHEN EXISTS (SELECT FROM s WHERE revoked_at IS NULL"
    "                            AND live AND previous_jti = $3)"
    "             THEN 'same'"
    "             ELSE 'revoked' END",
    6, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_logout_stmt = {
    "auth_logout",
    "UPDATE auth_sessions SET revoked_at = coalesce(revoked_at, now())"
    " WHERE family = $1 AND user_id = $2::uuid",
    2, 0
};


ngx_int_t
ngx_http_jobscout_auth_register(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_register_t  *st;

    static const char  *allowed[] = { "email", "password", "full_name",
                                      NULL };

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_register_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "email", 3, 254,
                                         &st->email) != NGX_OK
        || ngx_http_jobscout_check_email(ctx, &st->email) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "password", 8, 72,
                                         &st->password) != NGX_OK
        || ngx_http_jobscout_check_password(ctx, &st->password, &st->email)
           != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "full_name", 1, 100,
                                         &st->full_name) != NGX_OK
        || ngx_http_jobscout_check_name(ctx, "full_name", &st->full_name)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (ngx_http_jobscout_new_token(st->token, st->token_hash) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_password_hash(r, &st->password,
                                        ngx_http_jobscout_register_hashed, st)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_register_hashed(ngx_http_request_t *r, void *data,
    ngx_int_t ok, u_char *hash)
{
    ngx_http_jobscout_register_t *st = data;

    if (!ok) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                         "internal_error",
                                         "cannot hash the password"));
        return;
    }

    /* the body's strings and the hash are NUL-terminated, in r->pool */

    st->values[0] = (const char *) st->email.data;
    st->values[1] = (const char *) hash;
    st->values[2] = (const char *) st->full_name.data;
    st->values[3] = (const char *) st->token_hash;
    st->values[4] = (const char *) st->token;

    st->query.stmt = &ngx_http_jobscout_register_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_register_stored;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_pg_send_error(r, &st->query, NULL));
    }
}


static void
ngx_http_jobscout_register_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    const char          *sqlstate;
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK
        || PQntuples(res) != 1)
    {
        sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

        /* unique_violation: the address is taken */

        if (sqlstate && ngx_strcmp(sqlstate, "23505") == 0) {
            ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT,
                                             "email_taken",
                                             "this e-mail address is "
                                             "already registered"));
            return;
        }

        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    /* the account and its e-mail, committed together */

    ngx_http_jobscout_finalize(r,
                        ngx_http_jobscout_send_pg_json(r, NGX_HTTP_CREATED,
                                                       res));
}


ngx_int_t
ngx_http_jobscout_auth_login(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_login_t  *st;

    static const char  *allowed[] = { "email", "password", NULL };

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_login_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "email", 1, 254,
                                         &st->email) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "password", 1, 72,
                                         &st->password) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    st->values[0] = (const char *) st->email.data;
    st->query.stmt = &ngx_http_jobscout_login_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_login_user;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_login_user(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_http_jobscout_login_t *st = q->data;

    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    if (PQntuples(res) == 1) {
        st->found = 1;
        st->id.len = PQgetlength(res, 0, 0);
        st->id.data = ngx_pnalloc(r->pool, st->id.len + 1);
        st->role.len = PQgetlength(res, 0, 4);
        st->role.data = ngx_pnalloc(r->pool, st->role.len);

        if (st->id.data == NULL || st->role.data == NULL
            || ngx_http_jobscout_pg_copy(r->pool, res, 1, &st->stored)
               != NGX_OK
            || ngx_http_jobscout_pg_copy(r->pool, res, 5, &st->email)
               != NGX_OK
            || ngx_http_jobscout_pg_copy(r->pool, res, 6, &st->name)
               != NGX_OK)
        {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_memcpy(st->id.data, PQgetvalue(res, 0, 0), st->id.len);
        ngx_memcpy(st->role.data, PQgetvalue(res, 0, 4), st->role.len);
        st->active = PQgetvalue(res, 0, 2)[0] == 't';
        st->verified = PQgetvalue(res, 0, 3)[0] == 't';
    }

    /*
     * The attempt counts for the account before any password is checked,
     * keyed by the stored address when there is one: PostgreSQL's lower()
     * matches case variants that a byte-wise lower case would count apart.
     */

    rc = ngx_http_jobscout_throttle_check(r, &st->throttle, &st->email,
                                          ngx_http_jobscout_login_allowed,
                                          st);

    if (rc == NGX_DECLINED) {
        ngx_http_jobscout_login_verify(r, st);

    } else if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot log in now"));
    }
}


static void
ngx_http_jobscout_login_allowed(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_login_t *st = cmd->data;

    ngx_http_request_t  *r;

    r = cmd->request;

    switch (ngx_http_jobscout_throttle_checked(r, &st->throttle, reply)) {

    case NGX_OK:
        ngx_http_jobscout_login_verify(r, st);
        return;

    case NGX_BUSY:
        ngx_http_jobscout_finalize(r,
                    ngx_http_jobscout_send_throttled(r, &st->throttle));
        return;

    default:
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot log in now"));
    }
}


static void
ngx_http_jobscout_login_verify(ngx_http_request_t *r,
    ngx_http_jobscout_login_t *st)
{
    /* an unknown address costs the same bcrypt time as a wrong password */

    if (ngx_http_jobscout_password_verify(r, &st->password,
                                          st->found ? &st->stored : NULL,
                                          ngx_http_jobscout_login_checked, st)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
    }
}


static void
ngx_http_jobscout_login_checked(ngx_http_request_t *r, void *data,
    ngx_int_t ok, u_char *hash)
{
    ngx_http_jobscout_login_t *st = data;

    ngx_int_t  rc;

    if (!ok || !st->found || !st->active) {

        /* the budget just spent: the owner hears of it, once */

        if (st->found && st->active && st->verified
            && ngx_http_jobscout_throttle_spent(r, &st->throttle))
        {
            if (ngx_http_jobscout_login_throttled(r, st) == NGX_OK) {
                return;
            }

            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "jobscout: cannot queue the login throttle "
                          "e-mail: %s",
                          st->query.error ? st->query.error : "no memory");
        }

        ngx_http_jobscout_finalize(r, ngx_http_jobscout_login_refused(r));
        return;
    }

    if (!st->verified) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_FORBIDDEN,
                                         "email_unverified",
                                         "verify your e-mail address "
                                         "before logging in"));
        return;
    }

    rc = ngx_http_jobscout_throttle_passed(r, &st->throttle,
                                           ngx_http_jobscout_login_known, st);

    /* off, or Redis away: the session, which needs Redis, will tell */

    if (rc != NGX_OK) {
        ngx_http_jobscout_login_start(r, st);
    }
}


static ngx_int_t
ngx_http_jobscout_login_refused(ngx_http_request_t *r)
{
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_AUTH_CREDENTIALS);

    return ngx_http_jobscout_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                        "invalid_credentials",
                                        "invalid e-mail or password");
}


static ngx_int_t
ngx_http_jobscout_login_throttled(ngx_http_request_t *r,
    ngx_http_jobscout_login_t *st)
{
    ngx_memzero(&st->query, sizeof(ngx_http_jobscout_pg_query_t));

    st->values[0] = ngx_http_jobscout_cstr(r->pool, &st->id);
    if (st->values[0] == NULL) {
        return NGX_ERROR;
    }

    st->query.stmt = &ngx_http_jobscout_login_throttled_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_login_mailed;
    st->query.data = st;

    return ngx_http_jobscout_pg_query(r, &st->query);
}


/* queued or not, the guess is refused as any wrong password is */

static void
ngx_http_jobscout_login_mailed(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_log_error(NGX_LOG_ERR, q->request->connection->log, 0,
                      "jobscout: cannot queue the login throttle e-mail: %s",
                      res ? PQresultErrorMessage(res)
                          : q->error ? q->error : "no answer");
    }

    ngx_http_jobscout_finalize(q->request,
                               ngx_http_jobscout_login_refused(q->request));
}


/* the address is remembered (or not): the session starts all the same */

static void
ngx_http_jobscout_login_known(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_login_start(cmd->request, cmd->data);
}


static void
ngx_http_jobscout_login_start(ngx_http_request_t *r,
    ngx_http_jobscout_login_t *st)
{
    u_char                         *ttl;
    ngx_str_t                       fam, jti;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    fam.len = 32;
    fam.data = ngx_pnalloc(r->pool, fam.len);
    ttl = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 1);

    if (fam.data == NULL || ttl == NULL
        || ngx_http_jobscout_random_hex(fam.data, 16) != NGX_OK
        || ngx_http_jobscout_issue_pair(r, &st->id, &st->role, &fam,
                                        &st->pair, &jti)
           != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    *ngx_sprintf(ttl, "%T", jmcf->jwt.refresh_ttl + jmcf->jwt.leeway) = '\0';

    st->id.data[st->id.len] = '\0';
    st->values[0] = (const char *) st->id.data;
    st->values[1] = ngx_http_jobscout_cstr(r->pool, &fam);
    st->values[2] = ngx_http_jobscout_cstr(r->pool, &jti);
    st->values[3] = (const char *) ttl;

    if (st->values[1] == NULL || st->values[2] == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    ngx_memzero(&st->query, sizeof(ngx_http_jobscout_pg_query_t));
    st->query.stmt = &ngx_http_jobscout_login_session_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_login_started;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_pg_send_error(r, &st->query, NULL));
    }
}


static void
ngx_http_jobscout_login_started(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_login_t *st = q->data;

    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        ngx_http_jobscout_finalize(q->request,
                        ngx_http_jobscout_pg_send_error(q->request, q, res));
        return;
    }

    ngx_http_jobscout_finalize(q->request,
        ngx_http_jobscout_send_str(q->request, NGX_HTTP_OK, &st->pair));
}


/* {"access_token", "refresh_token", "token_type", "expires_in"} */

static ngx_int_t
ngx_http_jobscout_issue_pair(ngx_http_request_t *r, ngx_str_t *sub,
    ngx_str_t *role, ngx_str_t *fam, ngx_str_t *pair, ngx_str_t *refresh_jti)
{
    char                           *access, *refresh;
    json_t                         *json;
    ngx_str_t                       jti;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    access = ngx_http_jobscout_jwt_issue(r, sub, role, fam, 0, &jti);
    refresh = ngx_http_jobscout_jwt_issue(r, sub, role, fam, 1, refresh_jti);

    if (access == NULL || refresh == NULL) {
        return NGX_ERROR;
    }

    json = json_pack("{s:s,s:s,s:s,s:I}", "access_token", access,
                     "refresh_token", refresh, "token_type", "Bearer",
                     "expires_in", (json_int_t) jmcf->jwt.access_ttl);
    if (json == NULL) {
        return NGX_ERROR;
    }

    pair->len = json_dumpb(json, NULL, 0, JSON_COMPACT);
    pair->data = ngx_pnalloc(r->pool, pair->len);

    if (pair->data == NULL
        || json_dumpb(json, (char *) pair->data, pair->len, JSON_COMPACT)
           != pair->len)
    {
        json_decref(json);
        return NGX_ERROR;
    }

    json_decref(json);

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_auth_refresh(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                         *ttl, *window;
    ngx_str_t                       token, jti;
    ngx_http_jobscout_refresh_t    *st;
    ngx_http_jobscout_main_conf_t  *jmcf;

    static const char  *allowed[] = { "refresh_token", NULL };

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "refresh_token", 1, 4096,
                                         &token) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (ngx_http_jobscout_jwt_verify(r, token.data, token.len, &ctx->token)
        != NGX_OK
        || !ctx->token.refresh)
    {
        ctx->token_state = NGX_HTTP_JOBSCOUT_TOKEN_INVALID;
        return ngx_http_jobscout_send_unauthorized(r,
                                     "the refresh token is invalid or expired");
    }

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_refresh_t));
    if (st == NULL
        || ngx_http_jobscout_issue_pair(r, &ctx->token.sub, &ctx->token.role,
                                        &ctx->token.fam, &st->pair, &jti)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ctx->data = st;

    st->used.data = ngx_pnalloc(r->pool, sizeof(NGX_HTTP_JOBSCOUT_USED_REFRESH)
                                         - 1 + ctx->token.jti.len);
    ttl = ngx_pnalloc(r->pool, NGX_TIME_T_LEN + 1);
    window = ngx_pnalloc(r->pool, NGX_INT_T_LEN + 1);
    if (st->used.data == NULL || ttl == NULL || window == NULL) {
        return NGX_ERROR;
    }

    st->used.len = ngx_sprintf(st->used.data, NGX_HTTP_JOBSCOUT_USED_REFRESH
                               "%V", &ctx->token.jti) - st->used.data;
    *ngx_sprintf(ttl, "%T", jmcf->jwt.refresh_ttl + jmcf->jwt.leeway) = '\0';
    *ngx_sprintf(window, "%d", NGX_HTTP_JOBSCOUT_REFRESH_WINDOW) = '\0';

    st->values[0] = ngx_http_jobscout_cstr(r->pool, &ctx->token.fam);
    st->values[1] = ngx_http_jobscout_cstr(r->pool, &ctx->token.sub);
    st->values[2] = ngx_http_jobscout_cstr(r->pool, &ctx->token.jti);
    st->values[3] = ngx_http_jobscout_cstr(r->pool, &jti);
    st->values[4] = (const char *) ttl;
    st->values[5] = (const char *) window;

    if (st->values[0] == NULL || st->values[1] == NULL
        || st->values[2] == NULL || st->values[3] == NULL)
    {
        return NGX_ERROR;
    }

    st->query.stmt = &ngx_http_jobscout_refresh_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_refresh_rotated;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_refresh_rotated(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    char                           *verdict;
    size_t                          argvlen[5];
    ngx_int_t                       rc;
    const char                     *argv[5];
    ngx_http_request_t             *r;
    ngx_http_jobscout_ctx_t        *ctx;
    ngx_http_jobscout_refresh_t    *st;
    ngx_http_jobscout_main_conf_t  *jmcf;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_pg_row(q, res, NULL) != NGX_OK) {
        return;
    }

    verdict = PQgetvalue(res, 0, 0);

    argv[1] = (const char *) st->used.data;
    argvlen[1] = st->used.len;

    if (ngx_strcmp(verdict, "new") == 0) {

        /* the new pair, for a parallel retry within the window */

        argv[0] = "SET";
        argvlen[0] = 3;
        argv[2] = (const char *) st->pair.data;
        argvlen[2] = st->pair.len;
        argv[3] = "PX";
        argvlen[3] = 2;
        argv[4] = st->values[5];
        argvlen[4] = ngx_strlen(st->values[5]);

        if (ngx_http_jobscout_redis_command(r, ngx_http_jobscout_refresh_noted,
                                            st, 5, argv, argvlen)
            != NGX_OK)
        {
            ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &st->pair));
        }

        return;
    }

    if (ngx_strcmp(verdict, "same") == 0) {
        argv[0] = "GET";
        argvlen[0] = 3;

        if (ngx_http_jobscout_redis_command(r, ngx_http_jobscout_refresh_same,
                                            st, 2, argv, argvlen)
            != NGX_OK)
        {
            ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_unavailable(r,
                                           "cannot refresh the session now"));
        }

        return;
    }

    if (ngx_strcmp(verdict, "stolen") == 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "jobscout: a used refresh token came back: "
                      "its session is revoked");

        ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
        jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

        rc = ngx_http_jobscout_cache_revoked(r, &ctx->token.fam, 1,
                                             jmcf->jwt.refresh_ttl
                                             + jmcf->jwt.leeway,
                                             ngx_http_jobscout_refresh_refused,
                                             NULL);
        if (rc == NGX_OK) {
            return;
        }
    }

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_unauthorized(r,
                                          "the refresh token was revoked"));
}


static void
ngx_http_jobscout_refresh_noted(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_refresh_t *st = cmd->data;

    /* rotated in PostgreSQL: the pair is good even if Redis failed */

    ngx_http_jobscout_finalize(cmd->request,
        ngx_http_jobscout_send_str(cmd->request, NGX_HTTP_OK, &st->pair));
}


static void
ngx_http_jobscout_refresh_same(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_str_t           same;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_STRING) {

        /* the first request has not noted its pair yet, or Redis lost it */

        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_unavailable(r,
                                           "cannot refresh the session now"));
        return;
    }

    /* a parallel retry: the pair the first request got */

    same.len = reply->len;
    same.data = ngx_pnalloc(r->pool, same.len);
    if (same.data == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    ngx_memcpy(same.data, reply->str, same.len);
    ngx_http_jobscout_finalize(r,
                    ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &same));
}


static void
ngx_http_jobscout_refresh_refused(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_cache_noted(reply);

    ngx_http_jobscout_finalize(cmd->request,
        ngx_http_jobscout_send_unauthorized(cmd->request,
                                          "the refresh token was revoked"));
}


ngx_int_t
ngx_http_jobscout_auth_logout(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_logout_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_logout_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->values[0] = ngx_http_jobscout_cstr(r->pool, &ctx->token.fam);
    st->values[1] = ngx_http_jobscout_cstr(r->pool, &ctx->token.sub);
    if (st->values[0] == NULL || st->values[1] == NULL) {
        return NGX_ERROR;
    }

    st->query.stmt = &ngx_http_jobscout_logout_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_logout_stored;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_logout_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_request_t             *r;
    ngx_http_jobscout_ctx_t        *ctx;
    ngx_http_jobscout_main_conf_t  *jmcf;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_cache_revoked(r, &ctx->token.fam, 1,
                                        jmcf->jwt.refresh_ttl
                                        + jmcf->jwt.leeway,
                                        ngx_http_jobscout_logout_cached, NULL)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_unavailable(r, "cannot log out now"));
    }
}


static void
ngx_http_jobscout_logout_cached(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_request_t  *r;

    r = cmd->request;

    ngx_http_jobscout_cache_noted(reply);

    /* revoked in PostgreSQL already; a retry puts it in Redis too */

    ngx_http_jobscout_finalize(r, reply == NULL
        ? ngx_http_jobscout_send_unavailable(r, "cannot log out now")
        : ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0));
}


ngx_int_t
ngx_http_jobscout_check_email(ngx_http_jobscout_ctx_t *ctx, ngx_str_t *email)
{
    u_char  *at, *dot, *p, *end;

    ngx_strlow(email->data, email->data, email->len);

    end = email->data + email->len;
    at = ngx_strlchr(email->data, end, '@');

    if (at == NULL || at == email->data || at - email->data > 64
        || ngx_strlchr(at + 1, end, '@') != NULL)
    {
        return ngx_http_jobscout_body_refuse(ctx, "email",
                                        "is not an e-mail address");
    }

    dot = ngx_strlchr(at + 1, end, '.');

    if (dot == NULL || dot == at + 1 || end[-1] == '.') {
        return ngx_http_jobscout_body_refuse(ctx, "email",
                                        "is not an e-mail address");
    }

    for (p = email->data; p < end; p++) {
        if (*p == ' ' || *p == ',' || *p == '<' || *p == '>' || *p == '"') {
            return ngx_http_jobscout_body_refuse(ctx, "email",
                                            "is not an e-mail address");
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_send_str(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *json)
{
    return ngx_http_jobscout_send_json(r, status, json->data, json->len);
}
