
/*
 * Job Scout: the signed-in user's own account, /api/v1/users/me.  Every
 * statement is keyed by the token's subject and skips deleted accounts,
 * so no request reaches another user's row or a deleted one.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_MAX_PREFS_ITEMS  50
#define NGX_HTTP_JOBSCOUT_MAX_SALARY       999999999999LL


/* jobs.employment_type as the adapters write it (workers/adapters) */

static const char  *ngx_http_jobscout_job_types[] = {
    "full_time", "part_time", "contract", "internship", "temporary", NULL
};

/* jobs.location_type */

static const char  *ngx_http_jobscout_workplace_types[] = {
    "remote", "hybrid", "onsite", NULL
};


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[3];
    ngx_str_t                       user;
    ngx_str_t                       password;
    ngx_str_t                       answer;     /* kept while Redis works */
} ngx_http_jobscout_users_t;


static ngx_http_jobscout_users_t *ngx_http_jobscout_users_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_users_run(ngx_http_request_t *r,
    ngx_http_jobscout_users_t *st, ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler);
static void ngx_http_jobscout_users_json(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_users_updated(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_users_no_content(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_users_delete_found(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_users_delete_checked(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);
static void ngx_http_jobscout_users_deleted(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_users_revoked(ngx_http_request_t *r,
    void *data, ngx_int_t ok);
static ngx_int_t ngx_http_jobscout_users_found(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static ngx_int_t ngx_http_jobscout_users_failed(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static ngx_int_t ngx_http_jobscout_users_gone(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_check_list(ngx_http_jobscout_ctx_t *ctx,
    json_t *list, const char *field, size_t max, ngx_uint_t slugs);
static ngx_int_t ngx_http_jobscout_check_choices(
    ngx_http_jobscout_ctx_t *ctx, json_t *list, const char *field,
    const char **choices, const char *message);
static ngx_int_t ngx_http_jobscout_check_min_salary(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, json_t *salary);
static ngx_int_t ngx_http_jobscout_check_notifications(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx, json_t *n);
static const char *ngx_http_jobscout_subfield(ngx_http_request_t *r,
    const char *parent, const char *key);


/* what the API shows of an account: never the password hash */

#define NGX_HTTP_JOBSCOUT_ME_FIELDS                                          \
    "'id', id, 'email', email,"                                              \
    " 'full_name', full_name, 'preferences', preferences,"                   \
    " 'email_verified', email_verified, 'is_admin', is_admin,"               \
    " 'has_fcm_token', fcm_token IS NOT NULL, 'cv', user_cv_json(id),"       \
    " 'created_at', created_at, 'updated_at', updated_at"

#define NGX_HTTP_JOBSCOUT_ME_JSON                                            \
    "json_build_object(" NGX_HTTP_JOBSCOUT_ME_FIELDS ")::text"


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_me_stmt = {
    "users_me",
    "SELECT " NGX_HTTP_JOBSCOUT_ME_JSON
    "  FROM users WHERE id = $1::uuid AND deleted_at IS NULL"
    " AND is_active",
    1, 0
};

/*
 * $2: the new full name or NULL; $3: the preferences sent, or NULL.  Top
 * level keys replace the stored ones (null removes one), notifications
 * merge key by key.  An unknown company slug changes nothing and comes
 * back in the first column.  When the preferences that decide matches
 * changed, the matching jobs of the last days become alerts at once
 * (backfill_alerts(), sql/migrations/0012): the answer says how many.
 * backfill_alerts() runs after the UPDATE (it reads the CTE's row) and
 * its statements see the new preferences (a VOLATILE function's own
 * snapshots).
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_update_stmt = {
    "users_update",
    "WITH unknown AS ("
    "  SELECT s FROM jsonb_array_elements_text("
    "    CASE WHEN jsonb_typeof($3::jsonb -> 'companies') = 'array'"
    "         THEN $3::jsonb -> 'companies' ELSE '[]' END) s"
    "   WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.slug = s)"
    "   LIMIT 1"
    "), prev AS ("
    "  SELECT preferences AS before FROM users"
    "   WHERE id = $1::uuid AND deleted_at IS NULL AND is_active"
    "), u AS ("
    "  UPDATE users SET full_name = coalesce($2, full_name),"
    "         preferences = CASE WHEN $3::jsonb IS NULL THEN preferences"
    "           ELSE jsonb_strip_nulls(preferences"
    "                || ($3::jsonb - 'notifications')"
    "                || CASE WHEN $3::jsonb ? 'notifications'"
    "                   THEN jsonb_build_object('notifications',"
    "                        coalesce(preferences -> 'notifications', '{}')"
    "                        || ($3::jsonb -> 'notifications'))"
    "                   ELSE '{}' END)"
    "           END"
    "   WHERE id = $1::uuid AND deleted_at IS NULL"
    " AND is_active"
    "     AND NOT EXISTS (SELECT 1 FROM unknown)"
    "  RETURNING *"
    ")"
    " SELECT (SELECT s FROM unknown),"
    "        (SELECT json_build_object(" NGX_HTTP_JOBSCOUT_ME_FIELDS ","
    "           'backfilled', CASE WHEN match_filters(before)"
    "                                   IS DISTINCT FROM"
    "                                   match_filters(preferences)"
    "                              THEN backfill_alerts(id) ELSE 0 END"
    "         )::text FROM u, prev)",
    3, 0
};

/* a device belongs to one account: whoever had the token loses it */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_fcm_put_stmt = {
    "users_fcm_put",
    "WITH me AS ("
    "  SELECT id FROM users WHERE id = $1::uuid AND deleted_at IS NULL"
    " AND is_active"
    "), other AS ("
    "  UPDATE users SET fcm_token = NULL"
    "   WHERE fcm_token = $2 AND id <> $1::uuid AND EXISTS (SELECT 1 FROM me)"
    ")"
    " UPDATE users u SET fcm_token = $2 FROM me WHERE u.id = me.id"
    " RETURNING u.id",
    2, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_fcm_delete_stmt = {
    "users_fcm_delete",
    "UPDATE users SET fcm_token = NULL"
    " WHERE id = $1::uuid AND deleted_at IS NULL AND is_active RETURNING id",
    1, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_delete_find_stmt = {
    "users_delete_find",
    "SELECT hashed_password FROM users"
    " WHERE id = $1::uuid AND deleted_at IS NULL"
    " AND is_active",
    1, 0
};

/* the CV goes at once, its file with it (sql/migrations/0018) */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_delete_stmt = {
    "users_delete",
    "WITH cv AS (DELETE FROM user_cvs WHERE user_id = $1::uuid)"
    " UPDATE users SET deleted_at = now(), is_active = false,"
    "       fcm_token = NULL"
    " WHERE id = $1::uuid AND deleted_at IS NULL"
    " AND is_active"
    " RETURNING json_build_object('deleted_at', deleted_at,"
    "           'purge_after', deleted_at + account_purge_interval())::text",
    1, 0
};

/*
 * GDPR Art. 20: everything stored about the user, as one document.  Whole
 * rows (to_jsonb) so a column added later is exported without a change
 * here; only the password hash and the redundant user ids are left out.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_export_stmt = {
    "users_export",
    "SELECT json_build_object("
    "  'format', 'jobscout-export/1',"
    "  'exported_at', now(),"
    "  'account', to_jsonb(u) - 'hashed_password',"
    "  'skills', (SELECT coalesce(jsonb_agg(to_jsonb(s) - 'user_id'"
    "                                      ORDER BY s.skill_name), '[]')"
    "              FROM user_skills s WHERE s.user_id = u.id),"
    "  'education', (SELECT coalesce(jsonb_agg(to_jsonb(e) - 'user_id'"
    "                                         ORDER BY e.created_at), '[]')"
    "                  FROM user_education e WHERE e.user_id = u.id),"
    "  'experience', (SELECT coalesce(jsonb_agg(to_jsonb(e) - 'user_id'"
    "                                          ORDER BY e.created_at), '[]')"
    "                   FROM user_experience e WHERE e.user_id = u.id),"
    "  'cvs', (SELECT coalesce(jsonb_agg(to_jsonb(c) - 'user_id'"
    "                                   ORDER BY c.created_at), '[]')"
    "           FROM user_cvs c WHERE c.user_id = u.id),"
    "  'alerts', (SELECT coalesce(jsonb_agg((to_jsonb(a) - 'user_id')"
    "      || jsonb_build_object("
    "           'job', CASE WHEN j.id IS NOT NULL THEN jsonb_build_object("
    "                  'id', j.id, 'title', j.title,"
    "                  'company', co.name, 'location', j.location,"
    "                  'apply_url', j.apply_url, 'posted_at', j.posted_at)"
    "                  END,"
    "           'logged_job', to_jsonb(l) - 'user_id',"
    "           'status_history', (SELECT coalesce(jsonb_agg("
    "                  to_jsonb(h) - 'alert_id' ORDER BY h.changed_at), '[]')"
    "              FROM application_status_history h"
    "             WHERE h.alert_id = a.id))"
    "      ORDER BY a.created_at), '[]')"
    "      FROM user_job_alerts a"
    "      LEFT JOIN jobs j ON j.id = a.job_id"
    "      LEFT JOIN companies co ON co.id = j.company_id"
    "      LEFT JOIN logged_jobs l ON l.id = a.logged_job_id"
    "     WHERE a.user_id = u.id)"
    ")::text FROM users u WHERE u.id = $1::uuid AND u.deleted_at IS NULL"
    " AND u.is_active",
    1, 0
};


ngx_int_t
ngx_http_jobscout_users_me(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_users_t  *st;

    st = ngx_http_jobscout_users_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_users_run(r, st, &ngx_http_jobscout_me_stmt,
                                       ngx_http_jobscout_users_json);
}


ngx_int_t
ngx_http_jobscout_users_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    char                       *text;
    u_char                     *copy;
    size_t                      len;
    json_t                     *prefs;
    ngx_str_t                   full_name;
    ngx_http_jobscout_users_t  *st;

    static const char  *allowed[] = { "full_name", "preferences", NULL };

    st = ngx_http_jobscout_users_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (json_object_get(ctx->body, "full_name") != NULL) {
        if (ngx_http_jobscout_body_string(r, ctx, "full_name", 1, 200,
                                          &full_name)
            != NGX_OK
            || ngx_http_jobscout_check_name(ctx, "full_name", &full_name)
               != NGX_OK)
        {
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        st->values[1] = (const char *) full_name.data;
    }

    prefs = json_object_get(ctx->body, "preferences");

    if (prefs != NULL) {
        if (ngx_http_jobscout_check_preferences(r, ctx, prefs) != NGX_OK) {
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        text = json_dumps(prefs, JSON_COMPACT);
        if (text == NULL) {
            return NGX_ERROR;
        }

        len = ngx_strlen(text);
        copy = ngx_pnalloc(r->pool, len + 1);

        if (copy != NULL) {
            ngx_memcpy(copy, text, len + 1);
        }

        free(text);

        if (copy == NULL) {
            return NGX_ERROR;
        }

        st->values[2] = (const char *) copy;
    }

    return ngx_http_jobscout_users_run(r, st, &ngx_http_jobscout_update_stmt,
                                       ngx_http_jobscout_users_updated);
}


ngx_int_t
ngx_http_jobscout_users_fcm_put(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                     *p;
    ngx_str_t                   token;
    ngx_http_jobscout_users_t  *st;

    static const char  *allowed[] = { "token", NULL };

    st = ngx_http_jobscout_users_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "token", 1, 4096, &token)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    /* FCM registration tokens are URL-safe base64 with ':' */

    for (p = token.data; p < token.data + token.len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9')
              || *p == '-' || *p == '_' || *p == ':' || *p == '.'))
        {
            return ngx_http_jobscout_invalid(r, "token",
                                             "is not an FCM registration "
                                             "token");
        }
    }

    st->values[1] = (const char *) token.data;

    return ngx_http_jobscout_users_run(r, st, &ngx_http_jobscout_fcm_put_stmt,
                                       ngx_http_jobscout_users_no_content);
}


ngx_int_t
ngx_http_jobscout_users_fcm_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_users_t  *st;

    st = ngx_http_jobscout_users_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_users_run(r, st,
                                       &ngx_http_jobscout_fcm_delete_stmt,
                                       ngx_http_jobscout_users_no_content);
}


/*
 * DELETE /users/me {password}: a stolen access token alone must not be
 * enough to erase an account, so the password is asked again.
 */

ngx_int_t
ngx_http_jobscout_users_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_users_t  *st;

    static const char  *allowed[] = { "password", NULL };

    st = ngx_http_jobscout_users_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "password", 1, 72,
                                         &st->password)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_users_run(r, st,
                                       &ngx_http_jobscout_delete_find_stmt,
                                       ngx_http_jobscout_users_delete_found);
}


ngx_int_t
ngx_http_jobscout_users_export(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_table_elt_t            *h;
    ngx_http_jobscout_users_t  *st;

    st = ngx_http_jobscout_users_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Content-Disposition");
    ngx_str_set(&h->value, "attachment; filename=\"jobscout-export.json\"");

    return ngx_http_jobscout_users_run(r, st, &ngx_http_jobscout_export_stmt,
                                       ngx_http_jobscout_users_json);
}


static ngx_http_jobscout_users_t *
ngx_http_jobscout_users_new(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_users_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_users_t));
    if (st == NULL) {
        return NULL;
    }

    st->user.len = ctx->token.sub.len;
    st->user.data = ngx_pnalloc(r->pool, st->user.len + 1);
    if (st->user.data == NULL) {
        return NULL;
    }

    *ngx_cpymem(st->user.data, ctx->token.sub.data, st->user.len) = '\0';

    ctx->data = st;
    st->values[0] = (const char *) st->user.data;
    st->query.values = st->values;
    st->query.data = st;

    return st;
}


static ngx_int_t
ngx_http_jobscout_users_run(ngx_http_request_t *r,
    ngx_http_jobscout_users_t *st, ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler)
{
    st->query.stmt = stmt;
    st->query.handler = handler;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


/* one row of JSON text answered as is, or the account is gone */

static void
ngx_http_jobscout_users_json(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_http_request_t  *r;

    r = q->request;

    if (ngx_http_jobscout_users_found(q, res) != NGX_OK) {
        return;
    }

    ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_pg_json(r, NGX_HTTP_OK, res));
}


static void
ngx_http_jobscout_users_updated(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    u_char              *msg, *last;
    size_t               len;
    ngx_str_t            json;
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_users_failed(r, q, res));
        return;
    }

    if (!PQgetisnull(res, 0, 0)) {
        len = sizeof("is not a known company: ") - 1
              + PQgetlength(res, 0, 0);
        msg = ngx_pnalloc(r->pool, len + 1);
        if (msg == NULL) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        last = ngx_sprintf(msg, "is not a known company: %s",
                           PQgetvalue(res, 0, 0));
        *last = '\0';

        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_invalid(r, "preferences.companies",
                                      (const char *) msg));
        return;
    }

    if (PQgetisnull(res, 0, 1)) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_users_gone(r));
        return;
    }

    if (ngx_http_jobscout_pg_copy(r->pool, res, 1, &json) != NGX_OK) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &json));
}


static void
ngx_http_jobscout_users_no_content(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_request_t  *r;

    r = q->request;

    if (ngx_http_jobscout_users_found(q, res) != NGX_OK) {
        return;
    }

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0));
}


static void
ngx_http_jobscout_users_delete_found(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_str_t                   hash;
    ngx_http_request_t         *r;
    ngx_http_jobscout_users_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_users_found(q, res) != NGX_OK) {
        return;
    }

    hash.len = PQgetlength(res, 0, 0);
    hash.data = ngx_pnalloc(r->pool, hash.len + 1);
    if (hash.data == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    *ngx_cpymem(hash.data, PQgetvalue(res, 0, 0), hash.len) = '\0';

    if (ngx_http_jobscout_password_verify(r, &st->password, &hash,
            ngx_http_jobscout_users_delete_checked, st)
        != NGX_OK)
    {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
    }
}


static void
ngx_http_jobscout_users_delete_checked(ngx_http_request_t *r, void *data,
    ngx_int_t ok, u_char *hash)
{
    ngx_http_jobscout_users_t *st = data;

    ngx_int_t  rc;

    if (!ok) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_FORBIDDEN,
                                         "wrong_password",
                                         "the password is not this "
                                         "account's"));
        return;
    }

    rc = ngx_http_jobscout_users_run(r, st, &ngx_http_jobscout_delete_stmt,
                                     ngx_http_jobscout_users_deleted);
    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


/* the account is deleted: now every session of it goes */

static void
ngx_http_jobscout_users_deleted(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_request_t         *r;
    ngx_http_jobscout_users_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_users_found(q, res) != NGX_OK) {
        return;
    }

    if (ngx_http_jobscout_pg_copy(r->pool, res, 0, &st->answer) != NGX_OK) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    if (ngx_http_jobscout_revoke_sessions(r, &st->user,
                                          ngx_http_jobscout_users_revoked, st)
        != NGX_OK)
    {
        /*
         * The account is deleted and no new session can start (login
         * refuses deleted accounts); tokens already out still expire.
         */
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: account %V deleted, its sessions not "
                      "revoked", &st->user);
        ngx_http_jobscout_finalize(r,
                    ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &st->answer));
    }
}


static void
ngx_http_jobscout_users_revoked(ngx_http_request_t *r, void *data,
    ngx_int_t ok)
{
    ngx_http_jobscout_users_t *st = data;

    if (!ok) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: account %V deleted, its sessions not "
                      "revoked", &st->user);
    }

    ngx_http_jobscout_finalize(r,
                ngx_http_jobscout_send_str(r, NGX_HTTP_OK, &st->answer));
}


/* NGX_OK: res holds the account's row; otherwise the request is answered */

static ngx_int_t
ngx_http_jobscout_users_found(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_users_failed(r, q, res));
        return NGX_DECLINED;
    }

    if (PQntuples(res) == 0) {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_users_gone(r));
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_users_failed(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    const char  *sqlstate;

    /* two accounts claimed one device token at the same instant */

    sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (sqlstate && ngx_strcmp(sqlstate, "23505") == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT, "conflict",
                                            "another account registered "
                                            "this device token at the same "
                                            "time; try again");
    }

    return ngx_http_jobscout_pg_send_error(r, q, res);
}


static ngx_int_t
ngx_http_jobscout_users_gone(ngx_http_request_t *r)
{
    return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                        "this account no longer exists");
}


/*
 * preferences: {companies: [slug], roles: [string], locations: [string],
 * job_types: [type], workplace_types: [type], min_salary: {amount,
 * currency}, notifications: {push, email, email_digest}, min_score:
 * 0..100}.  All but notifications may be null: the stored value is then
 * removed.
 */

ngx_int_t
ngx_http_jobscout_check_preferences(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, json_t *prefs)
{
    json_t      *v;
    void        *it;
    const char  *key;
    json_int_t   score;

    if (!json_is_object(prefs)) {
        return ngx_http_jobscout_body_refuse(ctx, "preferences",
                                             "must be an object");
    }

    for (it = json_object_iter(prefs); it;
         it = json_object_iter_next(prefs, it))
    {
        key = json_object_iter_key(it);
        v = json_object_iter_value(it);

        if (ngx_strcmp(key, "companies") == 0) {
            if (ngx_http_jobscout_check_list(ctx, v, "preferences.companies",
                                             64, 1)
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "roles") == 0) {
            if (ngx_http_jobscout_check_list(ctx, v, "preferences.roles",
                                             64, 0)
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "locations") == 0) {
            if (ngx_http_jobscout_check_list(ctx, v, "preferences.locations",
                                             100, 0)
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "job_types") == 0) {
            if (ngx_http_jobscout_check_choices(ctx, v,
                        "preferences.job_types",
                        ngx_http_jobscout_job_types,
                        "must hold only full_time, part_time, contract, "
                        "internship or temporary")
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "workplace_types") == 0) {
            if (ngx_http_jobscout_check_choices(ctx, v,
                        "preferences.workplace_types",
                        ngx_http_jobscout_workplace_types,
                        "must hold only remote, hybrid or onsite")
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "min_salary") == 0) {
            if (ngx_http_jobscout_check_min_salary(r, ctx, v) != NGX_OK) {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "notifications") == 0) {
            if (ngx_http_jobscout_check_notifications(r, ctx, v) != NGX_OK) {
                return NGX_DECLINED;
            }

        } else if (ngx_strcmp(key, "min_score") == 0) {
            if (json_is_null(v)) {
                continue;
            }

            score = json_is_integer(v) ? json_integer_value(v) : -1;

            if (score < 0 || score > 100) {
                return ngx_http_jobscout_body_refuse(ctx,
                                        "preferences.min_score",
                                        "must be an integer from 0 to 100");
            }

        } else {
            return ngx_http_jobscout_body_refuse(ctx,
                        ngx_http_jobscout_subfield(r, "preferences", key),
                        "unknown field");
        }
    }

    return NGX_OK;
}


/* null, or a list of distinct short strings; slugs: [a-z0-9-] only */

static ngx_int_t
ngx_http_jobscout_check_list(ngx_http_jobscout_ctx_t *ctx, json_t *list,
    const char *field, size_t max, ngx_uint_t slugs)
{
    u_char  *p, *last;
    size_t   i, j, len;
    json_t  *item;

    if (json_is_null(list)) {
        return NGX_OK;
    }

    if (!json_is_array(list)) {
        return ngx_http_jobscout_body_refuse(ctx, field, "must be a list");
    }

    if (json_array_size(list) > NGX_HTTP_JOBSCOUT_MAX_PREFS_ITEMS) {
        return ngx_http_jobscout_body_refuse(ctx, field,
                                             "has more than 50 items");
    }

    json_array_foreach(list, i, item) {

        if (!json_is_string(item)) {
            return ngx_http_jobscout_body_refuse(ctx, field,
                                            "must be a list of strings");
        }

        p = (u_char *) json_string_value(item);
        len = json_string_length(item);
        last = p + len;

        if (len == 0 || ngx_utf8_length(p, len) > max) {
            return ngx_http_jobscout_body_refuse(ctx, field,
                                            "has an empty or too long item");
        }

        for ( /* void */ ; p < last; p++) {
            if (*p < 0x20 || *p == 0x7f
                || (slugs && !((*p >= 'a' && *p <= 'z')
                               || (*p >= '0' && *p <= '9') || *p == '-')))
            {
                return ngx_http_jobscout_body_refuse(ctx, field,
                                    slugs ? "must be company slugs "
                                            "(a-z, 0-9, -)"
                                          : "has a control character");
            }
        }

        for (j = 0; j < i; j++) {
            if (json_equal(item, json_array_get(list, j))) {
                return ngx_http_jobscout_body_refuse(ctx, field,
                                                     "has a duplicate");
            }
        }
    }

    return NGX_OK;
}


/* null, or a list of distinct strings among choices */

static ngx_int_t
ngx_http_jobscout_check_choices(ngx_http_jobscout_ctx_t *ctx, json_t *list,
    const char *field, const char **choices, const char *message)
{
    size_t        i;
    json_t       *item;
    const char  **c;

    if (ngx_http_jobscout_check_list(ctx, list, field, 64, 0) != NGX_OK) {
        return NGX_DECLINED;
    }

    json_array_foreach(list, i, item) {

        for (c = choices; *c; c++) {
            if (ngx_strcmp(*c, json_string_value(item)) == 0) {
                break;
            }
        }

        if (*c == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, field, message);
        }
    }

    return NGX_OK;
}


/*
 * null, or {amount: a year's gross pay in whole units, currency: the ISO
 * 4217 code it is in}; both required
 */

static ngx_int_t
ngx_http_jobscout_check_min_salary(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, json_t *salary)
{
    u_char      *p;
    size_t       i, len;
    json_t      *v;
    void        *it;
    const char  *key;
    json_int_t   amount;

    if (json_is_null(salary)) {
        return NGX_OK;
    }

    if (!json_is_object(salary)) {
        return ngx_http_jobscout_body_refuse(ctx, "preferences.min_salary",
                                             "must be an object");
    }

    for (it = json_object_iter(salary); it;
         it = json_object_iter_next(salary, it))
    {
        key = json_object_iter_key(it);

        if (ngx_strcmp(key, "amount") != 0
            && ngx_strcmp(key, "currency") != 0)
        {
            return ngx_http_jobscout_body_refuse(ctx,
                ngx_http_jobscout_subfield(r, "preferences.min_salary", key),
                "unknown field");
        }
    }

    v = json_object_get(salary, "amount");

    if (v == NULL) {
        return ngx_http_jobscout_body_refuse(ctx,
                                             "preferences.min_salary.amount",
                                             "is required");
    }

    amount = json_is_integer(v) ? json_integer_value(v) : -1;

    if (amount < 1 || amount > NGX_HTTP_JOBSCOUT_MAX_SALARY) {
        return ngx_http_jobscout_body_refuse(ctx,
                                    "preferences.min_salary.amount",
                                    "must be an integer from 1 to "
                                    "999999999999");
    }

    v = json_object_get(salary, "currency");

    if (v == NULL) {
        return ngx_http_jobscout_body_refuse(ctx,
                                        "preferences.min_salary.currency",
                                        "is required");
    }

    /* NULL and 0 for anything but a string */
    p = (u_char *) json_string_value(v);
    len = json_string_length(v);

    for (i = 0; i < len && p[i] >= 'A' && p[i] <= 'Z'; i++) {
        /* void */
    }

    if (len != 3 || i != 3) {
        return ngx_http_jobscout_body_refuse(ctx,
                                        "preferences.min_salary.currency",
                                        "is not an ISO 4217 code in "
                                        "capitals (KES, USD)");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_check_notifications(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, json_t *n)
{
    json_t      *v;
    void        *it;
    const char  *key, *digest;

    if (!json_is_object(n)) {
        return ngx_http_jobscout_body_refuse(ctx, "preferences.notifications",
                                             "must be an object");
    }

    for (it = json_object_iter(n); it; it = json_object_iter_next(n, it)) {
        key = json_object_iter_key(it);
        v = json_object_iter_value(it);

        if (ngx_strcmp(key, "push") == 0 || ngx_strcmp(key, "email") == 0) {
            if (!json_is_boolean(v)) {
                return ngx_http_jobscout_body_refuse(ctx,
                    ngx_http_jobscout_subfield(r, "preferences.notifications",
                                               key),
                    "must be true or false");
            }

        } else if (ngx_strcmp(key, "email_digest") == 0) {
            digest = json_is_string(v) ? json_string_value(v) : "";

            if (ngx_strcmp(digest, "instant") != 0
                && ngx_strcmp(digest, "hourly") != 0
                && ngx_strcmp(digest, "daily") != 0)
            {
                return ngx_http_jobscout_body_refuse(ctx,
                            "preferences.notifications.email_digest",
                            "must be instant, hourly or daily");
            }

        } else {
            return ngx_http_jobscout_body_refuse(ctx,
                ngx_http_jobscout_subfield(r, "preferences.notifications",
                                           key),
                "unknown field");
        }
    }

    return NGX_OK;
}


/* "parent.key", for the error; the key lives as long as the body */

static const char *
ngx_http_jobscout_subfield(ngx_http_request_t *r, const char *parent,
    const char *key)
{
    u_char  *p;
    size_t   len;

    len = ngx_strlen(parent) + 1 + ngx_strlen(key) + 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return parent;
    }

    ngx_sprintf(p, "%s.%s%Z", parent, key);

    return (const char *) p;
}
