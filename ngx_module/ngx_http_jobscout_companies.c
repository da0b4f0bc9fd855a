
/*
 * Job Scout: companies.  GET /api/v1/companies lists the active companies
 * by name, each with its count of active jobs; GET /api/v1/companies/{slug}
 * shows one.  (Its jobs: GET /api/v1/companies/{slug}/jobs, in _jobs.c.)
 * The list is not paged: it is the companies Job Scout scrapes, a few
 * hundred at most.
 */


#include "ngx_http_jobscout.h"


static ngx_int_t ngx_http_jobscout_companies_query(ngx_http_request_t *r,
    ngx_http_jobscout_pg_stmt_t *stmt, const char **values);


/* active_jobs: an index-only count on idx_jobs_active_company_listed */

#define NGX_HTTP_JOBSCOUT_COMPANY_FIELDS                                     \
    "'slug', c.slug, 'name', c.name, 'logo_url', c.logo_url,"                \
    " 'careers_url', c.careers_url,"                                         \
    " 'active_jobs', (SELECT count(*) FROM jobs j"                           \
    "                  WHERE j.company_id = c.id AND j.is_active)"


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_companies_stmt = {
    "companies_list",
    "SELECT json_build_object('items', coalesce(json_agg(json_build_object("
                NGX_HTTP_JOBSCOUT_COMPANY_FIELDS ")"
    "                         ORDER BY c.name, c.slug), '[]'))::text"
    "  FROM companies c WHERE c.is_active",
    0, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_company_stmt = {
    "companies_get",
    "SELECT json_build_object(" NGX_HTTP_JOBSCOUT_COMPANY_FIELDS ","
    "        'created_at', c.created_at)::text"
    "  FROM companies c WHERE c.slug = $1 AND c.is_active",
    1, 0
};


/* as the CHECK of companies.slug: ^[a-z0-9]+(-[a-z0-9]+)*$ */

ngx_int_t
ngx_http_jobscout_valid_slug(ngx_str_t *slug)
{
    u_char      ch;
    ngx_uint_t  i;

    if (slug->len == 0 || slug->len > 100
        || slug->data[0] == '-' || slug->data[slug->len - 1] == '-')
    {
        return NGX_DECLINED;
    }

    for (i = 0; i < slug->len; i++) {
        ch = slug->data[i];

        if (ch == '-') {
            if (slug->data[i - 1] == '-') {
                return NGX_DECLINED;
            }

            continue;
        }

        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_companies_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_companies_query(r,
                                      &ngx_http_jobscout_companies_stmt, NULL);
}


ngx_int_t
ngx_http_jobscout_companies_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char       *slug;
    const char  **values;

    if (ngx_http_jobscout_valid_slug(&ctx->params[0]) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", "no such company");
    }

    values = ngx_palloc(r->pool, sizeof(char *));
    slug = ngx_pnalloc(r->pool, ctx->params[0].len + 1);
    if (values == NULL || slug == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(slug, ctx->params[0].data, ctx->params[0].len) = '\0';
    values[0] = (const char *) slug;

    return ngx_http_jobscout_companies_query(r,
                                     &ngx_http_jobscout_company_stmt, values);
}


static ngx_int_t
ngx_http_jobscout_companies_query(ngx_http_request_t *r,
    ngx_http_jobscout_pg_stmt_t *stmt, const char **values)
{
    ngx_http_jobscout_pg_query_t  *q;

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_pg_query_t));
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->stmt = stmt;
    q->values = values;
    q->handler = ngx_http_jobscout_pg_json_done;
    q->data = "no such company";

    if (ngx_http_jobscout_pg_query(r, q) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, q, NULL);
    }

    return NGX_DONE;
}

