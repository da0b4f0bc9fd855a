
/*
 * Job Scout: e-mailed one-time tokens.  Verifying an address (24 h) and
 * resetting a password (1 h).  A token is 32 random bytes; only its SHA-256
 * is stored, and using it marks it used in the same statement that acts,
 * so it works once.  Asking for a token always answers 202, whether the
 * address has an account or not.
 */


#include "ngx_http_jobscout.h"
#include "jobscout_task.h"

#include <openssl/sha.h>


typedef struct {
    ngx_http_jobscout_pg_query_t    lookup;
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[3];
    ngx_str_t                       password;
    u_char                          token[65];
    u_char                          hash[65];
} ngx_http_jobscout_recovery_t;


static ngx_http_jobscout_recovery_t *ngx_http_jobscout_recovery_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_token_field(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_recovery_t *st);
static ngx_int_t ngx_http_jobscout_request_token(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt);
static void ngx_http_jobscout_token_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_send_accepted(ngx_http_request_t *r);
static void ngx_http_jobscout_verified(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_reset_looked_up(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_reset_hashed(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);
static void ngx_http_jobscout_reset_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_reset_revoked(ngx_http_request_t *r,
    void *data, ngx_int_t ok);
static ngx_int_t ngx_http_jobscout_bad_token(ngx_http_request_t *r,
    PGresult *res);


/*
 * A token refused says why (the page behind the mail's link tells the user
 * what to do): a second row, "used" or "expired", when the token is known;
 * none when it is not, or its account is gone.
 */

#define NGX_HTTP_JOBSCOUT_SQL_TOKEN_REFUSAL(purpose, done)                   \
    " UNION ALL"                                                              \
    " SELECT NULL, CASE WHEN used_at IS NOT NULL THEN 'used'"                 \
    "                   ELSE 'expired' END"                                   \
    "   FROM user_tokens"                                                     \
    "  WHERE token_hash = decode($1, 'hex') AND purpose = '" purpose "'"      \
    "    AND (used_at IS NOT NULL OR expires_at <= now())"                    \
    "    AND NOT EXISTS (SELECT 1 FROM " done ")"

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_verify_stmt = {
    "auth_verify_email",
    "WITH t AS ("
    "  UPDATE user_tokens SET used_at = now()"
    "   WHERE token_hash = decode($1, 'hex') AND purpose = 'verify_email'"
    "     AND used_at IS NULL AND expires_at > now()"
    "  RETURNING user_id"
    "), v AS ("
    "  UPDATE users u SET email_verified = true,"
    "         email_verified_at = coalesce(u.email_verified_at, now())"
    "    FROM t WHERE u.id = t.user_id AND u.deleted_at IS NULL"
    "  RETURNING json_build_object('id', u.id, 'email', u.email,"
    "            'email_verified', true)::text AS body"
    ")"
    " SELECT body, NULL FROM v"
    NGX_HTTP_JOBSCOUT_SQL_TOKEN_REFUSAL("verify_email", "v"),
    1, 0
};

/* a new token retires the unused ones of the same purpose */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_resend_stmt = {
    "auth_resend_verification",
    "WITH u AS ("
    "  SELECT id, email, full_name FROM users"
    "   WHERE lower(email) = lower($1) AND NOT email_verified"
    "     AND deleted_at IS NULL"
    "), old AS ("
    "  UPDATE user_tokens SET used_at = now()"
    "   WHERE user_id IN (SELECT id FROM u) AND purpose = 'verify_email'"
    "     AND used_at IS NULL"
    "), t AS ("
    "  INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at)"
    "  SELECT decode($2, 'hex'), id, 'verify_email',"
    "         now() + interval '24 hours' FROM u"
    "),"
    NGX_HTTP_JOBSCOUT_SQL_OUTBOX_MAIL(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL,
                                      "$3::text", "u")
    " SELECT count(*) FROM u",
    3, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_forgot_stmt = {
    "auth_forgot_password",
    "WITH u AS ("
    "  SELECT id, email, full_name FROM users"
    "   WHERE lower(email) = lower($1) AND is_active AND deleted_at IS NULL"
    "), old AS ("
    "  UPDATE user_tokens SET used_at = now()"
    "   WHERE user_id IN (SELECT id FROM u) AND purpose = 'reset_password'"
    "     AND used_at IS NULL"
    "), t AS ("
    "  INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at)"
    "  SELECT decode($2, 'hex'), id, 'reset_password',"
    "         now() + interval '1 hour' FROM u"
    "),"
    NGX_HTTP_JOBSCOUT_SQL_OUTBOX_MAIL(JOBSCOUT_TASK_MAIL_RESET_PASSWORD,
                                      "$3::text", "u")
    " SELECT count(*) FROM u",
    3, 0
};

/* the account's address, to refuse it as its password, before the hash */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_reset_lookup_stmt = {
    "auth_reset_lookup",
    "WITH v AS ("
    "  SELECT u.email FROM user_tokens t JOIN users u ON u.id = t.user_id"
    "   WHERE t.token_hash = decode($1, 'hex')"
    "     AND t.purpose = 'reset_password'"
    "     AND t.used_at IS NULL AND t.expires_at > now()"
    "     AND u.deleted_at IS NULL"
    ")"
    " SELECT email, NULL FROM v"
    NGX_HTTP_JOBSCOUT_SQL_TOKEN_REFUSAL("reset_password", "v"),
    1, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_reset_stmt = {
    "auth_reset_password",
    "WITH t AS ("
    "  UPDATE user_tokens SET used_at = now()"
    "   WHERE token_hash = decode($1, 'hex') AND purpose = 'reset_password'"
    "     AND used_at IS NULL AND expires_at > now()"
    "  RETURNING user_id"
    "), v AS ("
    "  UPDATE users u SET hashed_password = $2"
    "    FROM t WHERE u.id = t.user_id AND u.deleted_at IS NULL"
    "  RETURNING u.id"
    ")"
    " SELECT id::text, NULL FROM v"
    NGX_HTTP_JOBSCOUT_SQL_TOKEN_REFUSAL("reset_password", "v"),
    2, 0
};


ngx_int_t
ngx_http_jobscout_new_token(u_char *token, u_char *hash)
{
    u_char  digest[SHA256_DIGEST_LENGTH];

    if (ngx_http_jobscout_random_hex(token, 32) != NGX_OK) {
        return NGX_ERROR;
    }

    token[64] = '\0';

    SHA256(token, 64, digest);
    *ngx_hex_dump(hash, digest, sizeof(digest)) = '\0';

    return NGX_OK;
}


static ngx_http_jobscout_recovery_t *
ngx_http_jobscout_recovery_new(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_recovery_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_recovery_t));
    if (st == NULL) {
        return NULL;
    }

    ctx->data = st;
    st->query.values = st->values;
    st->query.data = st;

    return st;
}


/* "token": 64 hex digits, hashed as stored */

static ngx_int_t
ngx_http_jobscout_token_field(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_recovery_t *st)
{
    u_char      ch, digest[SHA256_DIGEST_LENGTH];
    ngx_str_t   token;
    ngx_uint_t  i;

    if (ngx_http_jobscout_body_string(r, ctx, "token", 64, 64, &token)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    ngx_strlow(token.data, token.data, token.len);

    for (i = 0; i < token.len; i++) {
        ch = token.data[i];

        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            return ngx_http_jobscout_body_refuse(ctx, "token",
                                                 "is not a token");
        }
    }

    SHA256(token.data, 64, digest);
    *ngx_hex_dump(st->hash, digest, sizeof(digest)) = '\0';
    st->values[0] = (const char *) st->hash;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_auth_verify_email(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_recovery_t  *st;

    static const char  *allowed[] = { "token", NULL };

    st = ngx_http_jobscout_recovery_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_token_field(r, ctx, st) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    st->query.stmt = &ngx_http_jobscout_verify_stmt;
    st->query.handler = ngx_http_jobscout_verified;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_verified(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    if (PQntuples(res) == 0 || !PQgetisnull(res, 0, 1)) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_bad_token(r, res));
        return;
    }

    ngx_http_jobscout_finalize(r,
                        ngx_http_jobscout_send_pg_json(r, NGX_HTTP_OK, res));
}


ngx_int_t
ngx_http_jobscout_auth_resend_verification(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_request_token(r, ctx,
                                           &ngx_http_jobscout_resend_stmt);
}


ngx_int_t
ngx_http_jobscout_auth_forgot_password(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_request_token(r, ctx,
                                           &ngx_http_jobscout_forgot_stmt);
}


/* {email}: a new token for the account, if there is one, by e-mail; 202 */

static ngx_int_t
ngx_http_jobscout_request_token(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt)
{
    ngx_str_t                      email;
    ngx_http_jobscout_recovery_t  *st;

    static const char  *allowed[] = { "email", NULL };

    st = ngx_http_jobscout_recovery_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "email", 1, 254, &email)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (ngx_http_jobscout_new_token(st->token, st->hash) != NGX_OK) {
        return NGX_ERROR;
    }

    st->values[0] = (const char *) email.data;
    st->values[1] = (const char *) st->hash;
    st->values[2] = (const char *) st->token;
    st->query.stmt = stmt;
    st->query.handler = ngx_http_jobscout_token_stored;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


/* the mail, if any, is in the outbox with its token: 202 either way */

static void
ngx_http_jobscout_token_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    ngx_http_jobscout_finalize(r, ngx_http_jobscout_send_accepted(r));
}


static ngx_int_t
ngx_http_jobscout_send_accepted(ngx_http_request_t *r)
{
    static u_char  body[] =
        "{\"status\":\"accepted\",\"message\":\"if the address has an "
        "account, an e-mail is on its way\"}";

    return ngx_http_jobscout_send_json(r, NGX_HTTP_ACCEPTED, body,
                                       sizeof(body) - 1);
}


/* {token, password}: the new password, then every session revoked */

ngx_int_t
ngx_http_jobscout_auth_reset_password(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_recovery_t  *st;

    static const char  *allowed[] = { "token", "password", NULL };

    st = ngx_http_jobscout_recovery_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_token_field(r, ctx, st) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "password", 8, 72,
                                         &st->password) != NGX_OK
        || ngx_http_jobscout_check_password(ctx, &st->password, NULL)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    st->lookup.stmt = &ngx_http_jobscout_reset_lookup_stmt;
    st->lookup.values = st->values;
    st->lookup.handler = ngx_http_jobscout_reset_looked_up;
    st->lookup.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->lookup) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->lookup, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_reset_looked_up(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_str_t                      email;
    ngx_http_request_t            *r;
    ngx_http_jobscout_ctx_t       *ctx;
    ngx_http_jobscout_recovery_t  *st;

    r = q->request;
    st = q->data;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    if (PQntuples(res) == 0 || !PQgetisnull(res, 0, 1)) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_bad_token(r, res));
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
    email.data = (u_char *) PQgetvalue(res, 0, 0);
    email.len = PQgetlength(res, 0, 0);

    if (ngx_http_jobscout_check_password(ctx, &st->password, &email)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_send_invalid(r, ctx));
        return;
    }

    if (ngx_http_jobscout_password_hash(r, &st->password,
                                        ngx_http_jobscout_reset_hashed, st)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
    }
}


static void
ngx_http_jobscout_reset_hashed(ngx_http_request_t *r, void *data,
    ngx_int_t ok, u_char *hash)
{
    ngx_http_jobscout_recovery_t *st = data;

    if (!ok) {
        ngx_http_jobscout_finalize(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    st->values[1] = (const char *) hash;
    st->query.stmt = &ngx_http_jobscout_reset_stmt;
    st->query.handler = ngx_http_jobscout_reset_stored;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_pg_send_error(r, &st->query, NULL));
    }
}


static void
ngx_http_jobscout_reset_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_str_t           *user;
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return;
    }

    if (PQntuples(res) == 0 || !PQgetisnull(res, 0, 1)) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_bad_token(r, res));
        return;
    }

    user = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (user == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    if (ngx_http_jobscout_pg_copy(r->pool, res, 0, user) != NGX_OK) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    if (ngx_http_jobscout_revoke_sessions(r, user,
                                          ngx_http_jobscout_reset_revoked,
                                          NULL)
        != NGX_OK)
    {
        /* the password changed; old sessions still expire on their own */
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: a reset could not revoke the sessions");
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "the password changed, but the "
                                         "old sessions could not be ended"));
    }
}


static void
ngx_http_jobscout_reset_revoked(ngx_http_request_t *r, void *data,
    ngx_int_t ok)
{
    if (!ok) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "unavailable",
                                         "the password changed, but the "
                                         "old sessions could not be ended"));
        return;
    }

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0));
}


static ngx_int_t
ngx_http_jobscout_bad_token(ngx_http_request_t *r, PGresult *res)
{
    char  *reason;

    reason = PQntuples(res) ? PQgetvalue(res, 0, 1) : "";

    if (ngx_strcmp(reason, "used") == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                            "token_used",
                                            "the token was used already, "
                                            "or a newer one replaced it");
    }

    if (ngx_strcmp(reason, "expired") == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                            "token_expired",
                                            "the token has expired");
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                        "invalid_token",
                                        "the token is unknown");
}
