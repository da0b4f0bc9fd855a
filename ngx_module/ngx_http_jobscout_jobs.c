
/*
 * Job Scout: jobs.  GET /api/v1/jobs lists the active jobs of active
 * companies, newest first or by full-text relevance, filtered and paged by
 * keyset; GET /api/v1/jobs/{id} shows one job; GET
 * /api/v1/companies/{slug}/jobs is the listing of one company.  Each
 * answer is one query whose JSON PostgreSQL builds.
 *
 * "Newest" is jobs.listed_at: the posting date, never later than the
 * discovery (migration 0004).  A filtered listing is sent unnamed, planned
 * for its values every time: a filter that is not set folds away, and the
 * ones that are set get their index (see t/063_jobs_explain.t).
 */


#include "ngx_http_jobscout.h"


/* the arguments of the listing, in ngx_http_jobscout_jobs_args[] order */
#define NGX_HTTP_JOBSCOUT_JOBS_LIMIT          0
#define NGX_HTTP_JOBSCOUT_JOBS_CURSOR         1
#define NGX_HTTP_JOBSCOUT_JOBS_SORT           2
#define NGX_HTTP_JOBSCOUT_JOBS_Q              3
#define NGX_HTTP_JOBSCOUT_JOBS_COMPANY        4
#define NGX_HTTP_JOBSCOUT_JOBS_LOCATION       5
#define NGX_HTTP_JOBSCOUT_JOBS_LOCATION_TYPE  6
#define NGX_HTTP_JOBSCOUT_JOBS_POSTED_SINCE   7
#define NGX_HTTP_JOBSCOUT_JOBS_SALARY_MIN     8
#define NGX_HTTP_JOBSCOUT_JOBS_CURRENCY       9
#define NGX_HTTP_JOBSCOUT_JOBS_SKILL          10
#define NGX_HTTP_JOBSCOUT_JOBS_NARGS          11

/* the most a page holds: the prepared listings' LIMIT is one more */
#define NGX_HTTP_JOBSCOUT_JOBS_MAX_LIMIT      100

typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[NGX_HTTP_JOBSCOUT_JOBS_NPARAMS];
    ngx_uint_t                      explain;    /* the plan, not the page */
    ngx_uint_t                      kind;       /* ..._FIRST_PAGE, ... */
} ngx_http_jobscout_jobs_page_t;


static ngx_int_t ngx_http_jobscout_jobs_page(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_str_t *company, ngx_uint_t explain);
static ngx_int_t ngx_http_jobscout_jobs_filters(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_t *args,
    const char **values);
static ngx_int_t ngx_http_jobscout_jobs_rank(ngx_str_t *rank);
static const char *ngx_http_jobscout_jobs_join(ngx_http_request_t *r,
    ngx_http_jobscout_arg_t *arg);
static const char *ngx_http_jobscout_jobs_number(ngx_http_request_t *r,
    int64_t n);
static void ngx_http_jobscout_jobs_page_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_jobs_explained(ngx_http_request_t *r,
    ngx_http_jobscout_jobs_page_t *st, PGresult *res);


static ngx_http_jobscout_arg_spec_t  ngx_http_jobscout_jobs_args[] = {
    { "limit", 1 },
    { "cursor", 1 },
    { "sort", 1 },
    { "q", 1 },
    { "company", 20 },
    { "location", 1 },
    { "location_type", 1 },
    { "posted_since", 1 },
    { "salary_min", 1 },
    { "currency", 1 },
    { "skill", 10 },
    { NULL, 0 }
};


/*
 * The filters of the listing; a NULL parameter is a filter not set.
 * $4 company slugs and $11 skills are lists joined by newlines (the
 * values cannot hold one); $5 is an ILIKE pattern, escaped; $8 is
 * microseconds since the epoch.
 */

#define NGX_HTTP_JOBSCOUT_JOBS_FILTERS                                       \
    "   AND ($4::text IS NULL"                                               \
    "        OR c.slug = ANY (string_to_array($4::text, E'\\n')))"            \
    "   AND ($5::text IS NULL OR j.location ILIKE $5::text)"                  \
    "   AND ($6::text IS NULL OR j.location_type = $6::text)"                 \
    "   AND ($7::text IS NULL"                                               \
    "        OR j.search @@ websearch_to_tsquery('english', $7::text))"       \
    "   AND ($8::bigint IS NULL"                                             \
    "        OR j.listed_at >= " NGX_HTTP_JOBSCOUT_SQL_MICROS("$8") ")"       \
    "   AND ($9::numeric IS NULL"                                            \
    "        OR coalesce(j.salary_max, j.salary_min) >= $9::numeric)"         \
    "   AND ($10::text IS NULL OR j.salary_currency = $10::text)"             \
    "   AND ($11::text IS NULL OR EXISTS ("                                  \
    "        SELECT 1 FROM job_skills s"                                     \
    "         WHERE s.job_id = j.id"                                         \
    "           AND lower(s.skill_name)"                                     \
    "               = ANY (string_to_array(lower($11::text), E'\\n'))))"


/*
 * The page from the first $1 + 1 rows of "page": the items, the key of the
 * last one sent when the extra row says more follow, and "found": whether
 * the company of the path exists.  Numbering the rows stops at $1 + 1 (a
 * run condition of the window), however many "page" may hold.
 */

#define NGX_HTTP_JOBSCOUT_JOBS_PAGE(found)                                   \
    " SELECT coalesce(json_agg(json_build_object("                           \
                        NGX_HTTP_JOBSCOUT_JOB_FIELDS ") ORDER BY p.n)"       \
    "                 FILTER (WHERE p.n <= $1::int), '[]')::text,"           \
    "        CASE WHEN count(*) > $1::int"                                   \
    "             THEN max(p.key) FILTER (WHERE p.n = $1::int) END,"         \
    "        " found                                                         \
    "   FROM numbered p JOIN jobs j ON j.id = p.id"                          \
    "        JOIN companies c ON c.id = j.company_id"                        \
    "  WHERE p.n <= $1::int + 1"

#define NGX_HTTP_JOBSCOUT_JOBS_FOUND                                         \
    "$12::text IS NULL"                                                      \
    " OR EXISTS (SELECT 1 FROM companies WHERE slug = $12::text"             \
    "                                      AND is_active)"


/* newest first, after the keyset ($2 micros, $3 id) */

#define NGX_HTTP_JOBSCOUT_JOBS_AFTER                                         \
    "(j.listed_at, j.id) < (" NGX_HTTP_JOBSCOUT_SQL_MICROS("$2") ", $3::uuid)"

#define NGX_HTTP_JOBSCOUT_JOBS_NEWEST(where, limit, found)                   \
    "WITH page AS ("                                                         \
    "  SELECT j.id, j.listed_at"                                             \
    "    FROM jobs j JOIN companies c ON c.id = j.company_id"                \
    "   WHERE j.is_active AND c.is_active" where                             \
    "   ORDER BY j.listed_at DESC, j.id DESC"                                \
    "   LIMIT " limit                                                        \
    "), numbered AS ("                                                       \
    "  SELECT id, row_number() OVER (ORDER BY listed_at DESC, id DESC) AS n," \
    "         " NGX_HTTP_JOBSCOUT_SQL_KEY("listed_at", "id") " AS key"       \
    "    FROM page"                                                          \
    ")"                                                                      \
    NGX_HTTP_JOBSCOUT_JOBS_PAGE(found)

/*
 * Without a filter, the two listings are prepared and planned once: their
 * plan does not depend on the values, as long as the LIMIT is a constant
 * (the most a page can hold, plus one; the window stops at $1 + 1).  With
 * filters, the listing is sent with them and planned for them.
 */

#define NGX_HTTP_JOBSCOUT_JOBS_FIRST                                         \
    NGX_HTTP_JOBSCOUT_JOBS_NEWEST("", "101", "true")

#define NGX_HTTP_JOBSCOUT_JOBS_NEXT                                          \
    NGX_HTTP_JOBSCOUT_JOBS_NEWEST(" AND " NGX_HTTP_JOBSCOUT_JOBS_AFTER,      \
                                  "101", "true")

#define NGX_HTTP_JOBSCOUT_JOBS_FILTERED                                      \
    NGX_HTTP_JOBSCOUT_JOBS_NEWEST(NGX_HTTP_JOBSCOUT_JOBS_FILTERS             \
        " AND ($2::bigint IS NULL OR " NGX_HTTP_JOBSCOUT_JOBS_AFTER ")",     \
        "$1::int + 1", NGX_HTTP_JOBSCOUT_JOBS_FOUND)


/*
 * Best match first (ts_rank: a title match, weight A, outranks one in the
 * description, weight B), then newest: the keyset is ($13 rank, $2, $3).
 * A rank goes through its cursor as text, which PostgreSQL prints exactly.
 */

#define NGX_HTTP_JOBSCOUT_JOBS_RANK                                          \
    "ts_rank(j.search, websearch_to_tsquery('english', $7::text))"

#define NGX_HTTP_JOBSCOUT_JOBS_RELEVANCE                                     \
    "WITH page AS ("                                                         \
    "  SELECT j.id, j.listed_at, " NGX_HTTP_JOBSCOUT_JOBS_RANK " AS rank"     \
    "    FROM jobs j JOIN companies c ON c.id = j.company_id"                \
    "   WHERE j.is_active AND c.is_active"                                   \
    NGX_HTTP_JOBSCOUT_JOBS_FILTERS                                           \
    "     AND ($13::real IS NULL"                                            \
    "          OR (" NGX_HTTP_JOBSCOUT_JOBS_RANK ", j.listed_at, j.id)"       \
    "             < ($13::real, " NGX_HTTP_JOBSCOUT_SQL_MICROS("$2") ","      \
    "                $3::uuid))"                                             \
    "   ORDER BY rank DESC, j.listed_at DESC, j.id DESC"                     \
    "   LIMIT $1::int + 1"                                                   \
    "), numbered AS ("                                                       \
    "  SELECT id,"                                                           \
    "         row_number() OVER (ORDER BY rank DESC, listed_at DESC,"        \
    "                                     id DESC) AS n,"                    \
    "         rank || '|' || "                                               \
    "         " NGX_HTTP_JOBSCOUT_SQL_KEY("listed_at", "id") " AS key"       \
    "    FROM page"                                                          \
    ")"                                                                      \
    NGX_HTTP_JOBSCOUT_JOBS_PAGE(NGX_HTTP_JOBSCOUT_JOBS_FOUND)


/*
 * The listing's statements, by NGX_HTTP_JOBSCOUT_JOBS_FIRST_PAGE ...
 * _RELEVANT; the second row is their plans, for the test of their indexes.
 */

#define NGX_HTTP_JOBSCOUT_JOBS_FIRST_PAGE     0
#define NGX_HTTP_JOBSCOUT_JOBS_NEXT_PAGE      1
#define NGX_HTTP_JOBSCOUT_JOBS_FILTERED_PAGE  2
#define NGX_HTTP_JOBSCOUT_JOBS_RELEVANT_PAGE  3

#define NGX_HTTP_JOBSCOUT_EXPLAIN  "EXPLAIN (FORMAT JSON) "

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_jobs_stmts[2][4] = {
    {
        { "jobs_first", NGX_HTTP_JOBSCOUT_JOBS_FIRST, 1, 0 },
        { "jobs_next", NGX_HTTP_JOBSCOUT_JOBS_NEXT, 3, 0 },
        { NULL, NGX_HTTP_JOBSCOUT_JOBS_FILTERED,
          NGX_HTTP_JOBSCOUT_JOBS_NPARAMS - 1, 0 },
        { NULL, NGX_HTTP_JOBSCOUT_JOBS_RELEVANCE,
          NGX_HTTP_JOBSCOUT_JOBS_NPARAMS, 0 }
    },
    {
        { NULL, NGX_HTTP_JOBSCOUT_EXPLAIN NGX_HTTP_JOBSCOUT_JOBS_FIRST, 1, 0 },
        { NULL, NGX_HTTP_JOBSCOUT_EXPLAIN NGX_HTTP_JOBSCOUT_JOBS_NEXT, 3, 0 },
        { NULL, NGX_HTTP_JOBSCOUT_EXPLAIN NGX_HTTP_JOBSCOUT_JOBS_FILTERED,
          NGX_HTTP_JOBSCOUT_JOBS_NPARAMS - 1, 0 },
        { NULL, NGX_HTTP_JOBSCOUT_EXPLAIN NGX_HTTP_JOBSCOUT_JOBS_RELEVANCE,
          NGX_HTTP_JOBSCOUT_JOBS_NPARAMS, 0 }
    }
};


/*
 * One job, listed or not: an alert may point to a job since closed.
 * is_active: listed, the job and its company active.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_job_stmt = {
    "jobs_get",
    "SELECT json_build_object(" NGX_HTTP_JOBSCOUT_JOB_FIELDS ","
    "        'description', j.description, 'expires_at', j.expires_at,"
    "        'is_active', j.is_active AND c.is_active)::text"
    "  FROM jobs j JOIN companies c ON c.id = j.company_id"
    " WHERE j.id = $1::uuid",
    1, 0
};


ngx_int_t
ngx_http_jobscout_jobs_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_jobs_page(r, ctx, NULL, 0);
}


ngx_int_t
ngx_http_jobscout_company_jobs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    if (ngx_http_jobscout_valid_slug(&ctx->params[0]) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", "no such company");
    }

    return ngx_http_jobscout_jobs_page(r, ctx, &ctx->params[0], 0);
}


/* GET /api/v1/_test/explain/jobs?...: the plan of the listing's query */

ngx_int_t
ngx_http_jobscout_test_jobs_explain(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_jobs_page(r, ctx, NULL, 1);
}


static ngx_int_t
ngx_http_jobscout_jobs_page(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_str_t *company, ngx_uint_t explain)
{
    ngx_int_t                       rc;
    ngx_uint_t                      kind;
    ngx_http_jobscout_jobs_page_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_jobs_page_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;
    st->explain = explain;

    rc = ngx_http_jobscout_jobs_parse(r, ctx, company, st->values, &kind);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? ngx_http_jobscout_send_invalid(r, ctx)
                                  : rc;
    }

    st->kind = kind;
    st->query.stmt = &ngx_http_jobscout_jobs_stmts[explain][kind];

    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_jobs_page_done;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


/*
 * The query string of a listing (of the company's jobs when company is
 * set) into values[NGX_HTTP_JOBSCOUT_JOBS_NPARAMS], and the kind of page:
 * NGX_OK, NGX_DECLINED (refused, in ctx) or NGX_ERROR.
 */

ngx_int_t
ngx_http_jobscout_jobs_parse(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_str_t *company, const char **values,
    ngx_uint_t *kind)
{
    u_char                   *slug;
    ngx_int_t                 limit;
    ngx_str_t                *sort, fields[3];
    ngx_uint_t                relevance, i;
    ngx_http_jobscout_arg_t   args[NGX_HTTP_JOBSCOUT_JOBS_NARGS];

    ngx_memzero(args, sizeof(args));

    if (ngx_http_jobscout_args_parse(r, ctx, ngx_http_jobscout_jobs_args,
                                     args)
        != NGX_OK
        || ngx_http_jobscout_arg_limit(r, ctx,
                                       &args[NGX_HTTP_JOBSCOUT_JOBS_LIMIT],
                                       20, NGX_HTTP_JOBSCOUT_JOBS_MAX_LIMIT,
                                       &limit)
           != NGX_OK)
    {
        return NGX_DECLINED;
    }

    relevance = 0;

    if (args[NGX_HTTP_JOBSCOUT_JOBS_SORT].n) {
        sort = &args[NGX_HTTP_JOBSCOUT_JOBS_SORT].values[0];

        if (sort->len == 9 && ngx_strncmp(sort->data, "relevance", 9) == 0) {
            relevance = 1;

        } else if (sort->len != 6
                   || ngx_strncmp(sort->data, "newest", 6) != 0)
        {
            ngx_http_jobscout_body_refuse(ctx, "sort",
                                          "must be newest or relevance");
            return NGX_DECLINED;
        }
    }

    if (relevance && args[NGX_HTTP_JOBSCOUT_JOBS_Q].n == 0) {
        ngx_http_jobscout_body_refuse(ctx, "sort",
                                      "relevance needs a q to rank by");
        return NGX_DECLINED;
    }

    if (company && args[NGX_HTTP_JOBSCOUT_JOBS_COMPANY].n) {
        ngx_http_jobscout_body_refuse(ctx, "company",
                                      "is given by the path here");
        return NGX_DECLINED;
    }

    if (ngx_http_jobscout_jobs_filters(r, ctx, args, values) != NGX_OK) {
        return NGX_DECLINED;
    }

    values[0] = ngx_http_jobscout_jobs_number(r, limit);
    if (values[0] == NULL) {
        return NGX_ERROR;
    }

    if (args[NGX_HTTP_JOBSCOUT_JOBS_CURSOR].n) {

        if (ngx_http_jobscout_cursor_decode(r, ctx,
                                &args[NGX_HTTP_JOBSCOUT_JOBS_CURSOR].values[0],
                                fields, relevance ? 3 : 2)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        if (relevance && ngx_http_jobscout_jobs_rank(&fields[0]) != NGX_OK) {
            ngx_http_jobscout_body_refuse(ctx, "cursor",
                                          "is not a valid cursor");
            return NGX_DECLINED;
        }

        values[1] = (const char *) fields[relevance].data;
        values[2] = (const char *) fields[relevance + 1].data;

        if (relevance) {
            values[12] = (const char *) fields[0].data;
        }
    }

    if (company) {
        slug = ngx_pnalloc(r->pool, company->len + 1);
        if (slug == NULL) {
            return NGX_ERROR;
        }

        *ngx_cpymem(slug, company->data, company->len) = '\0';
        values[3] = (const char *) slug;
        values[11] = (const char *) slug;
    }

    if (relevance) {
        *kind = NGX_HTTP_JOBSCOUT_JOBS_RELEVANT_PAGE;

    } else {
        *kind = args[NGX_HTTP_JOBSCOUT_JOBS_CURSOR].n
                ? NGX_HTTP_JOBSCOUT_JOBS_NEXT_PAGE
                : NGX_HTTP_JOBSCOUT_JOBS_FIRST_PAGE;

        for (i = 3; i < NGX_HTTP_JOBSCOUT_JOBS_NPARAMS; i++) {
            if (values[i]) {
                *kind = NGX_HTTP_JOBSCOUT_JOBS_FILTERED_PAGE;
                break;
            }
        }
    }

    return NGX_OK;
}


/* the filters into values[3..10]: NGX_OK, or NGX_DECLINED (refused) */

static ngx_int_t
ngx_http_jobscout_jobs_filters(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_t *args,
    const char **values)
{
    u_char                   *p, *pattern;
    int64_t                   micros;
    ngx_int_t                 n;
    ngx_str_t                *v;
    ngx_uint_t                i;
    ngx_http_jobscout_arg_t  *arg;

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_COMPANY];

    for (i = 0; i < arg->n; i++) {
        if (ngx_http_jobscout_valid_slug(&arg->values[i]) != NGX_OK) {
            return ngx_http_jobscout_body_refuse(ctx, "company",
                                                 "is not a company slug");
        }
    }

    if (arg->n) {
        values[3] = ngx_http_jobscout_jobs_join(r, arg);
        if (values[3] == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
        }
    }

    /* a substring: LIKE's wildcards and escape taken literally */

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_LOCATION];

    if (arg->n) {
        v = &arg->values[0];

        if (ngx_http_jobscout_arg_length(ctx, "location", v, 1, 100)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        pattern = ngx_pnalloc(r->pool, 2 * v->len + 3);
        if (pattern == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
        }

        p = pattern;
        *p++ = '%';

        for (i = 0; i < v->len; i++) {
            if (v->data[i] == '%' || v->data[i] == '_'
                || v->data[i] == '\\')
            {
                *p++ = '\\';
            }

            *p++ = v->data[i];
        }

        *p++ = '%';
        *p = '\0';

        values[4] = (const char *) pattern;
    }

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_LOCATION_TYPE];

    if (arg->n) {
        v = &arg->values[0];

        if (ngx_strcmp(v->data, "remote") != 0
            && ngx_strcmp(v->data, "hybrid") != 0
            && ngx_strcmp(v->data, "onsite") != 0)
        {
            return ngx_http_jobscout_body_refuse(ctx, "location_type",
                                      "must be remote, hybrid or onsite");
        }

        values[5] = (const char *) v->data;
    }

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_Q];

    if (arg->n) {
        if (ngx_http_jobscout_arg_length(ctx, "q", &arg->values[0], 1, 200)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        values[6] = (const char *) arg->values[0].data;
    }

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_POSTED_SINCE];

    if (arg->n) {
        if (ngx_http_jobscout_arg_time(ctx, "posted_since", &arg->values[0],
                                       &micros)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        values[7] = ngx_http_jobscout_jobs_number(r, micros);
        if (values[7] == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
        }
    }

    /* whole units of the job's currency, as numeric(14, 2) can hold */

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_SALARY_MIN];

    if (arg->n) {
        if (ngx_http_jobscout_arg_int(ctx, "salary_min", &arg->values[0], 0,
                                      999999999999LL, &n)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        values[8] = (const char *) arg->values[0].data;
    }

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_CURRENCY];

    if (arg->n) {
        v = &arg->values[0];

        for (i = 0; i < v->len; i++) {
            if (v->data[i] >= 'a' && v->data[i] <= 'z') {
                v->data[i] -= 'a' - 'A';

            } else if (v->data[i] < 'A' || v->data[i] > 'Z') {
                break;
            }
        }

        if (v->len != 3 || i != 3) {
            return ngx_http_jobscout_body_refuse(ctx, "currency",
                                       "is not an ISO 4217 code (KES, USD)");
        }

        values[9] = (const char *) v->data;
    }

    arg = &args[NGX_HTTP_JOBSCOUT_JOBS_SKILL];

    for (i = 0; i < arg->n; i++) {
        if (ngx_http_jobscout_arg_length(ctx, "skill", &arg->values[i], 1,
                                         50)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }
    }

    if (arg->n) {
        values[10] = ngx_http_jobscout_jobs_join(r, arg);
        if (values[10] == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
        }
    }

    return NGX_OK;
}


/*
 * The rank of a cursor: a real as PostgreSQL prints one ("0.6079271",
 * "1e-20"), in a range that casts to real without an error.
 */

static ngx_int_t
ngx_http_jobscout_jobs_rank(ngx_str_t *rank)
{
    char    *end;
    double   v;

    /* NUL-terminated by the cursor decoder; nginx runs in the C locale */

    if (rank->len > 32
        || strspn((char *) rank->data, "0123456789.e-+") != rank->len)
    {
        return NGX_DECLINED;
    }

    v = strtod((char *) rank->data, &end);

    if ((u_char *) end != rank->data + rank->len
        || !(v == 0 || (v >= 1e-30 && v <= 1e30)))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the values of a repeatable argument, one a line (none holds a newline) */

static const char *
ngx_http_jobscout_jobs_join(ngx_http_request_t *r,
    ngx_http_jobscout_arg_t *arg)
{
    u_char      *list, *p;
    size_t       len;
    ngx_uint_t   i;

    len = 0;

    for (i = 0; i < arg->n; i++) {
        len += arg->values[i].len + 1;
    }

    list = ngx_pnalloc(r->pool, len);
    if (list == NULL) {
        return NULL;
    }

    p = list;

    for (i = 0; i < arg->n; i++) {
        if (i) {
            *p++ = '\n';
        }

        p = ngx_cpymem(p, arg->values[i].data, arg->values[i].len);
    }

    *p = '\0';

    return (const char *) list;
}


static const char *
ngx_http_jobscout_jobs_number(ngx_http_request_t *r, int64_t n)
{
    u_char  *p;

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_sprintf(p, "%L%Z", n);

    return (const char *) p;
}


static void
ngx_http_jobscout_jobs_page_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_jobs_page_t *st = q->data;

    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK
        || PQntuples(res) != 1)
    {
        rc = ngx_http_jobscout_pg_send_error(r, q, res);

    } else if (st->explain) {
        rc = ngx_http_jobscout_jobs_explained(r, st, res);

    } else if (PQgetvalue(res, 0, 2)[0] != 't') {
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                          "no such company");

    } else {
        rc = ngx_http_jobscout_send_page(r, res);
    }

    ngx_http_jobscout_finalize(r, rc);
}


/*
 * {"statement": the name of a prepared statement or null, "sql": its text,
 * "plan": EXPLAIN's}.  The plan is the one for these values; a prepared
 * statement may run a generic plan, which the test gets from the text.
 */

static ngx_int_t
ngx_http_jobscout_jobs_explained(ngx_http_request_t *r,
    ngx_http_jobscout_jobs_page_t *st, PGresult *res)
{
    u_char                       *body, *p;
    size_t                        len;
    ngx_str_t                     plan;
    ngx_http_jobscout_pg_stmt_t  *stmt;

    stmt = &ngx_http_jobscout_jobs_stmts[0][st->kind];

    plan.data = (u_char *) PQgetvalue(res, 0, 0);
    plan.len = PQgetlength(res, 0, 0);

    len = sizeof("{\"statement\":\"\",\"sql\":\"\",\"plan\":}") - 1
          + (stmt->name ? ngx_strlen(stmt->name) : sizeof("null") - 1)
          + ngx_http_jobscout_json_escaped_len((u_char *) stmt->sql,
                                               ngx_strlen(stmt->sql))
          + plan.len;

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    if (stmt->name) {
        p = ngx_sprintf(body, "{\"statement\":\"%s\",\"sql\":\"", stmt->name);

    } else {
        p = ngx_sprintf(body, "{\"statement\":null,\"sql\":\"");
    }

    p = ngx_http_jobscout_json_escape(p, (u_char *) stmt->sql,
                                      ngx_strlen(stmt->sql));
    p = ngx_sprintf(p, "\",\"plan\":%V}", &plan);

    return ngx_http_jobscout_send_json(r, NGX_HTTP_OK, body, p - body);
}


ngx_int_t
ngx_http_jobscout_jobs_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                        *id;
    const char                   **values;
    ngx_http_jobscout_pg_query_t  *q;

    /* a malformed id names no job: 404, as an unknown one */

    if (ngx_http_jobscout_valid_uuid(&ctx->params[0]) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", "no such job");
    }

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_pg_query_t));
    values = ngx_palloc(r->pool, sizeof(char *));
    id = ngx_pnalloc(r->pool, ctx->params[0].len + 1);
    if (q == NULL || values == NULL || id == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(id, ctx->params[0].data, ctx->params[0].len) = '\0';
    values[0] = (const char *) id;

    q->stmt = &ngx_http_jobscout_job_stmt;
    q->values = values;
    q->handler = ngx_http_jobscout_pg_json_done;
    q->data = "no such job";

    if (ngx_http_jobscout_pg_query(r, q) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, q, NULL);
    }

    return NGX_DONE;
}

