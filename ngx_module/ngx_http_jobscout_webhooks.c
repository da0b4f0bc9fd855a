
/* TEMPORARY scaffold */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_sources_webhook_secret(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_webhook_secret");
}

ngx_int_t
ngx_http_jobscout_webhook_source(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "webhook_source");
}
