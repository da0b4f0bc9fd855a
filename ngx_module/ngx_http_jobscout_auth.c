
/*
 * Job Scout: accounts and sessions.
 *
 * Registering gives no tokens: a user logs in once the e-mail address is
 * verified (403 email_unverified before), so an unverified account cannot
 * act at all.  A login starts a token family; /auth/refresh rotates the
 * refresh token within it.  The same refresh token presented again within
 * 5 s gets the same new pair (parallel retries of the mobile app); later,
 * it is taken as stolen and the whole family is revoked.
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
    const char                     *values[1];
    ngx_str_t                       password;
    ngx_str_t                       id;
    ngx_str_t                       role;
    ngx_uint_t                      found;
    ngx_uint_t                      active;
    ngx_uint_t                      verified;
    ngx_str_t                       pair;
} ngx_http_jobscout_login_t;


static ngx_int_t ngx_http_jobscout_check_email(ngx_http_jobscout_ctx_t *ctx,
    ngx_str_t *email);


static void ngx_http_jobscout_register_hashed(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);
static void ngx_http_jobscout_register_stored(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_login_user(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_login_checked(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);
static void ngx_http_jobscout_login_seen(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_login_stored(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_issue_pair(ngx_http_request_t *r,
    ngx_str_t *sub, ngx_str_t *role, ngx_str_t *fam, ngx_str_t *pair);
static void ngx_http_jobscout_refresh_reply(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static void ngx_http_jobscout_logout_reply(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_eval(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data,
    const char *script, ngx_uint_t nkeys, ngx_str_t *args, ngx_uint_t nargs);



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
    "       email_verified, CASE WHEN is_admin THEN 'admin' ELSE 'user' END"
    "  FROM users WHERE lower(email) = lower($1)",
    1, 0
};


/* the admin stats' "active in 7 days" */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_login_seen_stmt = {
    "auth_login_seen",
    "UPDATE users SET last_login_at = now() WHERE id = $1::uuid",
    1, 0
};


/*
 * KEYS: the user's families.  ARGV: the family, its lifetime.
 */

static const char  ngx_http_jobscout_login_lua[] =
    "redis.call('SADD', KEYS[1], ARGV[1]) "
    "redis.call('EXPIRE', KEYS[1], ARGV[2]) "
    "return 1";

/*
 * KEYS: the presented token's use record, its family's revocation key,
 * the user's families.  ARGV: now (ms), the window (ms), the new pair,
 * the refresh lifetime (s), the family.
 */

static const char  ngx_http_jobscout_refresh_lua[] =
    "if redis.call('EXISTS', KEYS[2]) == 1 then return {'revoked'} end "
    "local used = redis.call('GET', KEYS[1]) "
    "if used then "
    "  local sp = string.find(used, ' ', 1, true) "
    "  local at = tonumber(string.sub(used, 1, sp - 1)) "
    "  if tonumber(ARGV[1]) - at <= tonumber(ARGV[2]) then "
    "    return {'same', string.sub(used, sp + 1)} "
    "  end "
    "  redis.call('SET', KEYS[2], '1', 'EX', ARGV[4]) "
    "  redis.call('SREM', KEYS[3], ARGV[5]) "
    "  return {'stolen'} "
    "end "
    "redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[3], 'EX', ARGV[4]) "
    "redis.call('SADD', KEYS[3], ARGV[5]) "
    "redis.call('EXPIRE', KEYS[3], ARGV[4]) "
    "return {'new'}";

/*
 * KEYS: the access token's revocation key, its family's, the user's
 * families.  ARGV: the token's remaining life (s), the refresh lifetime,
 * the family.
 */

static const char  ngx_http_jobscout_logout_lua[] =
    "redis.call('SET', KEYS[1], '1', 'EX', ARGV[1]) "
    "redis.call('SET', KEYS[2], '1', 'EX', ARGV[2]) "
    "redis.call('SREM', KEYS[3], ARGV[3]) "
    "return 1";


/*
 * KEYS: the user's families.  ARGV: the refresh lifetime (s).  Every
 * family of the user is revoked, and with it every token of theirs.
 */

static const char  ngx_http_jobscout_revoke_all_lua[] =
    "local fams = redis.call('SMEMBERS', KEYS[1]) "
    "for _, f in ipairs(fams) do "
    "  redis.call('SET', '" NGX_HTTP_JOBSCOUT_REVOKED_FAM "' .. f, '1', "
    "             'EX', ARGV[1]) "
    "end "
    "redis.call('DEL', KEYS[1]) "
    "return #fams";


/* a small deny list: the passwords tried first by every attacker */

static const char  *ngx_http_jobscout_common_passwords[] = {
    "password", "password1", "password123", "passw0rd", "12345678",
    "123456789", "1234567890", "87654321", "11111111", "00000000",
    "qwerty123", "qwertyuiop", "iloveyou", "abc12345", "abcd1234",
    "letmein1", "welcome1", "welcome123", "admin123", "sunshine",
    "football", "princess", "baseball", "trustno1", "superman",
    "starwars", "whatever", "monkey123", "dragon123", "jobscout",
    "nairobi1", "kenya123", "safaricom", "changeme", "p@ssw0rd",
    NULL
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
                                         &st->full_name) != NGX_OK)
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
    ngx_str_t                   email;
    ngx_http_jobscout_login_t  *st;

    static const char  *allowed[] = { "email", "password", NULL };

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_login_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "email", 1, 254, &email)
           != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "password", 1, 72,
                                         &st->password) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    st->values[0] = (const char *) email.data;
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

    ngx_str_t            stored;
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
        stored.len = PQgetlength(res, 0, 1);
        stored.data = ngx_pnalloc(r->pool, stored.len);
        st->role.len = PQgetlength(res, 0, 4);
        st->role.data = ngx_pnalloc(r->pool, st->role.len);

        if (st->id.data == NULL || stored.data == NULL
            || st->role.data == NULL)
        {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_memcpy(st->id.data, PQgetvalue(res, 0, 0), st->id.len);
        ngx_memcpy(stored.data, PQgetvalue(res, 0, 1), stored.len);
        ngx_memcpy(st->role.data, PQgetvalue(res, 0, 4), st->role.len);
        st->active = PQgetvalue(res, 0, 2)[0] == 't';
        st->verified = PQgetvalue(res, 0, 3)[0] == 't';
    }

    /* an unknown address costs the same bcrypt time as a wrong password */

    if (ngx_http_jobscout_password_verify(r, &st->password,
                                          st->found ? &stored : NULL,
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

    u_char     *key;
    ngx_str_t   fam, args[3];

    if (!ok || !st->found || !st->active) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                         "invalid_credentials",
                                         "invalid e-mail or password"));
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

    fam.len = 32;
    fam.data = ngx_pnalloc(r->pool, fam.len);
    key = ngx_pnalloc(r->pool, sizeof(NGX_HTTP_JOBSCOUT_USER_FAMS) - 1
                               + st->id.len);
    args[2].data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);

    if (fam.data == NULL || key == NULL || args[2].data == NULL
        || ngx_http_jobscout_random_hex(fam.data, 16) != NGX_OK
        || ngx_http_jobscout_issue_pair(r, &st->id, &st->role, &fam,
                                        &st->pair)
           != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    args[0].data = key;
    args[0].len = ngx_sprintf(key, NGX_HTTP_JOBSCOUT_USER_FAMS "%V", &st->id)
                  - key;
    args[1] = fam;
    args[2].len = ngx_sprintf(args[2].data, "%T",
                              ((ngx_http_jobscout_main_conf_t *)
                               ngx_http_get_module_main_conf(r,
                                   ngx_http_jobscout_module))
                              ->jwt.refresh_ttl)
                  - args[2].data;

    if (ngx_http_jobscout_eval(r, ngx_http_jobscout_login_stored, st,
                               ngx_http_jobscout_login_lua, 1, args, 3)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot start a session now"));
    }
}


static void
ngx_http_jobscout_login_stored(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_login_t *st = cmd->data;

    if (reply == NULL) {
        ngx_http_jobscout_finalize(cmd->request,
            ngx_http_jobscout_send_error(cmd->request,
                                         NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot start a session now"));
        return;
    }

    /* the session stands: when the sign-in is noted does not decide it */

    st->id.data[st->id.len] = '\0';
    st->values[0] = (const char *) st->id.data;

    ngx_memzero(&st->query, sizeof(ngx_http_jobscout_pg_query_t));
    st->query.stmt = &ngx_http_jobscout_login_seen_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_login_seen;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(cmd->request, &st->query) != NGX_OK) {
        ngx_http_jobscout_finalize(cmd->request,
            ngx_http_jobscout_send_str(cmd->request, NGX_HTTP_OK,
                                       &st->pair));
    }
}


static void
ngx_http_jobscout_login_seen(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_login_t *st = q->data;

    ngx_http_jobscout_finalize(q->request,
        ngx_http_jobscout_send_str(q->request, NGX_HTTP_OK, &st->pair));
}


/* {"access_token", "refresh_token", "token_type", "expires_in"} */

static ngx_int_t
ngx_http_jobscout_issue_pair(ngx_http_request_t *r, ngx_str_t *sub,
    ngx_str_t *role, ngx_str_t *fam, ngx_str_t *pair)
{
    char                           *access, *refresh;
    json_t                         *json;
    ngx_str_t                       jti;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    access = ngx_http_jobscout_jwt_issue(r, sub, role, fam, 0, &jti);
    refresh = ngx_http_jobscout_jwt_issue(r, sub, role, fam, 1, &jti);

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
    ngx_int_t                       i;
    ngx_str_t                       token, *pair, args[8];
    ngx_time_t                     *tp;
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

    pair = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (pair == NULL
        || ngx_http_jobscout_issue_pair(r, &ctx->token.sub, &ctx->token.role,
                                        &ctx->token.fam, pair)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ctx->data = pair;

    /* keys, then now, window, pair, lifetime, family */

    for (i = 0; i < 8; i++) {
        args[i].data = ngx_pnalloc(r->pool, 64 + ctx->token.jti.len
                                            + ctx->token.fam.len
                                            + ctx->token.sub.len);
        if (args[i].data == NULL) {
            return NGX_ERROR;
        }
    }

    args[0].len = ngx_sprintf(args[0].data, NGX_HTTP_JOBSCOUT_USED_REFRESH
                              "%V", &ctx->token.jti) - args[0].data;
    args[1].len = ngx_sprintf(args[1].data, NGX_HTTP_JOBSCOUT_REVOKED_FAM
                              "%V", &ctx->token.fam) - args[1].data;
    args[2].len = ngx_sprintf(args[2].data, NGX_HTTP_JOBSCOUT_USER_FAMS
                              "%V", &ctx->token.sub) - args[2].data;
    tp = ngx_timeofday();
    args[3].len = ngx_sprintf(args[3].data, "%M",
                              (ngx_msec_t) (tp->sec * 1000 + tp->msec))
                  - args[3].data;
    args[4].len = ngx_sprintf(args[4].data, "%d",
                              NGX_HTTP_JOBSCOUT_REFRESH_WINDOW)
                  - args[4].data;
    args[5] = *pair;
    args[6].len = ngx_sprintf(args[6].data, "%T", jmcf->jwt.refresh_ttl)
                  - args[6].data;
    args[7] = ctx->token.fam;

    if (ngx_http_jobscout_eval(r, ngx_http_jobscout_refresh_reply, pair,
                               ngx_http_jobscout_refresh_lua, 3, args, 8)
        != NGX_OK)
    {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "unavailable",
                                            "cannot refresh the session now");
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_refresh_reply(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_str_t           *pair, same;
    redisReply          *verdict;
    ngx_http_request_t  *r;

    r = cmd->request;
    pair = cmd->data;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements == 0
        || reply->element[0]->type != REDIS_REPLY_STRING)
    {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot refresh the session now"));
        return;
    }

    verdict = reply->element[0];

    if (ngx_strcmp(verdict->str, "new") == 0) {
        ngx_http_jobscout_finalize(r,
                        ngx_http_jobscout_send_str(r, NGX_HTTP_OK, pair));
        return;
    }

    if (ngx_strcmp(verdict->str, "same") == 0 && reply->elements == 2
        && reply->element[1]->type == REDIS_REPLY_STRING)
    {
        /* a parallel retry: the pair the first request got */
        same.len = reply->element[1]->len;
        same.data = ngx_pnalloc(r->pool, same.len);
        if (same.data == NULL) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_memcpy(same.data, reply->element[1]->str, same.len);
        ngx_http_jobscout_finalize(r,
                        ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &same));
        return;
    }

    if (ngx_strcmp(verdict->str, "stolen") == 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "jobscout: a used refresh token came back: "
                      "its session is revoked");
    }

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_unauthorized(r,
                                          "the refresh token was revoked"));
}


ngx_int_t
ngx_http_jobscout_auth_logout(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    time_t                          left;
    ngx_int_t                       i;
    ngx_str_t                       args[6];
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    for (i = 0; i < 6; i++) {
        args[i].data = ngx_pnalloc(r->pool, 64 + ctx->token.jti.len
                                            + ctx->token.fam.len
                                            + ctx->token.sub.len);
        if (args[i].data == NULL) {
            return NGX_ERROR;
        }
    }

    left = ctx->token.exp - ngx_time() + jmcf->jwt.leeway;

    args[0].len = ngx_sprintf(args[0].data, NGX_HTTP_JOBSCOUT_REVOKED_JTI
                              "%V", &ctx->token.jti) - args[0].data;
    args[1].len = ngx_sprintf(args[1].data, NGX_HTTP_JOBSCOUT_REVOKED_FAM
                              "%V", &ctx->token.fam) - args[1].data;
    args[2].len = ngx_sprintf(args[2].data, NGX_HTTP_JOBSCOUT_USER_FAMS
                              "%V", &ctx->token.sub) - args[2].data;
    args[3].len = ngx_sprintf(args[3].data, "%T", left > 0 ? left : 1)
                  - args[3].data;
    args[4].len = ngx_sprintf(args[4].data, "%T", jmcf->jwt.refresh_ttl)
                  - args[4].data;
    args[5] = ctx->token.fam;

    if (ngx_http_jobscout_eval(r, ngx_http_jobscout_logout_reply, NULL,
                               ngx_http_jobscout_logout_lua, 3, args, 6)
        != NGX_OK)
    {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "unavailable",
                                            "cannot log out now");
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_logout_reply(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "cannot log out now"));
        return;
    }

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0));
}


static ngx_int_t
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


/* email: the account's address, which must not be the password, or NULL */

ngx_int_t
ngx_http_jobscout_check_password(ngx_http_jobscout_ctx_t *ctx,
    ngx_str_t *password, ngx_str_t *email)
{
    const char  **p;

    /* bcrypt reads 72 bytes at most: longer would be silently cut */

    if (password->len > 72) {
        return ngx_http_jobscout_body_refuse(ctx, "password",
                                        "is longer than 72 bytes");
    }

    for (p = ngx_http_jobscout_common_passwords; *p; p++) {
        if (ngx_strlen(*p) == password->len
            && ngx_strncasecmp((u_char *) *p, password->data,
                               password->len) == 0)
        {
            return ngx_http_jobscout_body_refuse(ctx, "password",
                                            "is too common");
        }
    }

    if (email && password->len == email->len
        && ngx_strncasecmp(password->data, email->data, email->len) == 0)
    {
        return ngx_http_jobscout_body_refuse(ctx, "password",
                                        "must not be the e-mail address");
    }

    return NGX_OK;
}


/* every session of a user: after a password reset, a deletion */

ngx_int_t
ngx_http_jobscout_revoke_sessions(ngx_http_request_t *r, ngx_str_t *user,
    ngx_http_jobscout_redis_handler_pt handler, void *data)
{
    ngx_str_t                       args[2];
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    args[0].data = ngx_pnalloc(r->pool, sizeof(NGX_HTTP_JOBSCOUT_USER_FAMS)
                                        + user->len);
    args[1].data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (args[0].data == NULL || args[1].data == NULL) {
        return NGX_ERROR;
    }

    args[0].len = ngx_sprintf(args[0].data, NGX_HTTP_JOBSCOUT_USER_FAMS "%V",
                              user) - args[0].data;
    args[1].len = ngx_sprintf(args[1].data, "%T", jmcf->jwt.refresh_ttl)
                  - args[1].data;

    return ngx_http_jobscout_eval(r, handler, data,
                                  ngx_http_jobscout_revoke_all_lua, 1,
                                  args, 2);
}


/* EVAL script nkeys keys... args...: Redis runs the script atomically */

static ngx_int_t
ngx_http_jobscout_eval(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data,
    const char *script, ngx_uint_t nkeys, ngx_str_t *args, ngx_uint_t nargs)
{
    u_char       *n;
    size_t       *argvlen;
    ngx_uint_t    i;
    const char  **argv;

    argv = ngx_palloc(r->pool, (nargs + 3) * sizeof(char *));
    argvlen = ngx_palloc(r->pool, (nargs + 3) * sizeof(size_t));
    n = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (argv == NULL || argvlen == NULL || n == NULL) {
        return NGX_ERROR;
    }

    argv[0] = "EVAL";
    argvlen[0] = 4;
    argv[1] = script;
    argvlen[1] = ngx_strlen(script);
    argv[2] = (const char *) n;
    argvlen[2] = ngx_sprintf(n, "%ui", nkeys) - n;

    for (i = 0; i < nargs; i++) {
        argv[i + 3] = (const char *) args[i].data;
        argvlen[i + 3] = args[i].len;
    }

    return ngx_http_jobscout_redis_command(r, handler, data, (int) nargs + 3,
                                           argv, argvlen);
}


ngx_int_t
ngx_http_jobscout_send_str(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *json)
{
    return ngx_http_jobscout_send_json(r, status, json->data, json->len);
}
