
/* TEMPORARY scaffold: replaced by the real handlers */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_companies_list(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_companies_list");
}

ngx_int_t
ngx_http_jobscout_admin_companies_create(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_companies_create");
}

ngx_int_t
ngx_http_jobscout_admin_companies_get(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_companies_get");
}

ngx_int_t
ngx_http_jobscout_admin_companies_update(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_companies_update");
}

ngx_int_t
ngx_http_jobscout_admin_companies_deactivate(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_companies_deactivate");
}
