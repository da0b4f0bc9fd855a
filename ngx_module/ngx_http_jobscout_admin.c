
/* TEMPORARY scaffold: replaced by the real handlers */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_adapters(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_adapters");
}

ngx_int_t
ngx_http_jobscout_admin_stats(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_stats");
}

ngx_int_t
ngx_http_jobscout_admin_audit(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_audit");
}
