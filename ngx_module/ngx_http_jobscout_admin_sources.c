
/*
 * Job Scout: sources for operators, /api/v1/admin/sources: what is
 * scraped, by which adapter, how often, and how the runs went
 * (/admin/sources/{id}/logs, /admin/scrape-logs).
 *
 * A source's config is checked against the adapter catalogue that
 * jobscoutd checks it against too (catalogue.h), so that nothing is
 * stored that the scraper would refuse to run.  Changing the adapter or
 * the config alone checks the pair as it would stand: the stored half is
 * read first, and the change is refused with 409 if that half changed
 * meanwhile.  The webhook secret never leaves the database, not even
 * into the audit.
 */


#include "ngx_http_jobscout.h"
#include "catalogue.h"


#define NGX_HTTP_JOBSCOUT_ADMIN_INTERVAL_MIN  60
#define NGX_HTTP_JOBSCOUT_ADMIN_INTERVAL_MAX  604800    /* a week */
#define NGX_HTTP_JOBSCOUT_ADMIN_CLASS_MAX     100
#define NGX_HTTP_JOBSCOUT_ADMIN_FIELD_LEN     128       /* "config.a.b" */
#define NGX_HTTP_JOBSCOUT_ADMIN_REASON_LEN    256


/* a source's fields, as the body gave them, in statement order */

enum {
    NGX_HTTP_JOBSCOUT_SOURCE_COMPANY = 0,
    NGX_HTTP_JOBSCOUT_SOURCE_CLASS,
    NGX_HTTP_JOBSCOUT_SOURCE_URL,
    NGX_HTTP_JOBSCOUT_SOURCE_CONFIG,
    NGX_HTTP_JOBSCOUT_SOURCE_PRIORITY,
    NGX_HTTP_JOBSCOUT_SOURCE_INTERVAL
};

typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                    **values;
    const char                    **fields;     /* the body's, in values */
    const js_adapter_info_t        *adapter;    /* scraper_class, if sent */
    json_t                         *config;     /* config, if sent */
} ngx_http_jobscout_admin_source_t;


static ngx_http_jobscout_admin_source_t *ngx_http_jobscout_admin_source_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx, ngx_uint_t n,
    ngx_uint_t f);
static ngx_int_t ngx_http_jobscout_admin_source_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st,
    ngx_uint_t create);
static ngx_int_t ngx_http_jobscout_admin_source_define(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st,
    ngx_uint_t create, ngx_uint_t company);
static ngx_int_t ngx_http_jobscout_admin_source_interval(
    ngx_http_jobscout_ctx_t *ctx, ngx_http_request_t *r, const char **value);
static ngx_int_t ngx_http_jobscout_admin_source_check(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st);
static void ngx_http_jobscout_admin_source_stored(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static ngx_int_t ngx_http_jobscout_admin_source_pair(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st,
    PGresult *res);
static ngx_uint_t ngx_http_jobscout_admin_source_url_known(
    ngx_http_jobscout_admin_source_t *st);
static const char *ngx_http_jobscout_admin_source_copy(ngx_http_request_t *r,
    const char *s);
static ngx_int_t ngx_http_jobscout_admin_logs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt);


/* what an operator sees of a source "s" of the company "c" */

#define NGX_HTTP_JOBSCOUT_ADMIN_SOURCE                                       \
    "json_build_object('id', s.id,"                                          \
    " 'company', json_build_object('id', c.id, 'slug', c.slug,"              \
    "                              'name', c.name),"                         \
    " 'scraper_class', s.scraper_class, 'source_url', s.source_url,"         \
    " 'config', s.config, 'priority', s.priority,"                           \
    " 'scrape_interval_seconds', s.scrape_interval_seconds,"                 \
    " 'is_active', s.is_active, 'health_status', s.health_status,"           \
    " 'consecutive_failures', s.consecutive_failures,"                       \
    " 'last_error', s.last_error, 'last_scraped_at', s.last_scraped_at,"     \
    " 'polling', json_build_object('next_check_at', s.next_check_at,"        \
    "     'reason', s.next_check_reason, 'fetch_host', s.fetch_host,"        \
    "     'last_success_at', s.last_success_at,"                             \
    "     'last_changed_at', s.last_changed_at,"                             \
    "     'changes', round(s.poll_changes::numeric, 3),"                     \
    "     'hours_observed', round(s.poll_hours::numeric, 3),"                \
    "     'quiet_polls', s.poll_quiet),"                                     \
    " 'webhook', json_build_object("                                         \
    "     'configured', s.webhook_secret IS NOT NULL,"                       \
    "     'created_at', s.webhook_secret_at),"                               \
    " 'created_at', s.created_at, 'updated_at', s.updated_at)"

#define NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COMPANY                               \
    " JOIN companies c ON c.id = s.company_id"

/* the row in the audit: all of it but the secret */

#define NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_IMAGE(row)                            \
    "(to_jsonb(" row ") - 'webhook_secret')"

#define NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COLUMNS                               \
    "company_id, scraper_class, source_url, config, priority,"               \
    " scrape_interval_seconds, is_active, health_status,"                    \
    " consecutive_failures"

/* the columns a deactivation or a reactivation keeps as they are */

#define NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_KEPT                                  \
    "o.company_id, o.scraper_class, o.source_url, o.config, o.priority,"     \
    " o.scrape_interval_seconds"

#define NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_CHANGE(action, new, where)            \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CHANGE("job_sources",                        \
        NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COLUMNS,                              \
        NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_IMAGE, action, "source",              \
        "SELECT " new " FROM old o" where)                                   \
    " SELECT 200, " NGX_HTTP_JOBSCOUT_ADMIN_SOURCE "::text"                  \
    "   FROM cur s" NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COMPANY


/*
 * GET /admin/sources: newest first; $6 company, $7 scraper_class (case-
 * blind, as the catalogue), $8 health_status, $9 is_active.  Hundreds of
 * rows, not more: named.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_sources_list_stmt
    = {
    "admin_sources_list",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " page AS (SELECT s.* FROM job_sources s"
    "  WHERE " NGX_HTTP_JOBSCOUT_SQL_ADMIN_AFTER("s.created_at", "s.id")
    "    AND ($6::uuid IS NULL OR s.company_id = $6::uuid)"
    "    AND ($7::text IS NULL OR lower(s.scraper_class) = lower($7))"
    "    AND ($8::text IS NULL OR s.health_status = $8)"
    "    AND ($9::boolean IS NULL OR s.is_active = $9::boolean)"
    "  ORDER BY s.created_at DESC, s.id DESC"
    "  LIMIT $3::integer + 1)"
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED_PAGE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_PAGE(NGX_HTTP_JOBSCOUT_ADMIN_SOURCE, "s",
                                     "created_at",
                                     NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COMPANY,
                                     ""),
    9, 0
};

/*
 * $3 company_id, $4 scraper_class, $5 source_url, $6 config, $7 priority,
 * $8 scrape_interval_seconds ("": none).  A company that does not exist
 * fails the foreign key: 422 company_id.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_sources_create_stmt = {
    "admin_sources_create",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " s AS (INSERT INTO job_sources (company_id, scraper_class, source_url,"
    "                                config, priority,"
    "                                scrape_interval_seconds)"
    "        SELECT $3::uuid, $4::text, $5::text, $6::jsonb, $7::text,"
    "               nullif($8::text, '')::integer FROM admin"
    "        RETURNING *),"
    " created AS (SELECT s.id AS target_id, NULL::jsonb AS before,"
    "             " NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_IMAGE("s") " AS after"
    "               FROM s),"
    NGX_HTTP_JOBSCOUT_SQL_AUDIT("source.create", "source", "created")
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 201, " NGX_HTTP_JOBSCOUT_ADMIN_SOURCE "::text"
    "   FROM s" NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COMPANY,
    8, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_sources_get_stmt
    = {
    "admin_sources_get",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 200, " NGX_HTTP_JOBSCOUT_ADMIN_SOURCE "::text"
    "   FROM job_sources s" NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COMPANY
    "  WHERE s.id = $3::uuid AND EXISTS (SELECT FROM admin)",
    3, 0
};

/*
 * The stored half of an adapter and config pair, read before a change of
 * the other half; the config as its exact text, which the change then
 * requires unchanged.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_sources_pair_stmt = {
    "admin_sources_pair",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 200, json_build_object('scraper_class', s.scraper_class,"
    "                               'source_url', s.source_url,"
    "                               'config', s.config::text)::text"
    "   FROM job_sources s"
    "  WHERE s.id = $3::uuid AND EXISTS (SELECT FROM admin)",
    3, 0
};

/*
 * $4..$8 as $3..$7 of a creation, NULL keeps; $9 scrape_interval_seconds:
 * NULL keeps, "" the scheduler's default.  $10 and $11: the adapter and
 * config the check was made with, when read from the row.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_sources_update_stmt = {
    "admin_sources_update",
    NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_CHANGE("source.update",
        "coalesce($4::uuid, o.company_id) AS company_id,"
        " coalesce($5::text, o.scraper_class) AS scraper_class,"
        " coalesce($6::text, o.source_url) AS source_url,"
        " coalesce($7::jsonb, o.config) AS config,"
        " coalesce($8::text, o.priority) AS priority,"
        " CASE WHEN $9::text IS NULL THEN o.scrape_interval_seconds"
        "      ELSE nullif($9, '')::integer END AS scrape_interval_seconds,"
        " o.is_active, o.health_status, o.consecutive_failures",
        " WHERE $10::text IS NULL"
        "    OR (o.scraper_class = $10 AND o.config = $11::jsonb)"),
    11, 0
};

/* no longer scheduled, nor run if queued (the scraper wants it active) */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_sources_deactivate_stmt = {
    "admin_sources_deactivate",
    NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_CHANGE("source.deactivate",
        NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_KEPT ", false AS is_active,"
        " o.health_status, o.consecutive_failures", ""),
    3, 0
};

/*
 * Reactivated, a source starts healthy: its failures in a row were those
 * of the source as it was before the operator looked at it, and its
 * health would otherwise say "failing" of a source that has not run
 * since.  last_error stays, for what it says; the next success clears it.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_sources_reactivate_stmt = {
    "admin_sources_reactivate",
    NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_CHANGE("source.reactivate",
        NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_KEPT ", true AS is_active,"
        " 'healthy'::text AS health_status, 0 AS consecutive_failures", ""),
    3, 0
};


/*
 * Scrape logs, newest first: $6 status, $7 since (micros), $8 the source;
 * l the log, s its source, c the source's company.
 */

#define NGX_HTTP_JOBSCOUT_ADMIN_SCRAPE_LOG                                   \
    "json_build_object('id', l.id, 'source_id', l.source_id,"                \
    " 'source', json_build_object('id', s.id,"                               \
    "     'scraper_class', s.scraper_class, 'company_slug', c.slug),"        \
    " 'status', l.status, 'trigger', l.trigger,"                             \
    " 'started_at', l.started_at, 'finished_at', l.finished_at,"             \
    " 'duration_ms', l.duration_ms, 'pages', l.pages,"                       \
    " 'http_status', l.http_status, 'jobs_found', l.jobs_found,"             \
    " 'new_jobs', l.new_jobs, 'updated_jobs', l.updated_jobs,"               \
    " 'expired_jobs', l.expired_jobs, 'duplicate_jobs', l.duplicate_jobs,"   \
    " 'outcome', l.outcome, 'bytes', l.bytes,"                               \
    " 'error_message', l.error_message)"

#define NGX_HTTP_JOBSCOUT_ADMIN_SCRAPE_LOGS(source, having)                  \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","                                      \
    " page AS (SELECT l.* FROM scrape_logs l"                                \
    "  WHERE " source                                                        \
    "    AND " NGX_HTTP_JOBSCOUT_SQL_ADMIN_AFTER("l.started_at", "l.id")     \
    "    AND ($6::text IS NULL OR l.status = $6)"                            \
    "    AND ($7::bigint IS NULL"                                            \
    "         OR l.started_at >= " NGX_HTTP_JOBSCOUT_SQL_MICROS("$7") ")"     \
    "  ORDER BY l.started_at DESC, l.id DESC"                                \
    "  LIMIT $3::integer + 1)"                                               \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED_PAGE                                  \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_PAGE(NGX_HTTP_JOBSCOUT_ADMIN_SCRAPE_LOG,      \
        "l", "started_at",                                                   \
        " JOIN job_sources s ON s.id = l.source_id"                          \
        NGX_HTTP_JOBSCOUT_ADMIN_SOURCE_COMPANY, having)

/* one source's: on idx_scrape_logs_source_started; none: 404 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_sources_logs_stmt
    = {
    "admin_sources_logs",
    NGX_HTTP_JOBSCOUT_ADMIN_SCRAPE_LOGS("l.source_id = $8::uuid",
        " AND EXISTS (SELECT FROM job_sources WHERE id = $8::uuid)"),
    8, 0
};

/*
 * The feed of every source's, which grows with every run: sent unnamed,
 * so that the filters not set fold away and the index of the ones set is
 * used.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_scrape_logs_stmt
    = {
    NULL,
    NGX_HTTP_JOBSCOUT_ADMIN_SCRAPE_LOGS(
        "($8::uuid IS NULL OR l.source_id = $8::uuid)", ""),
    8, 0
};


/* GET /admin/sources?company=&scraper_class=&health=&active=&limit=&cursor= */

ngx_int_t
ngx_http_jobscout_admin_sources_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    const char               **values;
    ngx_http_jobscout_arg_t    args[6];

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "limit", 1 }, { "cursor", 1 }, { "company", 1 },
        { "scraper_class", 1 }, { "health", 1 }, { "active", 1 },
        { NULL, 0 }
    };

    static const char  *healths[] = { "healthy", "degraded", "failing",
                                      NULL };
    values = ngx_http_jobscout_admin_list_values(r, ctx, specs, args, 9);

    if (values == NULL
        || (args[2].n
            && ngx_http_jobscout_valid_uuid(&args[2].values[0]) != NGX_OK
            && ngx_http_jobscout_body_refuse(ctx, "company",
                                             "must be a company's id")
               != NGX_OK)
        || (args[3].n
            && ngx_http_jobscout_arg_length(ctx, "scraper_class",
                                            &args[3].values[0], 1,
                                            NGX_HTTP_JOBSCOUT_ADMIN_CLASS_MAX)
               != NGX_OK)
        || ngx_http_jobscout_admin_arg_one_of(ctx, &args[4], "health",
                                    healths,
                                    "must be healthy, degraded or failing",
                                    &values[7])
           != NGX_OK
        || ngx_http_jobscout_arg_flag(ctx, &args[5], "active", &values[8])
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[2].n) {
        values[5] = (const char *) args[2].values[0].data;
    }

    if (args[3].n) {
        values[6] = (const char *) args[3].values[0].data;
    }

    return ngx_http_jobscout_admin_query(r,
                                  &ngx_http_jobscout_admin_sources_list_stmt,
                                  values, "");
}


/*
 * POST /admin/sources {company_id, scraper_class, source_url, config?,
 * priority?, scrape_interval_seconds?}
 */

ngx_int_t
ngx_http_jobscout_admin_sources_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_admin_source_t  *st;

    st = ngx_http_jobscout_admin_source_new(r, ctx, 8, 2);
    if (st == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_admin_source_body(r, ctx, st, 1) != NGX_OK
        || ngx_http_jobscout_admin_source_check(r, ctx, st) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_admin_query(r,
                                &ngx_http_jobscout_admin_sources_create_stmt,
                                st->values, "");
}


ngx_int_t
ngx_http_jobscout_admin_sources_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_by_id(r, ctx,
                                    &ngx_http_jobscout_admin_sources_get_stmt,
                                    "no such source");
}


/*
 * PATCH /admin/sources/{id}: any of the fields of a creation.  An adapter
 * sent without a config, or a config without an adapter, is checked with
 * the stored other half, read first.
 */

ngx_int_t
ngx_http_jobscout_admin_sources_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t                          rc;
    ngx_http_jobscout_admin_source_t  *st;

    st = ngx_http_jobscout_admin_source_new(r, ctx, 11, 3);
    if (st == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &st->values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, "no such source");
    }

    if (ngx_http_jobscout_admin_source_body(r, ctx, st, 0) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if ((st->adapter == NULL) == (st->config == NULL)
        && ngx_http_jobscout_admin_source_url_known(st))
    {
        if (st->adapter
            && ngx_http_jobscout_admin_source_check(r, ctx, st) != NGX_OK)
        {
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        return ngx_http_jobscout_admin_query(r,
                                &ngx_http_jobscout_admin_sources_update_stmt,
                                st->values, "no such source");
    }

    st->query.stmt = &ngx_http_jobscout_admin_sources_pair_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_admin_source_stored;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


ngx_int_t
ngx_http_jobscout_admin_sources_deactivate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_by_id(r, ctx,
                             &ngx_http_jobscout_admin_sources_deactivate_stmt,
                             "no such source");
}


ngx_int_t
ngx_http_jobscout_admin_sources_reactivate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_by_id(r, ctx,
                             &ngx_http_jobscout_admin_sources_reactivate_stmt,
                             "no such source");
}


/* GET /admin/sources/{id}/logs?status=&since=&limit=&cursor= */

ngx_int_t
ngx_http_jobscout_admin_sources_logs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_logs(r, ctx,
                                    &ngx_http_jobscout_admin_sources_logs_stmt);
}


/* GET /admin/scrape-logs?source=&status=&since=&limit=&cursor= */

ngx_int_t
ngx_http_jobscout_admin_scrape_logs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_logs(r, ctx,
                                    &ngx_http_jobscout_admin_scrape_logs_stmt);
}


/* a creation's or a change's state: n values, the body's fields from $f+1 */

static ngx_http_jobscout_admin_source_t *
ngx_http_jobscout_admin_source_new(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t n, ngx_uint_t f)
{
    ngx_http_jobscout_admin_source_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_admin_source_t));
    if (st == NULL) {
        return NULL;
    }

    st->values = ngx_http_jobscout_admin_values(r, ctx, n);
    if (st->values == NULL) {
        return NULL;
    }

    st->fields = &st->values[f];

    return st;
}


/*
 * The fields of a creation (create: the required ones required) or of a
 * change, into st->fields; the adapter and config sent, if any, into st.
 */

static ngx_int_t
ngx_http_jobscout_admin_source_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st,
    ngx_uint_t create)
{
    ngx_str_t     s;
    const char  **f;

    static const char  *allowed[] = { "company_id", "scraper_class",
                                      "source_url", "config", "priority",
                                      "scrape_interval_seconds", NULL };
    static const char  *priorities[] = { "high", "normal", NULL };

    f = st->fields;

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_admin_source_define(r, ctx, st, create, create)
           != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (json_object_get(ctx->body, "priority")) {
        if (ngx_http_jobscout_body_string(r, ctx, "priority", 1, 16, &s)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        f[NGX_HTTP_JOBSCOUT_SOURCE_PRIORITY] =
                               ngx_http_jobscout_admin_one_of(&s, priorities);

        if (f[NGX_HTTP_JOBSCOUT_SOURCE_PRIORITY] == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, "priority",
                                                 "must be high or normal");
        }

    } else if (create) {
        f[NGX_HTTP_JOBSCOUT_SOURCE_PRIORITY] = "normal";
    }

    return ngx_http_jobscout_admin_source_interval(ctx, r,
                                       &f[NGX_HTTP_JOBSCOUT_SOURCE_INTERVAL]);
}


/*
 * What a source runs by: company_id (required: company), scraper_class,
 * source_url (both required: create) and config ({} by default: create).
 */

static ngx_int_t
ngx_http_jobscout_admin_source_define(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st,
    ngx_uint_t create, ngx_uint_t company)
{
    ngx_str_t     s;
    ngx_uint_t    flags;
    const char  **f;

    f = st->fields;

    if (company || json_object_get(ctx->body, "company_id")) {
        if (ngx_http_jobscout_body_string(r, ctx, "company_id", 1, 36, &s)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        if (ngx_http_jobscout_valid_uuid(&s) != NGX_OK) {
            return ngx_http_jobscout_body_refuse(ctx, "company_id",
                                                 "must be a company's id");
        }

        f[NGX_HTTP_JOBSCOUT_SOURCE_COMPANY] = (const char *) s.data;
    }

    if (create || json_object_get(ctx->body, "scraper_class")) {
        if (ngx_http_jobscout_body_string(r, ctx, "scraper_class", 1,
                                          NGX_HTTP_JOBSCOUT_ADMIN_CLASS_MAX,
                                          &s)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        st->adapter = js_catalogue_find((const char *) s.data);

        if (st->adapter == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, "scraper_class",
                                                 "unknown adapter");
        }

        /* as the catalogue spells it: the lookup is case-blind */
        f[NGX_HTTP_JOBSCOUT_SOURCE_CLASS] = st->adapter->name;
    }

    /* a board token is checked against a stored adapter after: update */
    flags = create ? NGX_HTTP_JOBSCOUT_ADMIN_URL_REQUIRED : 0;

    if (st->adapter == NULL || st->adapter->board_token) {
        flags |= NGX_HTTP_JOBSCOUT_ADMIN_URL_TOKEN;
    }

    if (ngx_http_jobscout_admin_body_url(r, ctx, "source_url", flags,
                                         &f[NGX_HTTP_JOBSCOUT_SOURCE_URL])
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    st->config = json_object_get(ctx->body, "config");

    if (st->config == NULL && create) {
        /* the default, {}, is checked as if sent: the body owns it */
        st->config = json_object();

        if (st->config == NULL
            || json_object_set_new(ctx->body, "config", st->config) != 0)
        {
            return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
        }
    }

    if (st->config && !json_is_object(st->config)) {
        return ngx_http_jobscout_body_refuse(ctx, "config",
                                             "must be an object");
    }

    return NGX_OK;
}


/*
 * A source to try (a dry run): its definition checked exactly as a
 * creation's, the company optional; fields[0..3] as the enum above.
 */

ngx_int_t
ngx_http_jobscout_admin_source_trial(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **fields)
{
    ngx_http_jobscout_admin_source_t  st;

    ngx_memzero(&st, sizeof(ngx_http_jobscout_admin_source_t));
    st.fields = fields;

    if (ngx_http_jobscout_admin_source_define(r, ctx, &st, 1, 0) != NGX_OK) {
        return NGX_DECLINED;
    }

    return ngx_http_jobscout_admin_source_check(r, ctx, &st);
}


/* NULL absent, "" null (the scheduler's default), else the seconds */

static ngx_int_t
ngx_http_jobscout_admin_source_interval(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_request_t *r, const char **value)
{
    u_char      *p;
    json_t      *v;
    json_int_t   n;

    v = json_object_get(ctx->body, "scrape_interval_seconds");

    if (v == NULL) {
        return NGX_OK;
    }

    if (json_is_null(v)) {
        *value = "";
        return NGX_OK;
    }

    n = json_is_integer(v) ? json_integer_value(v) : 0;

    if (n < NGX_HTTP_JOBSCOUT_ADMIN_INTERVAL_MIN
        || n > NGX_HTTP_JOBSCOUT_ADMIN_INTERVAL_MAX)
    {
        return ngx_http_jobscout_body_refuse(ctx, "scrape_interval_seconds",
                                             "must be an integer from 60 to "
                                             "604800 (a week), or null");
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN + 1);
    if (p == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    *ngx_sprintf(p, "%L", (int64_t) n) = '\0';
    *value = (const char *) p;

    return NGX_OK;
}


/*
 * The config (st->config) suits the adapter (st->adapter), else the
 * catalogue's refusal is the field's: "config.fields.title".  The config
 * goes to the statement as compact JSON.
 */

static ngx_int_t
ngx_http_jobscout_admin_source_check(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st)
{
    char    *field, *reason, *text;
    size_t   len;

    field = ngx_pnalloc(r->pool, NGX_HTTP_JOBSCOUT_ADMIN_FIELD_LEN);
    reason = ngx_pnalloc(r->pool, NGX_HTTP_JOBSCOUT_ADMIN_REASON_LEN);
    if (field == NULL || reason == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    if (js_catalogue_check(st->adapter, st->config, field,
                           NGX_HTTP_JOBSCOUT_ADMIN_FIELD_LEN, reason,
                           NGX_HTTP_JOBSCOUT_ADMIN_REASON_LEN)
        != 0)
    {
        return ngx_http_jobscout_body_refuse(ctx, field, reason);
    }

    len = json_dumpb(st->config, NULL, 0, JSON_COMPACT);

    text = ngx_pnalloc(r->pool, len + 1);
    if (text == NULL
        || json_dumpb(st->config, text, len, JSON_COMPACT) != len)
    {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    text[len] = '\0';
    st->fields[NGX_HTTP_JOBSCOUT_SOURCE_CONFIG] = text;

    return NGX_OK;
}


/* the stored half read: check the pair, then change the row */

static void
ngx_http_jobscout_admin_source_stored(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t                          rc;
    ngx_http_request_t                *r;
    ngx_http_jobscout_ctx_t           *ctx;
    ngx_http_jobscout_admin_source_t  *st;

    r = q->request;
    st = q->data;
    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_admin_ok(q, res, "no such source") != NGX_OK) {
        return;
    }

    rc = ngx_http_jobscout_admin_source_pair(r, ctx, st, res);

    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


static ngx_int_t
ngx_http_jobscout_admin_source_pair(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_source_t *st,
    PGresult *res)
{
    json_t        *stored, *config;
    json_error_t   error;
    const char    *adapter, *text, *url;

    stored = json_loadb(PQgetvalue(res, 0, 1), PQgetlength(res, 0, 1), 0,
                        &error);
    if (stored == NULL) {
        return NGX_ERROR;
    }

    adapter = json_string_value(json_object_get(stored, "scraper_class"));
    text = json_string_value(json_object_get(stored, "config"));
    url = json_string_value(json_object_get(stored, "source_url"));

    st->values[9] = ngx_http_jobscout_admin_source_copy(r, adapter);
    st->values[10] = ngx_http_jobscout_admin_source_copy(r, text);
    url = ngx_http_jobscout_admin_source_copy(r, url);

    json_decref(stored);

    if (st->values[9] == NULL || st->values[10] == NULL || url == NULL) {
        return NGX_ERROR;
    }

    if (st->adapter == NULL) {
        st->adapter = js_catalogue_find(st->values[9]);

        if (st->adapter == NULL) {
            return ngx_http_jobscout_invalid(r, "scraper_class",
                       "the stored adapter is unknown: send one with the "
                       "config");
        }
    }

    if (st->fields[NGX_HTTP_JOBSCOUT_SOURCE_URL] != NULL) {
        url = st->fields[NGX_HTTP_JOBSCOUT_SOURCE_URL];
    }

    if (!st->adapter->board_token && !ngx_http_jobscout_admin_is_url(url)) {
        return ngx_http_jobscout_invalid(r, "source_url",
                   "must be an absolute http or https URL: the adapter "
                   "takes no board token");
    }

    if (st->config == NULL) {
        config = json_loads(st->values[10], 0, &error);

        /* the body owns it, as a sent one */
        if (config == NULL
            || json_object_set_new(ctx->body, "config", config) != 0)
        {
            return NGX_ERROR;
        }

        st->config = config;
    }

    if (ngx_http_jobscout_admin_source_check(r, ctx, st) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_admin_query(r,
                                &ngx_http_jobscout_admin_sources_update_stmt,
                                st->values, "no such source");
}


/*
 * Whether the source URL of a change suits its adapter without the row:
 * not for a board token sent without the adapter, nor for an adapter
 * that takes none sent without a URL (the stored one may be a token).
 */

static ngx_uint_t
ngx_http_jobscout_admin_source_url_known(ngx_http_jobscout_admin_source_t *st)
{
    const char  *url;

    url = st->fields[NGX_HTTP_JOBSCOUT_SOURCE_URL];

    if (st->adapter == NULL) {
        return url == NULL || ngx_http_jobscout_admin_is_url(url);
    }

    return url != NULL || st->adapter->board_token;
}


/* a NUL-terminated copy in the request's pool; NULL for NULL */

static const char *
ngx_http_jobscout_admin_source_copy(ngx_http_request_t *r, const char *s)
{
    u_char  *p;
    size_t   len;

    if (s == NULL) {
        return NULL;
    }

    len = ngx_strlen(s);

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len + 1);

    return (const char *) p;
}


/*
 * The log of one source ({id}) or the feed (?source=): limit, cursor,
 * status, since as $3..$7, the source as $8.
 */

static ngx_int_t
ngx_http_jobscout_admin_logs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt)
{
    u_char                         *p;
    int64_t                         since;
    ngx_int_t                       rc;
    const char                    **values, *source;
    ngx_http_jobscout_arg_t         args[5];
    ngx_http_jobscout_arg_spec_t    specs[6];

    static ngx_http_jobscout_arg_spec_t  feed[] = {
        { "limit", 1 }, { "cursor", 1 }, { "status", 1 }, { "since", 1 },
        { "source", 1 }, { NULL, 0 }
    };

    static const char  *statuses[] = { "success", "partial", "failed",
                                       NULL };

    /* the path of one source's log names it: "source" is the feed's */

    ngx_memcpy(specs, feed, sizeof(feed));
    args[4].n = 0;
    source = NULL;

    if (ctx->nparams) {
        specs[4].name = NULL;

        rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &source);
        if (rc != NGX_OK) {
            return ngx_http_jobscout_admin_missing(r, rc, "no such source");
        }
    }

    values = ngx_http_jobscout_admin_list_values(r, ctx, specs, args, 8);

    if (values == NULL
        || ngx_http_jobscout_admin_arg_one_of(ctx, &args[2], "status",
                                    statuses,
                                    "must be success, partial or failed",
                                    &values[5])
           != NGX_OK
        || (args[3].n
            && ngx_http_jobscout_arg_time(ctx, "since", &args[3].values[0],
                                          &since)
               != NGX_OK)
        || (args[4].n
            && ngx_http_jobscout_valid_uuid(&args[4].values[0]) != NGX_OK
            && ngx_http_jobscout_body_refuse(ctx, "source",
                                             "must be a source's id")
               != NGX_OK))
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[3].n) {
        p = ngx_pnalloc(r->pool, NGX_INT64_LEN + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(p, "%L", since) = '\0';
        values[6] = (const char *) p;
    }

    values[7] = args[4].n ? (const char *) args[4].values[0].data : source;

    return ngx_http_jobscout_admin_query(r, stmt, values, "no such source");
}
