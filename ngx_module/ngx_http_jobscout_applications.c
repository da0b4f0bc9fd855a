
/*
 * Job Scout: the application tracker (seed 004), /api/v1/applications and
 * /api/v1/users/me/dashboard.
 *
 * An application logged for a job found elsewhere is stored as the user's
 * private logged_jobs row and a user_job_alerts row pointing at it, so it
 * lists, moves through statuses (PATCH /alerts/{id}/status) and keeps its
 * history exactly like an alert the user applied to.  It never becomes a
 * row of jobs or companies, which everyone can list.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_APPLICATIONS_NARGS  3


static ngx_int_t ngx_http_jobscout_applications_line(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx, const char *name,
    size_t max, const char **value);
static ngx_int_t ngx_http_jobscout_applications_url(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **value);


static ngx_http_jobscout_arg_spec_t  ngx_http_jobscout_applications_args[] = {
    { "limit", 1 },
    { "cursor", 1 },
    { "status", 1 },
    { NULL, 0 }
};


/*
 * $2 title, $3 company, $4 url or NULL, $5 notes or NULL.  The company is
 * linked to a known one of the same name, never created: companies are
 * public.  The row is read (the user wrote it) and notified (there is
 * nothing to push), and starts as Applied, which the history records.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_applications_create_stmt
    = {
    "applications_create",
    "WITH logged AS ("
    "  INSERT INTO logged_jobs (user_id, title, company, company_id, url)"
    "  SELECT me.id, btrim($2), btrim($3),"
    "         (SELECT c.id FROM companies c"
    "           WHERE lower(c.name) = lower(btrim($3))"
    "           ORDER BY c.is_active DESC, c.created_at LIMIT 1),"
    "         $4"
    "    FROM users me WHERE me.id = $1::uuid AND me.deleted_at IS NULL"
    " AND me.is_active"
    "  RETURNING *"
    "), a AS ("
    "  INSERT INTO user_job_alerts (user_id, logged_job_id, is_read,"
    "         is_applied, application_status, notified_at, notes)"
    "  SELECT user_id, id, true, true, 'Applied', now(), $5 FROM logged"
    "  RETURNING *"
    ")"
    " SELECT " NGX_HTTP_JOBSCOUT_SQL_ALERT "::text FROM a"
    NGX_HTTP_JOBSCOUT_SQL_ALERT_JOINS("logged"),
    5, 0
};

/* both kinds, most recently applied first */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_applications_list_stmt = {
    "applications_list",
    "WITH page AS ("
    "  SELECT a.* FROM user_job_alerts a"
    "   WHERE a.user_id = " NGX_HTTP_JOBSCOUT_SQL_ME
    "     AND a.application_status IS NOT NULL"
    "     AND " NGX_HTTP_JOBSCOUT_SQL_ALERT_AFTER("applied_at")
    "     AND ($5::text IS NULL OR a.application_status = $5)"
    "   ORDER BY a.applied_at DESC, a.id DESC"
    "   LIMIT $2::integer + 1"
    ")"
    NGX_HTTP_JOBSCOUT_SQL_ALERT_PAGE("applied_at"),
    5, 0
};

/*
 * Weeks are ISO weeks (from Monday) in UTC: "this week" and the last of
 * the 8 weekly buckets start on the same Monday.  An application got an
 * answer when it ever reached Interviewing, Offer or Rejected; withdrawing
 * is the user's move, not an answer.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_applications_dashboard_stmt = {
    "applications_dashboard",
    "WITH me AS ("
    "  SELECT id, date_trunc('week', now() AT TIME ZONE 'UTC') AS week"
    "    FROM users WHERE id = $1::uuid AND deleted_at IS NULL"
    " AND is_active"
    "), mine AS ("
    "  SELECT a.job_id, a.is_read, a.application_status,"
    "         a.created_at AT TIME ZONE 'UTC' AS created,"
    "         a.applied_at AT TIME ZONE 'UTC' AS applied,"
    "         a.application_status IS NOT NULL AND EXISTS ("
    "           SELECT 1 FROM application_status_history h"
    "            WHERE h.alert_id = a.id"
    "              AND h.to_status IN ('Interviewing', 'Offer', 'Rejected'))"
    "           AS answered"
    "    FROM user_job_alerts a JOIN me ON a.user_id = me.id"
    "), counts AS ("
    "  SELECT count(application_status) AS applications,"
    "         count(*) FILTER (WHERE answered) AS answered,"
    "         json_build_object("
    "           'Applied', count(*) FILTER (WHERE"
    "                        application_status = 'Applied'),"
    "           'Interviewing', count(*) FILTER (WHERE"
    "                        application_status = 'Interviewing'),"
    "           'Offer', count(*) FILTER (WHERE application_status = 'Offer'),"
    "           'Rejected', count(*) FILTER (WHERE"
    "                        application_status = 'Rejected'),"
    "           'Withdrawn', count(*) FILTER (WHERE"
    "                        application_status = 'Withdrawn')) AS by_status,"
    "         count(*) FILTER (WHERE job_id IS NOT NULL"
    "                          AND created >= (SELECT week FROM me))"
    "           AS new_alerts,"
    "         count(*) FILTER (WHERE job_id IS NOT NULL AND NOT is_read)"
    "           AS unread"
    "    FROM mine"
    "), weeks AS ("
    "  SELECT me.week - n * interval '1 week' AS start"
    "    FROM me, generate_series(0, 7) n"
    ")"
    " SELECT json_build_object("
    "   'applications', c.applications,"
    "   'by_status', c.by_status,"
    "   'new_alerts_this_week', c.new_alerts,"
    "   'unread_alerts', c.unread,"
    "   'applications_per_week', (SELECT json_agg(json_build_object("
    "         'week_start', w.start::date,"
    "         'applications', (SELECT count(*) FROM mine m"
    "                           WHERE m.applied >= w.start"
    "                             AND m.applied < w.start + interval '1 week'))"
    "       ORDER BY w.start) FROM weeks w),"
    "   'response_rate',"
    "       round(c.answered::numeric / nullif(c.applications, 0), 4)"
    " )::text"
    " FROM me, counts c",
    1, 0
};


/* POST /applications {title, company, url?, notes?}: 201 */

ngx_int_t
ngx_http_jobscout_applications_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_str_t                     notes;
    ngx_http_jobscout_tracker_t  *st;

    static const char  *allowed[] = { "title", "company", "url", "notes",
                                      NULL };

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_applications_line(r, ctx, "title", 300,
                                               &st->values[1])
           != NGX_OK
        || ngx_http_jobscout_applications_line(r, ctx, "company", 200,
                                               &st->values[2])
           != NGX_OK
        || ngx_http_jobscout_applications_url(r, ctx, &st->values[3])
           != NGX_OK
        || ngx_http_jobscout_body_text(r, ctx, "notes",
                                       NGX_HTTP_JOBSCOUT_NOTES_MAX, &notes)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    st->values[4] = notes.len ? (const char *) notes.data : NULL;
    st->status = NGX_HTTP_CREATED;
    st->missing = "this account no longer exists";

    return ngx_http_jobscout_tracker_run(r, st,
                                &ngx_http_jobscout_applications_create_stmt);
}


/* GET /applications?status=&limit=&cursor= */

ngx_int_t
ngx_http_jobscout_applications_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_arg_t       args[NGX_HTTP_JOBSCOUT_APPLICATIONS_NARGS];
    ngx_http_jobscout_tracker_t  *st;

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(args, sizeof(args));

    if (ngx_http_jobscout_args_parse(r, ctx,
                                     ngx_http_jobscout_applications_args,
                                     args)
        != NGX_OK
        || ngx_http_jobscout_tracker_list_args(r, ctx, st, args) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_tracker_run(r, st,
                                &ngx_http_jobscout_applications_list_stmt);
}


/* GET /users/me/dashboard */

ngx_int_t
ngx_http_jobscout_applications_dashboard(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_tracker_t  *st;

    st = ngx_http_jobscout_tracker_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    st->missing = "this account no longer exists";

    return ngx_http_jobscout_tracker_run(r, st,
                                &ngx_http_jobscout_applications_dashboard_stmt);
}


/* a required one-line string that is not only spaces */

static ngx_int_t
ngx_http_jobscout_applications_line(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, size_t max,
    const char **value)
{
    u_char     *p;
    ngx_str_t   s;

    if (ngx_http_jobscout_body_string(r, ctx, name, 1, max, &s) != NGX_OK) {
        return NGX_DECLINED;
    }

    for (p = s.data; p < s.data + s.len; p++) {
        if (*p != ' ') {
            *value = (const char *) s.data;
            return NGX_OK;
        }
    }

    return ngx_http_jobscout_body_refuse(ctx, name, "must not be blank");
}


/* an optional http(s) URL, without spaces; the scheme is kept lowercase */

static ngx_int_t
ngx_http_jobscout_applications_url(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **value)
{
    u_char     *p, *host;
    ngx_str_t   url;

    *value = NULL;

    if (json_object_get(ctx->body, "url") == NULL
        || json_is_null(json_object_get(ctx->body, "url")))
    {
        return NGX_OK;
    }

    if (ngx_http_jobscout_body_string(r, ctx, "url", 1, 2048, &url)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (url.len > 8 && ngx_strncasecmp(url.data, (u_char *) "https://", 8)
                       == 0)
    {
        host = url.data + 8;

    } else if (url.len > 7
               && ngx_strncasecmp(url.data, (u_char *) "http://", 7) == 0)
    {
        host = url.data + 7;

    } else {
        return ngx_http_jobscout_body_refuse(ctx, "url",
                                             "must be an http or https URL");
    }

    ngx_strlow(url.data, url.data, host - url.data);

    for (p = host; p < url.data + url.len; p++) {
        if (*p == ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\') {
            return ngx_http_jobscout_body_refuse(ctx, "url",
                                                 "has a character a URL "
                                                 "cannot have");
        }
    }

    *value = (const char *) url.data;

    return NGX_OK;
}
