
/*
 * Job Scout: companies for operators, /api/v1/admin/companies: every
 * company, active or not, with its counts; created, changed and
 * deactivated (never deleted: jobs and alerts point at it), each change
 * audited in its own statement.
 *
 * Also the pieces the admin lists and changes share (ngx_http_jobscout.h,
 * "Admin lists and changes"): list arguments, enumerated arguments, URLs,
 * and routes on one row.
 */


#include "ngx_http_jobscout.h"
#include "catalogue.h"


#define NGX_HTTP_JOBSCOUT_ADMIN_NAME_MAX  200
#define NGX_HTTP_JOBSCOUT_ADMIN_SLUG_MAX  100   /* companies_slug's CHECK */
#define NGX_HTTP_JOBSCOUT_ADMIN_URL_MAX   2000


static ngx_int_t ngx_http_jobscout_admin_company_name(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t required, const char **value);
static ngx_int_t ngx_http_jobscout_admin_company_slug(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, const char **value);


/*
 * What an operator sees of a company "c": all of it, with its sources
 * and its listed jobs counted (idx_job_sources_company_id,
 * idx_jobs_company_active).
 */

#define NGX_HTTP_JOBSCOUT_ADMIN_COMPANY                                      \
    "json_build_object('id', c.id, 'name', c.name, 'slug', c.slug,"          \
    " 'careers_url', c.careers_url, 'logo_url', c.logo_url,"                 \
    " 'is_active', c.is_active,"                                             \
    " 'sources', (SELECT count(*) FROM job_sources s"                        \
    "              WHERE s.company_id = c.id),"                              \
    " 'active_jobs', (SELECT count(*) FROM jobs j"                           \
    "                  WHERE j.company_id = c.id AND j.is_active),"          \
    " 'created_at', c.created_at, 'updated_at', c.updated_at)"

#define NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_COLUMNS                              \
    "name, slug, careers_url, logo_url, is_active"

#define NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_IMAGE(row)  "to_jsonb(" row ")"

/* a change of the company: new from old "o"; answered from cur */

#define NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_CHANGE(action, new)                  \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CHANGE("companies",                          \
        NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_COLUMNS,                             \
        NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_IMAGE, action, "company",            \
        "SELECT " new " FROM old o")                                         \
    " SELECT 200, " NGX_HTTP_JOBSCOUT_ADMIN_COMPANY "::text FROM cur c"


/*
 * GET /admin/companies: newest first; $6 a fragment of the name or slug
 * (case-blind), $7 is_active.  A few hundred rows at most: named.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_companies_list_stmt
    = {
    "admin_companies_list",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " page AS (SELECT c.* FROM companies c"
    "  WHERE " NGX_HTTP_JOBSCOUT_SQL_ADMIN_AFTER("c.created_at", "c.id")
    "    AND ($6::text IS NULL OR strpos(lower(c.name), lower($6)) > 0"
    "         OR strpos(c.slug, lower($6)) > 0)"
    "    AND ($7::boolean IS NULL OR c.is_active = $7::boolean)"
    "  ORDER BY c.created_at DESC, c.id DESC"
    "  LIMIT $3::integer + 1)"
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED_PAGE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_PAGE(NGX_HTTP_JOBSCOUT_ADMIN_COMPANY, "c",
                                     "created_at", "", ""),
    7, 0
};

/* $3 name, $4 slug, $5 careers_url, $6 logo_url ("" or NULL: none) */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_companies_create_stmt = {
    "admin_companies_create",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " c AS (INSERT INTO companies (name, slug, careers_url, logo_url)"
    "        SELECT $3::text, $4::text, nullif($5::text, ''),"
    "               nullif($6::text, '') FROM admin"
    "        RETURNING *),"
    " created AS (SELECT c.id AS target_id, NULL::jsonb AS before,"
    "                    to_jsonb(c) AS after FROM c),"
    NGX_HTTP_JOBSCOUT_SQL_AUDIT("company.create", "company", "created")
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 201, " NGX_HTTP_JOBSCOUT_ADMIN_COMPANY "::text FROM c",
    6, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_companies_get_stmt
    = {
    "admin_companies_get",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 200, " NGX_HTTP_JOBSCOUT_ADMIN_COMPANY "::text"
    "   FROM companies c"
    "  WHERE c.id = $3::uuid AND EXISTS (SELECT FROM admin)",
    3, 0
};

/*
 * $4 name, $5 slug, $8 is_active: NULL keeps; $6 careers_url, $7 logo_url:
 * NULL keeps, "" clears.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_companies_update_stmt = {
    "admin_companies_update",
    NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_CHANGE("company.update",
        "coalesce($4::text, o.name) AS name,"
        " coalesce($5::text, o.slug) AS slug,"
        " CASE WHEN $6::text IS NULL THEN o.careers_url"
        "      ELSE nullif($6, '') END AS careers_url,"
        " CASE WHEN $7::text IS NULL THEN o.logo_url"
        "      ELSE nullif($7, '') END AS logo_url,"
        " coalesce($8::boolean, o.is_active) AS is_active"),
    8, 0
};

/*
 * Deactivated: its sources are no longer scheduled (the scheduler and the
 * scraper want the company active too), its jobs no longer listed; both
 * are kept, and come back with is_active true.
 */

static ngx_http_jobscout_pg_stmt_t
    ngx_http_jobscout_admin_companies_deactivate_stmt = {
    "admin_companies_deactivate",
    NGX_HTTP_JOBSCOUT_ADMIN_COMPANY_CHANGE("company.deactivate",
        "o.name, o.slug, o.careers_url, o.logo_url, false AS is_active"),
    3, 0
};


/* GET /admin/companies?q=&active=&limit=&cursor= */

ngx_int_t
ngx_http_jobscout_admin_companies_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    const char               **values;
    ngx_http_jobscout_arg_t    args[4];

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "limit", 1 }, { "cursor", 1 }, { "q", 1 }, { "active", 1 },
        { NULL, 0 }
    };

    values = ngx_http_jobscout_admin_list_values(r, ctx, specs, args, 7);

    if (values == NULL
        || (args[2].n
            && ngx_http_jobscout_arg_length(ctx, "q", &args[2].values[0], 1,
                                            NGX_HTTP_JOBSCOUT_ADMIN_NAME_MAX)
               != NGX_OK)
        || ngx_http_jobscout_arg_flag(ctx, &args[3], "active", &values[6])
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[2].n) {
        values[5] = (const char *) args[2].values[0].data;
    }

    return ngx_http_jobscout_admin_query(r,
                                &ngx_http_jobscout_admin_companies_list_stmt,
                                values, "");
}


/*
 * POST /admin/companies {name, slug?, careers_url?, logo_url?}: without a
 * slug, the name's: lower-case, each run of anything but a-z and 0-9 one
 * hyphen, none at either end.
 */

ngx_int_t
ngx_http_jobscout_admin_companies_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    const char  **values;

    values = ngx_http_jobscout_admin_values(r, ctx, 6);
    if (values == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_admin_company_body(r, ctx, &values[2], 1)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_admin_query(r,
                               &ngx_http_jobscout_admin_companies_create_stmt,
                               values, "");
}


ngx_int_t
ngx_http_jobscout_admin_companies_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_by_id(r, ctx,
                                   &ngx_http_jobscout_admin_companies_get_stmt,
                                   "no such company");
}


/* PATCH /admin/companies/{id}: any of the fields of a creation, is_active */

ngx_int_t
ngx_http_jobscout_admin_companies_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t     rc;
    const char  **values;

    values = ngx_http_jobscout_admin_values(r, ctx, 8);
    if (values == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, "no such company");
    }

    if (ngx_http_jobscout_admin_company_body(r, ctx, &values[3], 0)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_admin_query(r,
                               &ngx_http_jobscout_admin_companies_update_stmt,
                               values, "no such company");
}


ngx_int_t
ngx_http_jobscout_admin_companies_deactivate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_by_id(r, ctx,
                           &ngx_http_jobscout_admin_companies_deactivate_stmt,
                           "no such company");
}


/*
 * The fields of a creation (create: name required, the slug made from it
 * when not sent) or of a change (is_active too) into f: name, slug,
 * careers_url, logo_url, is_active; a URL sent as null is "".
 */

ngx_int_t
ngx_http_jobscout_admin_company_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **f, ngx_uint_t create)
{
    /* a company is created active: is_active is a change's */

    static const char  *creation[] = { "name", "slug", "careers_url",
                                       "logo_url", NULL };
    static const char  *change[] = { "name", "slug", "careers_url",
                                     "logo_url", "is_active", NULL };

    if (ngx_http_jobscout_body_allow(ctx, create ? creation : change)
        != NGX_OK
        || ngx_http_jobscout_admin_company_name(r, ctx, create, &f[0])
           != NGX_OK
        || ((create || json_object_get(ctx->body, "slug"))
            && ngx_http_jobscout_admin_company_slug(r, ctx,
                                                    create ? f[0] : NULL,
                                                    &f[1])
               != NGX_OK)
        || ngx_http_jobscout_admin_body_url(r, ctx, "careers_url",
                                       NGX_HTTP_JOBSCOUT_ADMIN_URL_NULLABLE,
                                       &f[2])
           != NGX_OK
        || ngx_http_jobscout_admin_body_url(r, ctx, "logo_url",
                                       NGX_HTTP_JOBSCOUT_ADMIN_URL_NULLABLE,
                                       &f[3])
           != NGX_OK)
    {
        return NGX_DECLINED;
    }

    return create ? NGX_OK
                  : ngx_http_jobscout_body_boolean(ctx, "is_active", &f[4]);
}


/* name: 1 to 200 characters, not only spaces (companies_name's CHECK) */

static ngx_int_t
ngx_http_jobscout_admin_company_name(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t required, const char **value)
{
    size_t     i;
    ngx_str_t  name;

    if (!required && json_object_get(ctx->body, "name") == NULL) {
        return NGX_OK;
    }

    if (ngx_http_jobscout_body_string(r, ctx, "name", 1,
                                      NGX_HTTP_JOBSCOUT_ADMIN_NAME_MAX, &name)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    for (i = 0; i < name.len && name.data[i] == ' '; i++) { /* void */ }

    if (i == name.len) {
        return ngx_http_jobscout_body_refuse(ctx, "name",
                                             "must not be blank");
    }

    *value = (const char *) name.data;

    return NGX_OK;
}


/* the slug sent, or (name not NULL) the one derived from the name */

static ngx_int_t
ngx_http_jobscout_admin_company_slug(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, const char **value)
{
    u_char     *p, ch;
    ngx_str_t   slug;

    if (name == NULL || json_object_get(ctx->body, "slug")) {

        if (ngx_http_jobscout_body_string(r, ctx, "slug", 1,
                                          NGX_HTTP_JOBSCOUT_ADMIN_SLUG_MAX,
                                          &slug)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        if (ngx_http_jobscout_valid_slug(&slug) != NGX_OK) {
            return ngx_http_jobscout_body_refuse(ctx, "slug",
                           "must be lower-case letters and digits, in words "
                           "joined by single hyphens");
        }

        *value = (const char *) slug.data;

        return NGX_OK;
    }

    slug.data = ngx_pnalloc(r->pool, NGX_HTTP_JOBSCOUT_ADMIN_SLUG_MAX + 1);
    if (slug.data == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    p = slug.data;

    /* a long name's slug is cut at the column's limit */

    for ( /* void */ ; *name; name++) {
        ch = ngx_tolower((u_char) *name);

        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (p == slug.data + NGX_HTTP_JOBSCOUT_ADMIN_SLUG_MAX) {
                break;
            }

            *p++ = ch;

        } else if (p > slug.data && p[-1] != '-'
                   && p < slug.data + NGX_HTTP_JOBSCOUT_ADMIN_SLUG_MAX)
        {
            *p++ = '-';
        }
    }

    while (p > slug.data && p[-1] == '-') {
        p--;
    }

    *p = '\0';
    slug.len = p - slug.data;

    if (ngx_http_jobscout_valid_slug(&slug) != NGX_OK) {
        return ngx_http_jobscout_body_refuse(ctx, "slug",
                       "cannot be made from this name (no letter or digit "
                       "a-z, 0-9): send one");
    }

    *value = (const char *) slug.data;

    return NGX_OK;
}


/*
 * What the admin lists and changes share.
 */

/*
 * The values of a list, n in all, its arguments parsed into args (limit
 * and cursor first: $3, $4, $5 set); NULL when an argument is refused (ctx
 * says which) or memory ran out.
 */

const char **
ngx_http_jobscout_admin_list_values(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_spec_t *specs,
    ngx_http_jobscout_arg_t *args, ngx_uint_t n)
{
    u_char       *p;
    ngx_int_t     limit;
    ngx_str_t     key[2];
    ngx_uint_t    i;
    const char  **values;

    for (i = 0; specs[i].name; i++) {
        args[i].values = NULL;
        args[i].n = 0;
    }

    values = ngx_http_jobscout_admin_values(r, ctx, n);
    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN + 1);
    if (values == NULL || p == NULL) {
        return NULL;
    }

    if (ngx_http_jobscout_args_parse(r, ctx, specs, args) != NGX_OK
        || ngx_http_jobscout_arg_limit(r, ctx, &args[0], 20, 100, &limit)
           != NGX_OK)
    {
        return NULL;
    }

    *ngx_sprintf(p, "%i", limit) = '\0';
    values[2] = (const char *) p;

    if (args[1].n) {
        if (ngx_http_jobscout_cursor_decode(r, ctx, &args[1].values[0], key,
                                            2)
            != NGX_OK)
        {
            return NULL;
        }

        values[3] = (const char *) key[0].data;
        values[4] = (const char *) key[1].data;
    }

    return values;
}


const char *
ngx_http_jobscout_admin_one_of(ngx_str_t *s, const char **allowed)
{
    for ( /* void */ ; *allowed; allowed++) {
        if (ngx_strlen(*allowed) == s->len
            && ngx_strncmp(*allowed, s->data, s->len) == 0)
        {
            return *allowed;
        }
    }

    return NULL;
}


ngx_int_t
ngx_http_jobscout_admin_arg_one_of(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_arg_t *arg, const char *name, const char **allowed,
    const char *message, const char **value)
{
    *value = NULL;

    if (arg->n == 0) {
        return NGX_OK;
    }

    *value = ngx_http_jobscout_admin_one_of(&arg->values[0], allowed);

    if (*value == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, name, message);
    }

    return NGX_OK;
}


/*
 * scheme://authority[/path][?query][#fragment], http or https, up to 2000
 * characters, with a host, and no space, control character or character
 * that would need quoting where a URL is written out (" < > \ `).
 */

ngx_int_t
ngx_http_jobscout_admin_body_url(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, ngx_uint_t flags,
    const char **value)
{
    u_char     *p, *end, *host;
    json_t     *v;
    ngx_str_t   url;

    *value = NULL;

    v = json_object_get(ctx->body, name);

    if (v == NULL && !(flags & NGX_HTTP_JOBSCOUT_ADMIN_URL_REQUIRED)) {
        return NGX_OK;
    }

    if (v && json_is_null(v) && (flags & NGX_HTTP_JOBSCOUT_ADMIN_URL_NULLABLE))
    {
        *value = "";
        return NGX_OK;
    }

    if (ngx_http_jobscout_body_string(r, ctx, name, 1,
                                      NGX_HTTP_JOBSCOUT_ADMIN_URL_MAX, &url)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    end = url.data + url.len;

    if (url.len > 8
        && ngx_strncasecmp(url.data, (u_char *) "https://", 8) == 0)
    {
        host = url.data + 8;

    } else if (url.len > 7
               && ngx_strncasecmp(url.data, (u_char *) "http://", 7) == 0)
    {
        host = url.data + 7;

    } else if ((flags & NGX_HTTP_JOBSCOUT_ADMIN_URL_TOKEN)
               && js_catalogue_board_token((char *) url.data, url.len))
    {
        *value = (const char *) url.data;
        return NGX_OK;

    } else {
        return ngx_http_jobscout_body_refuse(ctx, name,
                   (flags & NGX_HTTP_JOBSCOUT_ADMIN_URL_TOKEN)
                   ? "must be an absolute http or https URL, or a board "
                     "token: letters, digits, '.', '_' and '-'"
                   : "must be an absolute http or https URL");
    }

    for (p = host; p < end; p++) {
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>'
            || *p == '\\' || *p == '`')
        {
            return ngx_http_jobscout_body_refuse(ctx, name,
                                        "has a character a URL cannot have");
        }
    }

    /* the host: after any user@, before any :port, /, ? or # */

    for (p = host; p < end && *p != '/' && *p != '?' && *p != '#'; p++) {
        if (*p == '@') {
            host = p + 1;
        }
    }

    if (host == p || *host == ':') {
        return ngx_http_jobscout_body_refuse(ctx, name, "has no host");
    }

    *value = (const char *) url.data;

    return NGX_OK;
}


/* "http://..." or "https://...", whatever the case */

ngx_uint_t
ngx_http_jobscout_admin_is_url(const char *s)
{
    return ngx_strncasecmp((u_char *) s, (u_char *) "http://", 7) == 0
           || ngx_strncasecmp((u_char *) s, (u_char *) "https://", 8) == 0;
}


ngx_int_t
ngx_http_jobscout_admin_by_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt,
    const char *missing)
{
    ngx_int_t     rc;
    const char  **values;

    values = ngx_http_jobscout_admin_values(r, ctx, 3);
    if (values == NULL) {
        return NGX_ERROR;
    }

    /* its 404 may have been sent with NGX_OK: then no id was set */

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, missing);
    }

    return ngx_http_jobscout_admin_query(r, stmt, values, missing);
}
