
/*
 * Job Scout: a user's alerts, /api/v1/alerts: the jobs the matcher found
 * for them, and the application status each moves through (seed 001 #6).
 *
 * The status graph lives in PostgreSQL (migration 0005): a trigger checks
 * every change of application_status, whoever makes it, and raises
 * SQLSTATE JSA01 for a change off the graph, answered here with 409;
 * another trigger writes the history.  The list and the counters show
 * matched alerts; /alerts/{id}, its status and its history address any
 * row of the user's, applications logged by hand included (an
 * application's id is its alert's).
 *
 * The pieces the application tracker shares (_applications.c) are here
 * too: a statement run for the token's user and answered as PostgreSQL
 * built it, the list arguments, and the mapping of errors.
 */


#include "ngx_http_jobscout.h"


/* GET /alerts: the list arguments first, as the tracker's lists share them */

enum {
    NGX_HTTP_JOBSCOUT_ALERTS_UNREAD = 3,
    NGX_HTTP_JOBSCOUT_ALERTS_SAVED,
    NGX_HTTP_JOBSCOUT_ALERTS_NARGS
};


static ngx_int_t ngx_http_jobscout_alerts_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt);
static ngx_int_t ngx_http_jobscout_alerts_id(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_tracker_t *st);
static const char *ngx_http_jobscout_alerts_status_name(ngx_str_t *name);
static void ngx_http_jobscout_tracker_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_tracker_failed(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q, PGresult *res);


static ngx_http_jobscout_arg_spec_t  ngx_http_jobscout_alerts_args[] = {
    { "limit", 1 },
    { "cursor", 1 },
    { "status", 1 },
    { "unread", 1 },
    { "saved", 1 },
    { NULL, 0 }
};


/* $6: unread (true: is_read false), $7: saved */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_list_stmt = {
    "alerts_list",
    "WITH page AS ("
    "  SELECT a.* FROM user_job_alerts a"
    "   WHERE a.user_id = " NGX_HTTP_JOBSCOUT_SQL_ME
    "     AND a.job_id IS NOT NULL"
    "     AND " NGX_HTTP_JOBSCOUT_SQL_ALERT_AFTER("created_at")
    "     AND ($5::text IS NULL OR a.application_status = $5)"
    "     AND ($6::boolean IS NULL OR a.is_read <> $6)"
    "     AND ($7::boolean IS NULL OR a.is_saved = $7)"
    "   ORDER BY a.created_at DESC, a.id DESC"
    "   LIMIT $2::integer + 1"
    ")"
    NGX_HTTP_JOBSCOUT_SQL_ALERT_PAGE("created_at"),
    7, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_unread_stmt = {
    "alerts_unread_count",
    "SELECT json_build_object('unread', count(*))::text"
    "  FROM user_job_alerts a"
    " WHERE a.user_id = " NGX_HTTP_JOBSCOUT_SQL_ME
    "   AND NOT a.is_read AND a.job_id IS NOT NULL",
    1, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_read_all_stmt = {
    "alerts_read_all",
    "WITH u AS ("
    "  UPDATE user_job_alerts SET is_read = true"
    "   WHERE user_id = " NGX_HTTP_JOBSCOUT_SQL_ME " AND NOT is_read"
    "  RETURNING 1"
    ")"
    " SELECT json_build_object('updated', count(*))::text FROM u",
    1, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_get_stmt = {
    "alerts_get",
    "SELECT " NGX_HTTP_JOBSCOUT_SQL_ALERT_DETAIL "::text"
    "  FROM user_job_alerts a"
    NGX_HTTP_JOBSCOUT_SQL_ALERT_JOINS("logged_jobs")
    " WHERE a.id = $2::uuid AND a.user_id = " NGX_HTTP_JOBSCOUT_SQL_ME,
    2, 0
};

/*
 * $3..$5: is_read, is_saved, is_applied, NULL to keep; $6 true: set the
 * notes to $7 ("" clears them).  Marking applied starts the application
 * (the status graph's first step); unmarking takes it back, which the
 * graph allows from Applied only.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_update_stmt = {
    "alerts_update",
    "WITH a AS ("
    "  UPDATE user_job_alerts"
    "     SET is_read = coalesce($3::boolean, is_read),"
    "         is_saved = coalesce($4::boolean, is_saved),"
    "         is_applied = coalesce($5::boolean, is_applied),"
    "         application_status = CASE"
    "           WHEN $5::boolean IS NULL THEN application_status"
    "           WHEN $5::boolean THEN coalesce(application_status, 'Applied')"
    "           ELSE NULL END,"
    "         notes = CASE WHEN $6::boolean THEN nullif($7::text, '')"
    "                      ELSE notes END"
    "   WHERE id = $2::uuid AND user_id = " NGX_HTTP_JOBSCOUT_SQL_ME
    "  RETURNING *"
    ")"
    " SELECT " NGX_HTTP_JOBSCOUT_SQL_ALERT "::text FROM a"
    NGX_HTTP_JOBSCOUT_SQL_ALERT_JOINS("logged_jobs"),
    7, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_status_stmt = {
    "alerts_status",
    "WITH a AS ("
    "  UPDATE user_job_alerts SET application_status = $3, is_applied = true"
    "   WHERE id = $2::uuid AND user_id = " NGX_HTTP_JOBSCOUT_SQL_ME
    "  RETURNING *"
    ")"
    " SELECT " NGX_HTTP_JOBSCOUT_SQL_ALERT "::text FROM a"
    NGX_HTTP_JOBSCOUT_SQL_ALERT_JOINS("logged_jobs"),
    3, 0
};

/* oldest first; the id orders changes made in one transaction, if any */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_alerts_history_stmt = {
    "alerts_history",
    "SELECT json_build_object('alert_id', a.id,"
    "        'application_status', a.application_status,"
    "        'items', coalesce((SELECT json_agg(json_build_object("
    "             'from_status', h.from_status, 'to_status', h.to_status,"
    "             'changed_at', h.changed_at) ORDER BY h.changed_at, h.id)"
    "           FROM application_status_history h"
    "          WHERE h.alert_id = a.id), '[]'))::text"
    "  FROM user_job_alerts a"
    " WHERE a.id = $2::uuid AND a.user_id = " NGX_HTTP_JOBSCOUT_SQL_ME,
    2, 0
};


ngx_int_t
ngx_http_jobscout_alerts_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_arg_t       args[NGX_HTTP_JOBSCOUT_ALERTS_NARGS];
    ngx_http_jobscout_tracker_t  *st;

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(args, sizeof(args));

    if (ngx_http_jobscout_args_parse(r, ctx, ngx_http_jobscout_alerts_args,
                                     args)
        != NGX_OK
        || ngx_http_jobscout_tracker_list_args(r, ctx, st, args) != NGX_OK
        || ngx_http_jobscout_arg_flag(ctx,
                                    &args[NGX_HTTP_JOBSCOUT_ALERTS_UNREAD],
                                    "unread", &st->values[5])
           != NGX_OK
        || ngx_http_jobscout_arg_flag(ctx,
                                    &args[NGX_HTTP_JOBSCOUT_ALERTS_SAVED],
                                    "saved", &st->values[6])
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_tracker_run(r, st,
                                         &ngx_http_jobscout_alerts_list_stmt);
}


ngx_int_t
ngx_http_jobscout_alerts_unread_count(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_alerts_one(r, ctx,
                                        &ngx_http_jobscout_alerts_unread_stmt);
}


ngx_int_t
ngx_http_jobscout_alerts_read_all(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_alerts_one(r, ctx,
                                    &ngx_http_jobscout_alerts_read_all_stmt);
}


ngx_int_t
ngx_http_jobscout_alerts_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_alerts_one(r, ctx,
                                        &ngx_http_jobscout_alerts_get_stmt);
}


ngx_int_t
ngx_http_jobscout_alerts_history(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_alerts_one(r, ctx,
                                    &ngx_http_jobscout_alerts_history_stmt);
}


/* PATCH /alerts/{id} {is_read?, is_saved?, is_applied?, notes?} */

ngx_int_t
ngx_http_jobscout_alerts_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_str_t                     notes;
    ngx_http_jobscout_tracker_t  *st;

    static const char  *allowed[] = { "is_read", "is_saved", "is_applied",
                                      "notes", NULL };

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_alerts_id(ctx, st) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", st->missing);
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_boolean(ctx, "is_read", &st->values[2])
           != NGX_OK
        || ngx_http_jobscout_body_boolean(ctx, "is_saved", &st->values[3])
           != NGX_OK
        || ngx_http_jobscout_body_boolean(ctx, "is_applied", &st->values[4])
           != NGX_OK
        || ngx_http_jobscout_body_text(r, ctx, "notes",
                                       NGX_HTTP_JOBSCOUT_NOTES_MAX,
                                       &notes)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (json_object_size(ctx->body) == 0) {
        return ngx_http_jobscout_send_error(r,
                                NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                "validation_failed",
                                "nothing to change: send is_read, is_saved, "
                                "is_applied or notes");
    }

    st->values[5] = notes.data ? "t" : "f";
    st->values[6] = (const char *) notes.data;

    return ngx_http_jobscout_tracker_run(r, st,
                                         &ngx_http_jobscout_alerts_update_stmt);
}


/* PATCH /alerts/{id}/status {status} */

ngx_int_t
ngx_http_jobscout_alerts_status(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_str_t                     status;
    ngx_http_jobscout_tracker_t  *st;

    static const char  *allowed[] = { "status", NULL };

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_alerts_id(ctx, st) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", st->missing);
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "status", 1, 32, &status)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    st->values[2] = ngx_http_jobscout_alerts_status_name(&status);

    if (st->values[2] == NULL) {
        return ngx_http_jobscout_invalid(r, "status",
                                         "must be Applied, Interviewing, "
                                         "Offer, Rejected or Withdrawn");
    }

    return ngx_http_jobscout_tracker_run(r, st,
                                         &ngx_http_jobscout_alerts_status_stmt);
}


/* a route of no argument and maybe an {id}, answered as one document */

static ngx_int_t
ngx_http_jobscout_alerts_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt)
{
    ngx_http_jobscout_tracker_t  *st;

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ctx->nparams && ngx_http_jobscout_alerts_id(ctx, st) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", st->missing);
    }

    return ngx_http_jobscout_tracker_run(r, st, stmt);
}


/* {id} as $2; a malformed id names no alert: 404, as an unknown one */

static ngx_int_t
ngx_http_jobscout_alerts_id(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_tracker_t *st)
{
    if (ngx_http_jobscout_valid_uuid(&ctx->params[0]) != NGX_OK) {
        return NGX_DECLINED;
    }

    *ngx_cpymem(st->id, ctx->params[0].data, ctx->params[0].len) = '\0';
    st->values[1] = (const char *) st->id;

    return NGX_OK;
}


/* the status as application_status spells it, or NULL */

static const char *
ngx_http_jobscout_alerts_status_name(ngx_str_t *name)
{
    const char  **s;

    static const char  *statuses[] = { "Applied", "Interviewing", "Offer",
                                       "Rejected", "Withdrawn", NULL };

    for (s = statuses; *s; s++) {
        if (ngx_strlen(*s) == name->len
            && ngx_strncmp(*s, name->data, name->len) == 0)
        {
            return *s;
        }
    }

    return NULL;
}


/*
 * The tracker's statements: $1 the user, answered with the one JSON row
 * PostgreSQL built (st->status), a keyset page, or 404 when there is none.
 */

ngx_http_jobscout_tracker_t *
ngx_http_jobscout_tracker_new(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                       *user;
    ngx_http_jobscout_tracker_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_tracker_t));
    user = ngx_pnalloc(r->pool, ctx->token.sub.len + 1);
    if (st == NULL || user == NULL) {
        return NULL;
    }

    *ngx_cpymem(user, ctx->token.sub.data, ctx->token.sub.len) = '\0';

    ctx->data = st;
    st->values[0] = (const char *) user;
    st->status = NGX_HTTP_OK;
    st->missing = "no such alert";
    st->query.values = st->values;
    st->query.data = st;

    return st;
}


/*
 * limit, cursor and status, the first three arguments of every list of the
 * tracker, as $2..$5.
 */

ngx_int_t
ngx_http_jobscout_tracker_list_args(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_tracker_t *st,
    ngx_http_jobscout_arg_t *args)
{
    u_char     *p;
    ngx_int_t   limit;
    ngx_str_t   fields[2];

    if (ngx_http_jobscout_arg_limit(r, ctx, &args[0], 20, 100, &limit)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *ngx_sprintf(p, "%i", limit) = '\0';
    st->values[1] = (const char *) p;

    if (args[1].n) {
        if (ngx_http_jobscout_cursor_decode(r, ctx, &args[1].values[0],
                                            fields, 2)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        st->values[2] = (const char *) fields[0].data;
        st->values[3] = (const char *) fields[1].data;
    }

    if (args[2].n) {
        st->values[4] = ngx_http_jobscout_alerts_status_name(
                                                        &args[2].values[0]);
        if (st->values[4] == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, "status",
                                    "must be Applied, Interviewing, Offer, "
                                    "Rejected or Withdrawn");
        }
    }

    st->page = 1;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_tracker_run(ngx_http_request_t *r,
    ngx_http_jobscout_tracker_t *st, ngx_http_jobscout_pg_stmt_t *stmt)
{
    st->query.stmt = stmt;
    st->query.handler = ngx_http_jobscout_tracker_done;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_tracker_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t                     rc;
    ngx_http_request_t           *r;
    ngx_http_jobscout_tracker_t  *st;

    r = q->request;
    st = q->data;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = ngx_http_jobscout_tracker_failed(r, q, res);

    } else if (PQntuples(res) == 0) {
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                          st->missing);

    } else if (st->page) {
        rc = ngx_http_jobscout_send_page(r, res);

    } else {
        rc = ngx_http_jobscout_send_pg_json(r, st->status, res);
    }

    ngx_http_jobscout_finalize(r, rc);
}


static ngx_int_t
ngx_http_jobscout_tracker_failed(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    const char  *sqlstate, *constraint, *message;

    sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (sqlstate == NULL) {
        return ngx_http_jobscout_pg_send_error(r, q, res);
    }

    /* a change off the status graph: the trigger's message names both */

    if (ngx_strcmp(sqlstate, "JSA01") == 0) {
        message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

        return ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT,
                   "invalid_transition",
                   message ? message : "this status change is not allowed");
    }

    /* check_violation: what the validation before the query cannot know */

    if (ngx_strcmp(sqlstate, "23514") == 0) {
        constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);

        if (constraint
            && ngx_strcmp(constraint, "user_job_alerts_logged_applied_chk")
               == 0)
        {
            return ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT,
                       "invalid_transition",
                       "an application logged by hand cannot be marked "
                       "not applied");
        }

        return ngx_http_jobscout_send_error(r,
                   NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "validation_failed",
                   "a value is out of the allowed range");
    }

    /* foreign_key_violation: the account went away meanwhile */

    if (ngx_strcmp(sqlstate, "23503") == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found",
                                            "this account no longer exists");
    }

    return ngx_http_jobscout_pg_send_error(r, q, res);
}
