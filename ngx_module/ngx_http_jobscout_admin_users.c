
/*
 * Job Scout: the accounts, for operators (/api/v1/admin/users).  The list
 * and one account with its counts; disabling, enabling, promoting and
 * demoting, each audited in the statement that makes it.
 *
 * An admin cannot change their own access: disabling or demoting oneself
 * could leave nobody to undo it.  Disabling ends every session of the
 * account in Redis before it is answered; should Redis fail, the account
 * stays disabled (503), and its routes refuse it all the same, as they
 * require an active account (NGX_HTTP_JOBSCOUT_SQL_ME).
 */


#include "ngx_http_jobscout.h"


/* an account's fields for operators: no password hash, no preferences */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_FIELDS(u)                           \
    "'id', " u ".id, 'email', " u ".email,"                                  \
    " 'full_name', " u ".full_name, 'is_active', " u ".is_active,"           \
    " 'is_admin', " u ".is_admin, 'email_verified', " u ".email_verified,"   \
    " 'created_at', " u ".created_at, 'last_login_at', " u ".last_login_at," \
    " 'deleted_at', " u ".deleted_at"

/* ... as the audit keeps them */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_ROW(u)                              \
    "json_build_object(" NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_FIELDS(u) ")"

/* ... and as operators see them, with the counts (one device at most) */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER(u)                                  \
    "json_build_object(" NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_FIELDS(u) ","      \
    " 'counts', json_build_object("                                          \
    "   'alerts', (SELECT count(*) FROM user_job_alerts a"                   \
    "               WHERE a.user_id = " u ".id AND a.job_id IS NOT NULL),"   \
    "   'applications', (SELECT count(*) FROM user_job_alerts a"             \
    "                     WHERE a.user_id = " u ".id AND a.is_applied),"     \
    "   'devices', (" u ".fcm_token IS NOT NULL)::integer))"

/*
 * Sets column to value ("true" or "false") on account $3, audited as
 * action when it changes.  The answer is the account as it is after.  An
 * admin may not take their own access (value false): should they be the
 * last admin, nobody could give it back.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_SET(action, column, value)          \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","                                      \
    " old AS (SELECT u.* FROM users u"                                       \
    "          WHERE u.id = $3::uuid AND EXISTS (SELECT FROM admin)"         \
    "          FOR UPDATE),"                                                 \
    " new AS (UPDATE users u SET " column " = " value " FROM old"            \
    "          WHERE u.id = old.id AND old." column " <> " value             \
    "            AND (old.id <> $1::uuid OR " value ")"                      \
    "            AND old.deleted_at IS NULL"                                 \
    "          RETURNING u.*),"                                              \
    " changed AS (SELECT n.id AS target_id,"                                 \
    "        " NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_ROW("o") "::jsonb AS before," \
    "        " NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_ROW("n") "::jsonb AS after"  \
    "   FROM new n JOIN old o ON o.id = n.id),"                              \
    " " NGX_HTTP_JOBSCOUT_SQL_AUDIT(action, "user", "changed")               \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED                                       \
    " SELECT 409, 'administrators cannot disable or demote themselves'::text"\
    "   FROM old WHERE old.id = $1::uuid AND NOT " value                     \
    " UNION ALL"                                                             \
    " SELECT 409, 'the account is deleted'::text"                            \
    "   FROM old WHERE old.deleted_at IS NOT NULL"                           \
    " UNION ALL"                                                             \
    " SELECT 200, " NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER("u") "::text"           \
    "   FROM (SELECT * FROM new UNION ALL"                                   \
    "         SELECT * FROM old WHERE NOT EXISTS (SELECT FROM new)) u"       \
    "  WHERE (u.id <> $1::uuid OR " value ") AND u.deleted_at IS NULL"


/* what disabling keeps between its statement and the revocation */

typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    ngx_str_t                       id;
    ngx_str_t                       body;       /* the account, after */
} ngx_http_jobscout_admin_disable_t;


static ngx_int_t ngx_http_jobscout_admin_users_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt);
static void ngx_http_jobscout_admin_users_disabled(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_admin_users_revoked(ngx_http_request_t *r,
    void *data, ngx_int_t ok);
static ngx_int_t ngx_http_jobscout_admin_users_unrevoked(
    ngx_http_request_t *r, ngx_http_jobscout_admin_disable_t *st);


/*
 * $3 the limit, $4 and $5 the cursor (micros, id), $6 a fragment of the
 * e-mail address or the name (case-blind, no pattern), $7 is_admin, $8
 * is_active.  Unnamed: planned for the filters given.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_users_list_stmt = {
    NULL,
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " page AS (SELECT u.* FROM users u"
    "  WHERE " NGX_HTTP_JOBSCOUT_SQL_ADMIN_AFTER("u.created_at", "u.id")
    "    AND ($6::text IS NULL"
    "         OR strpos(lower(u.email), lower($6)) > 0"
    "         OR strpos(lower(u.full_name), lower($6)) > 0)"
    "    AND ($7::boolean IS NULL OR u.is_admin = $7)"
    "    AND ($8::boolean IS NULL OR u.is_active = $8)"
    "  ORDER BY u.created_at DESC, u.id DESC"
    "  LIMIT $3::integer + 1)"
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED_PAGE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_PAGE(NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER("p"),
                                     "p", "created_at", "", ""),
    8, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_users_get_stmt = {
    "admin_users_get",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 200, " NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER("u") "::text"
    "   FROM users u WHERE u.id = $3::uuid AND EXISTS (SELECT FROM admin)",
    3, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_disable_stmt = {
    "admin_users_disable",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_SET("user.disable", "is_active",
                                         "false"),
    3, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_enable_stmt = {
    "admin_users_enable",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_SET("user.enable", "is_active", "true"),
    3, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_promote_stmt = {
    "admin_users_promote",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_SET("user.promote", "is_admin", "true"),
    3, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_demote_stmt = {
    "admin_users_demote",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_USER_SET("user.demote", "is_admin", "false"),
    3, 0
};


/* GET /admin/users?q=&admin=&active=&limit=&cursor= */

ngx_int_t
ngx_http_jobscout_admin_users_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    const char              **values;
    ngx_http_jobscout_arg_t   args[5];

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "limit", 1 }, { "cursor", 1 }, { "q", 1 }, { "admin", 1 },
        { "active", 1 }, { NULL, 0 }
    };

    values = ngx_http_jobscout_admin_list_values(r, ctx, specs, args, 8);

    if (values == NULL
        || (args[2].n
            && ngx_http_jobscout_arg_length(ctx, "q", &args[2].values[0], 1,
                                            200) != NGX_OK)
        || ngx_http_jobscout_arg_flag(ctx, &args[3], "admin", &values[6])
           != NGX_OK
        || ngx_http_jobscout_arg_flag(ctx, &args[4], "active", &values[7])
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[2].n) {
        values[5] = (const char *) args[2].values[0].data;
    }

    return ngx_http_jobscout_admin_query(r,
                                    &ngx_http_jobscout_admin_users_list_stmt,
                                    values, "");
}


ngx_int_t
ngx_http_jobscout_admin_users_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_users_one(r, ctx,
                                     &ngx_http_jobscout_admin_users_get_stmt);
}


ngx_int_t
ngx_http_jobscout_admin_users_disable(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_users_one(r, ctx,
                                         &ngx_http_jobscout_admin_disable_stmt);
}


ngx_int_t
ngx_http_jobscout_admin_users_enable(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_users_one(r, ctx,
                                         &ngx_http_jobscout_admin_enable_stmt);
}


ngx_int_t
ngx_http_jobscout_admin_users_promote(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_users_one(r, ctx,
                                        &ngx_http_jobscout_admin_promote_stmt);
}


ngx_int_t
ngx_http_jobscout_admin_users_demote(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_users_one(r, ctx,
                                         &ngx_http_jobscout_admin_demote_stmt);
}


/*
 * A route of no argument on the account {id}: its statement, and for a
 * disabling the revocation of the account's sessions.
 */

static ngx_int_t
ngx_http_jobscout_admin_users_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt)
{
    ngx_int_t                           rc;
    const char                        **values;
    ngx_http_jobscout_admin_disable_t  *st;

    values = ngx_http_jobscout_admin_values(r, ctx, 3);
    if (values == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, "no such user");
    }

    if (stmt != &ngx_http_jobscout_admin_disable_stmt) {
        return ngx_http_jobscout_admin_query(r, stmt, values, "no such user");
    }

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_admin_disable_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;
    st->id.data = (u_char *) values[2];
    st->id.len = ngx_strlen(values[2]);
    st->query.stmt = stmt;
    st->query.values = values;
    st->query.handler = ngx_http_jobscout_admin_users_disabled;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_admin_users_disabled(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_request_t                 *r;
    ngx_http_jobscout_admin_disable_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_admin_ok(q, res, "no such user") != NGX_OK) {
        return;
    }

    /* committed: the sessions go now, whether it changed or was already */

    if (ngx_http_jobscout_pg_copy(r->pool, res, 1, &st->body) != NGX_OK) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    if (ngx_http_jobscout_revoke_sessions(r, &st->id,
                                          ngx_http_jobscout_admin_users_revoked,
                                          st)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r,
                            ngx_http_jobscout_admin_users_unrevoked(r, st));
    }
}


static void
ngx_http_jobscout_admin_users_revoked(ngx_http_request_t *r, void *data,
    ngx_int_t ok)
{
    ngx_http_jobscout_admin_disable_t *st = data;

    ngx_http_jobscout_finalize(r,
        ok ? ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &st->body)
           : ngx_http_jobscout_admin_users_unrevoked(r, st));
}


static ngx_int_t
ngx_http_jobscout_admin_users_unrevoked(ngx_http_request_t *r,
    ngx_http_jobscout_admin_disable_t *st)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "jobscout: account %V disabled, but its sessions could "
                  "not be revoked", &st->id);

    return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                        "unavailable",
                                        "the account is disabled, but its "
                                        "sessions could not be ended");
}
