
/* TEMPORARY scaffold: replaced by the real handlers */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_sources_list(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_list");
}

ngx_int_t
ngx_http_jobscout_admin_sources_create(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_create");
}

ngx_int_t
ngx_http_jobscout_admin_sources_get(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_get");
}

ngx_int_t
ngx_http_jobscout_admin_sources_update(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_update");
}

ngx_int_t
ngx_http_jobscout_admin_sources_deactivate(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_deactivate");
}

ngx_int_t
ngx_http_jobscout_admin_sources_reactivate(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_reactivate");
}

ngx_int_t
ngx_http_jobscout_admin_sources_logs(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_logs");
}

ngx_int_t
ngx_http_jobscout_admin_scrape_logs(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_scrape_logs");
}
