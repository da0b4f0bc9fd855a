
/*
 * Job Scout: the route table.  One table maps method and path pattern to a
 * handler; "{name}" in a pattern captures one path segment, "{name*}" at
 * its end the rest of the path.  nginx has
 * already percent-decoded r->uri and resolved "." and ".." segments.
 */


#include "ngx_http_jobscout.h"


static ngx_int_t ngx_http_jobscout_authenticate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_int_t *rc);
static ngx_int_t ngx_http_jobscout_route_match(ngx_str_t *pattern,
    ngx_str_t *uri, ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_not_allowed(ngx_http_request_t *r,
    ngx_uint_t allowed);


ngx_http_jobscout_route_t  ngx_http_jobscout_routes[] = {

    { NGX_HTTP_GET, ngx_string("/health"),
      ngx_http_jobscout_health, 0 },

    { NGX_HTTP_GET, ngx_string("/health/ready"),
      ngx_http_jobscout_health_ready, NGX_HTTP_JOBSCOUT_ROUTE_PROBE },

    { NGX_HTTP_GET, ngx_string("/api/v1/_test/sleep"),
      ngx_http_jobscout_test_sleep, NGX_HTTP_JOBSCOUT_ROUTE_TEST
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/_test/routes"),
      ngx_http_jobscout_test_routes, NGX_HTTP_JOBSCOUT_ROUTE_TEST },

    { NGX_HTTP_GET, ngx_string("/api/v1/_test/explain/jobs"),
      ngx_http_jobscout_test_jobs_explain, NGX_HTTP_JOBSCOUT_ROUTE_TEST
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/openapi.json"),
      ngx_http_jobscout_openapi, NGX_HTTP_JOBSCOUT_ROUTE_PUBLIC },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/register"),
      ngx_http_jobscout_auth_register, NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/login"),
      ngx_http_jobscout_auth_login, NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/refresh"),
      ngx_http_jobscout_auth_refresh, NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/logout"),
      ngx_http_jobscout_auth_logout, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/verify-email"),
      ngx_http_jobscout_auth_verify_email, NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/resend-verification"),
      ngx_http_jobscout_auth_resend_verification,
      NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/forgot-password"),
      ngx_http_jobscout_auth_forgot_password, NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/auth/reset-password"),
      ngx_http_jobscout_auth_reset_password, NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me"),
      ngx_http_jobscout_users_me,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_OWN },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/users/me"),
      ngx_http_jobscout_users_update,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/users/me"),
      ngx_http_jobscout_users_delete,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_PUT, ngx_string("/api/v1/users/me/fcm-token"),
      ngx_http_jobscout_users_fcm_put,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/users/me/fcm-token"),
      ngx_http_jobscout_users_fcm_delete, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_POST, ngx_string("/api/v1/users/me/cv"),
      ngx_http_jobscout_cv_upload,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_FILE },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/cv"),
      ngx_http_jobscout_cv_get, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/users/me/cv"),
      ngx_http_jobscout_cv_delete, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/data-export"),
      ngx_http_jobscout_users_export, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/dashboard"),
      ngx_http_jobscout_applications_dashboard, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    /* the profile (_profile.c) */

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/skills"),
      ngx_http_jobscout_profile_skills_list, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_POST, ngx_string("/api/v1/users/me/skills"),
      ngx_http_jobscout_profile_skills_add,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/users/me/skills/{name*}"),
      ngx_http_jobscout_profile_skills_update,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/users/me/skills/{name*}"),
      ngx_http_jobscout_profile_skills_delete, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/education"),
      ngx_http_jobscout_profile_entries, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_POST, ngx_string("/api/v1/users/me/education"),
      ngx_http_jobscout_profile_entry_create,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/education/{id}"),
      ngx_http_jobscout_profile_entry_get, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/users/me/education/{id}"),
      ngx_http_jobscout_profile_entry_update,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/users/me/education/{id}"),
      ngx_http_jobscout_profile_entry_delete,
      NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/experience"),
      ngx_http_jobscout_profile_entries,
      NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_POST, ngx_string("/api/v1/users/me/experience"),
      ngx_http_jobscout_profile_entry_create,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/users/me/experience/{id}"),
      ngx_http_jobscout_profile_entry_get,
      NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/users/me/experience/{id}"),
      ngx_http_jobscout_profile_entry_update,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/users/me/experience/{id}"),
      ngx_http_jobscout_profile_entry_delete,
      NGX_HTTP_JOBSCOUT_ROUTE_USER },

    /* the fixed paths under /alerts before /alerts/{id} */

    { NGX_HTTP_GET, ngx_string("/api/v1/alerts"),
      ngx_http_jobscout_alerts_list,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_OWN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/alerts/unread-count"),
      ngx_http_jobscout_alerts_unread_count,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_OWN },

    { NGX_HTTP_POST, ngx_string("/api/v1/alerts/read-all"),
      ngx_http_jobscout_alerts_read_all, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/alerts/{id}"),
      ngx_http_jobscout_alerts_get, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/alerts/{id}"),
      ngx_http_jobscout_alerts_update,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/alerts/{id}/status"),
      ngx_http_jobscout_alerts_status,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/alerts/{id}/history"),
      ngx_http_jobscout_alerts_history, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/applications"),
      ngx_http_jobscout_applications_list, NGX_HTTP_JOBSCOUT_ROUTE_USER
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_POST, ngx_string("/api/v1/applications"),
      ngx_http_jobscout_applications_create,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/jobs"),
      ngx_http_jobscout_jobs_list,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_SHARED
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    /* before /jobs/{id} */

    { NGX_HTTP_GET, ngx_string("/api/v1/jobs/recommended"),
      ngx_http_jobscout_jobs_recommended, NGX_HTTP_JOBSCOUT_ROUTE_USER
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/jobs/{id}"),
      ngx_http_jobscout_jobs_get,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_SHARED },

    { NGX_HTTP_GET, ngx_string("/api/v1/jobs/{id}/skill-gap"),
      ngx_http_jobscout_jobs_skill_gap, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/companies"),
      ngx_http_jobscout_companies_list, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    { NGX_HTTP_GET, ngx_string("/api/v1/companies/{slug}/jobs"),
      ngx_http_jobscout_company_jobs,
      NGX_HTTP_JOBSCOUT_ROUTE_USER|NGX_HTTP_JOBSCOUT_ROUTE_SHARED
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/companies/{slug}"),
      ngx_http_jobscout_companies_get, NGX_HTTP_JOBSCOUT_ROUTE_USER },

    /* the operators' API: every route for admins only */

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/adapters"),
      ngx_http_jobscout_admin_adapters, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/stats"),
      ngx_http_jobscout_admin_stats, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/audit"),
      ngx_http_jobscout_admin_audit, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/companies"),
      ngx_http_jobscout_admin_companies_list, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/companies"),
      ngx_http_jobscout_admin_companies_create,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/companies/{id}"),
      ngx_http_jobscout_admin_companies_get, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/admin/companies/{id}"),
      ngx_http_jobscout_admin_companies_update,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/admin/companies/{id}"),
      ngx_http_jobscout_admin_companies_deactivate,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/sources"),
      ngx_http_jobscout_admin_sources_list, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/sources"),
      ngx_http_jobscout_admin_sources_create,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/sources/test"),
      ngx_http_jobscout_admin_sources_test,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/sources/{id}"),
      ngx_http_jobscout_admin_sources_get, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_PATCH, ngx_string("/api/v1/admin/sources/{id}"),
      ngx_http_jobscout_admin_sources_update,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN|NGX_HTTP_JOBSCOUT_ROUTE_BODY },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/admin/sources/{id}"),
      ngx_http_jobscout_admin_sources_deactivate,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/sources/{id}/reactivate"),
      ngx_http_jobscout_admin_sources_reactivate,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/sources/{id}/test"),
      ngx_http_jobscout_admin_sources_test_saved,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN|NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/sources/{id}/scrape"),
      ngx_http_jobscout_admin_sources_scrape, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/sources/{id}/logs"),
      ngx_http_jobscout_admin_sources_logs, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/sources/{id}/webhook-secret"),
      ngx_http_jobscout_admin_sources_webhook_secret,
      NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/scrape-logs"),
      ngx_http_jobscout_admin_scrape_logs, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/users"),
      ngx_http_jobscout_admin_users_list, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/users/{id}"),
      ngx_http_jobscout_admin_users_get, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/users/{id}/disable"),
      ngx_http_jobscout_admin_users_disable, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/users/{id}/enable"),
      ngx_http_jobscout_admin_users_enable, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/users/{id}/promote"),
      ngx_http_jobscout_admin_users_promote, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/users/{id}/demote"),
      ngx_http_jobscout_admin_users_demote, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/dead-letters"),
      ngx_http_jobscout_admin_dead_list, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN
      |NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    { NGX_HTTP_GET, ngx_string("/api/v1/admin/dead-letters/{id}"),
      ngx_http_jobscout_admin_dead_get, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_POST, ngx_string("/api/v1/admin/dead-letters/{id}/requeue"),
      ngx_http_jobscout_admin_dead_requeue, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    { NGX_HTTP_DELETE, ngx_string("/api/v1/admin/dead-letters/{id}"),
      ngx_http_jobscout_admin_dead_delete, NGX_HTTP_JOBSCOUT_ROUTE_ADMIN },

    /* a job mail's one-click unsubscribe: its signed link, no token */

    { NGX_HTTP_POST, ngx_string("/api/v1/unsubscribe"),
      ngx_http_jobscout_unsubscribe, NGX_HTTP_JOBSCOUT_ROUTE_QUERY },

    /* a board tells us it changed: signed, no token */

    { NGX_HTTP_POST, ngx_string("/api/v1/webhooks/sources/{id}"),
      ngx_http_jobscout_webhook_source, NGX_HTTP_JOBSCOUT_ROUTE_RAW },

    { 0, ngx_null_string, NULL, 0 }
};


static struct {
    ngx_uint_t  method;
    ngx_str_t   name;
} ngx_http_jobscout_methods[] = {
    { NGX_HTTP_GET, ngx_string("GET, HEAD") },
    { NGX_HTTP_POST, ngx_string("POST") },
    { NGX_HTTP_PUT, ngx_string("PUT") },
    { NGX_HTTP_PATCH, ngx_string("PATCH") },
    { NGX_HTTP_DELETE, ngx_string("DELETE") },
    { 0, ngx_null_string }
};


ngx_int_t
ngx_http_jobscout_route(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t                       rc;
    ngx_uint_t                      method, allowed;
    ngx_http_jobscout_route_t      *route;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    /* HEAD is answered by the GET handler; nginx sends the headers only */
    method = (r->method == NGX_HTTP_HEAD) ? NGX_HTTP_GET : r->method;
    allowed = 0;

    for (route = ngx_http_jobscout_routes; route->handler; route++) {

        if ((route->flags & NGX_HTTP_JOBSCOUT_ROUTE_TEST)
            && !jmcf->test_endpoints)
        {
            continue;
        }

        if (ngx_http_jobscout_route_match(&route->pattern, &r->uri, ctx)
            != NGX_OK)
        {
            continue;
        }

        if (route->method != method) {
            allowed |= route->method;
            continue;
        }

        ctx->route = route;

        if (ngx_http_jobscout_authenticate(r, ctx, &rc) != NGX_OK) {
            return rc;
        }

        /*
         * An API route refuses a query parameter it does not read: not
         * served as if it were not there, nor cached under each one.
         */

        if (!(route->flags & NGX_HTTP_JOBSCOUT_ROUTE_QUERY)
            && r->args.len
            && ngx_strncmp(route->pattern.data, "/api/", 5) == 0
            && ngx_http_jobscout_args_none(r, ctx) != NGX_OK)
        {
            rc = ngx_http_discard_request_body(r);
            if (rc != NGX_OK) {
                return rc;
            }

            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        if (route->flags
            & (NGX_HTTP_JOBSCOUT_ROUTE_BODY|NGX_HTTP_JOBSCOUT_ROUTE_RAW
               |NGX_HTTP_JOBSCOUT_ROUTE_FILE))
        {
            return ngx_http_jobscout_read_body(r, ctx);
        }

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_jobscout_route_continue(r, ctx);
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (allowed) {
        return ngx_http_jobscout_not_allowed(r, allowed);
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                        "no such resource");
}


/*
 * The signature and claims of the token, before any body is read: NGX_OK,
 * or the request was answered (401 or 403) and rc is the answer's.
 */

static ngx_int_t
ngx_http_jobscout_authenticate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_int_t *rc)
{
    ngx_int_t   state;
    ngx_uint_t  flags;

    flags = ctx->route->flags;

    if (!(flags & (NGX_HTTP_JOBSCOUT_ROUTE_USER
                   |NGX_HTTP_JOBSCOUT_ROUTE_ADMIN)))
    {
        return NGX_OK;
    }

    state = ngx_http_jobscout_jwt_verify_request(r, ctx);

    if (state == NGX_HTTP_JOBSCOUT_TOKEN_VALID && !ctx->token.refresh) {

        if (!(flags & NGX_HTTP_JOBSCOUT_ROUTE_ADMIN)
            || (ctx->token.role.len == 5
                && ngx_strncmp(ctx->token.role.data, "admin", 5) == 0))
        {
            return NGX_OK;
        }
    }

    *rc = ngx_http_discard_request_body(r);
    if (*rc != NGX_OK) {
        return NGX_DECLINED;
    }

    if (state == NGX_HTTP_JOBSCOUT_TOKEN_VALID && !ctx->token.refresh) {
        ngx_http_jobscout_metrics_count(
            NGX_HTTP_JOBSCOUT_METRIC_AUTH_FORBIDDEN);
        *rc = ngx_http_jobscout_send_error(r, NGX_HTTP_FORBIDDEN,
                                           "forbidden",
                                           "administrators only");
        return NGX_DECLINED;
    }

    *rc = ngx_http_jobscout_send_unauthorized(r,
              state == NGX_HTTP_JOBSCOUT_TOKEN_NONE
              ? "a bearer token is required"
              : "the token is invalid or expired");
    return NGX_DECLINED;
}


/* after the body: is the token revoked?  Then the handler */

ngx_int_t
ngx_http_jobscout_route_continue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    if (ctx->token_state != NGX_HTTP_JOBSCOUT_TOKEN_VALID) {
        return ngx_http_jobscout_cache_run(r, ctx);
    }

    return ngx_http_jobscout_session_check(r, ctx);
}


static ngx_int_t
ngx_http_jobscout_route_match(ngx_str_t *pattern, ngx_str_t *uri,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char  *p, *pend, *u, *uend, *start;

    p = pattern->data;
    pend = p + pattern->len;
    u = uri->data;
    uend = u + uri->len;

    ctx->nparams = 0;

    while (p < pend && u < uend) {

        if (*p != '{') {
            if (*p++ != *u++) {
                return NGX_DECLINED;
            }

            continue;
        }

        /* a parameter: one non-empty segment */

        start = u;

        while (u < uend && *u != '/') {
            u++;
        }

        if (u == start || ctx->nparams == NGX_HTTP_JOBSCOUT_MAX_PARAMS) {
            return NGX_DECLINED;
        }

        while (p < pend && *p != '}') {
            p++;
        }

        /* "{name*}" takes the rest of the path, slashes and all */

        if (p[-1] == '*') {
            u = uend;
        }

        ctx->params[ctx->nparams].data = start;
        ctx->params[ctx->nparams].len = u - start;
        ctx->nparams++;

        p++;
    }

    return (p == pend && u == uend) ? NGX_OK : NGX_DECLINED;
}


/*
 * A resource asked with a method it does not take: an allowed origin's
 * CORS preflight (OPTIONS) is answered 204 with the methods it takes,
 * anything else 405 with them in Allow.
 */

static ngx_int_t
ngx_http_jobscout_not_allowed(ngx_http_request_t *r, ngx_uint_t allowed)
{
    u_char     *p;
    size_t      len;
    ngx_int_t   rc;
    ngx_str_t   methods;
    ngx_uint_t  i;

    static ngx_str_t  allow = ngx_string("Allow");

    len = 0;

    for (i = 0; ngx_http_jobscout_methods[i].method; i++) {
        if (allowed & ngx_http_jobscout_methods[i].method) {
            len += ngx_http_jobscout_methods[i].name.len + sizeof(", ") - 1;
        }
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    methods.data = p;

    for (i = 0; ngx_http_jobscout_methods[i].method; i++) {
        if (allowed & ngx_http_jobscout_methods[i].method) {
            if (p != methods.data) {
                *p++ = ','; *p++ = ' ';
            }

            p = ngx_cpymem(p, ngx_http_jobscout_methods[i].name.data,
                           ngx_http_jobscout_methods[i].name.len);
        }
    }

    methods.len = p - methods.data;

    if (r->method == NGX_HTTP_OPTIONS) {
        rc = ngx_http_jobscout_cors_preflight(r, &methods);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    if (ngx_http_jobscout_add_header(r, &allow, &methods) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                        "method_not_allowed",
                                        "method not allowed on this resource");
}


/*
 * GET /api/v1/_test/routes: the table as JSON, for t/060_openapi.t to hold
 * conf/openapi.json to it: [{"method", "path", "auth", "body"}, ...];
 * test routes are left out, as the description leaves them out.
 */

ngx_int_t
ngx_http_jobscout_test_routes(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    json_t                     *list, *item;
    ngx_int_t                   rc;
    ngx_uint_t                  i;
    ngx_http_jobscout_route_t  *route;

    list = json_array();
    if (list == NULL) {
        return NGX_ERROR;
    }

    for (route = ngx_http_jobscout_routes; route->handler; route++) {

        if (route->flags & NGX_HTTP_JOBSCOUT_ROUTE_TEST) {
            continue;
        }

        /* the names of the Allow header, "GET, HEAD" aside */

        for (i = 0; ngx_http_jobscout_methods[i].method; i++) {
            if (ngx_http_jobscout_methods[i].method == route->method) {
                break;
            }
        }

        item = json_pack("{s:s,s:s%,s:s,s:b,s:b}",
                   "method", route->method == NGX_HTTP_GET ? "GET"
                             : ngx_http_jobscout_methods[i].method
                             ? (char *) ngx_http_jobscout_methods[i].name.data
                             : "?",
                   "path", route->pattern.data, route->pattern.len,
                   "auth", (route->flags & NGX_HTTP_JOBSCOUT_ROUTE_ADMIN)
                           ? "admin"
                           : (route->flags & NGX_HTTP_JOBSCOUT_ROUTE_USER)
                             ? "user" : "none",
                   "body", (route->flags & (NGX_HTTP_JOBSCOUT_ROUTE_BODY
                                            |NGX_HTTP_JOBSCOUT_ROUTE_RAW
                                            |NGX_HTTP_JOBSCOUT_ROUTE_FILE))
                           != 0,
                   "raw", (route->flags & (NGX_HTTP_JOBSCOUT_ROUTE_RAW
                                           |NGX_HTTP_JOBSCOUT_ROUTE_FILE))
                          != 0);

        if (item == NULL || json_array_append_new(list, item) != 0) {
            json_decref(list);
            return NGX_ERROR;
        }
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, list);
    json_decref(list);

    return rc;
}
