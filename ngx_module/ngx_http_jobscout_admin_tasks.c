
/* TEMPORARY scaffold: replaced by the real handlers */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_sources_test(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_test");
}

ngx_int_t
ngx_http_jobscout_admin_sources_test_saved(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_test_saved");
}

ngx_int_t
ngx_http_jobscout_admin_sources_scrape(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_scrape");
}

ngx_int_t
ngx_http_jobscout_admin_dead_list(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_list");
}

ngx_int_t
ngx_http_jobscout_admin_dead_get(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_get");
}

ngx_int_t
ngx_http_jobscout_admin_dead_requeue(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_requeue");
}

ngx_int_t
ngx_http_jobscout_admin_dead_delete(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_delete");
}
