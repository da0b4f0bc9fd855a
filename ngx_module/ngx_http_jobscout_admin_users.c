
/* TEMPORARY scaffold: replaced by the real handlers */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_users_list(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_users_list");
}

ngx_int_t
ngx_http_jobscout_admin_users_get(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_users_get");
}

ngx_int_t
ngx_http_jobscout_admin_users_disable(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_users_disable");
}

ngx_int_t
ngx_http_jobscout_admin_users_enable(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_users_enable");
}

ngx_int_t
ngx_http_jobscout_admin_users_promote(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_users_promote");
}

ngx_int_t
ngx_http_jobscout_admin_users_demote(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_users_demote");
}
