
/*
 * Job Scout: 5xx answers reported for error tracking.
 *
 *     jobscout_error_report udp:127.0.0.1:9514;     (off by default)
 *
 * Each 5xx the API answers (its own, and nginx's through the error page)
 * goes as one JSON datagram to jobscoutd's "sentry" role, which sends it
 * on to Sentry (workers/lib/sentry.h has the format).  A datagram on a
 * non-blocking socket: sendto() never waits, and a report the socket
 * cannot take at once, or nobody listens for, is dropped.  Not Redis or
 * PostgreSQL: a 5xx is often their being down.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_REPORT_MAX  4096


char *
ngx_http_jobscout_error_report_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    ngx_str_t  *value;
    ngx_url_t   u;

    if (jmcf->error_report != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        jmcf->error_report = NULL;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value[1].data, "udp:", 4) != 0) {
        return "expects \"off\" or \"udp:127.0.0.1:port\"";
    }

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url.data = value[1].data + 4;
    u.url.len = value[1].len - 4;
    u.no_resolve = 1;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs != 1
        || u.no_port)
    {
        return "expects a numeric address and a port, "
               "\"udp:127.0.0.1:port\"";
    }

    jmcf->error_report = ngx_pcalloc(cf->pool,
                                     sizeof(ngx_http_jobscout_reporter_t));
    if (jmcf->error_report == NULL) {
        return NGX_CONF_ERROR;
    }

    jmcf->error_report->addr = u.addrs[0];
    jmcf->error_report->fd = (ngx_socket_t) -1;

    return NGX_CONF_OK;
}


/* per worker process: a socket of its own, closed on exit */

ngx_int_t
ngx_http_jobscout_error_report_open(ngx_cycle_t *cycle,
    ngx_http_jobscout_reporter_t *rep)
{
    rep->fd = ngx_socket(rep->addr.sockaddr->sa_family, SOCK_DGRAM, 0);

    if (rep->fd == (ngx_socket_t) -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_socket_errno,
                      ngx_socket_n " for jobscout_error_report failed");
        return NGX_ERROR;
    }

    if (ngx_nonblocking(rep->fd) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_socket_errno,
                      ngx_nonblocking_n " for jobscout_error_report failed");
        ngx_close_socket(rep->fd);
        rep->fd = (ngx_socket_t) -1;
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_http_jobscout_error_report_close(ngx_http_jobscout_reporter_t *rep)
{
    if (rep->fd != (ngx_socket_t) -1) {
        ngx_close_socket(rep->fd);
        rep->fd = (ngx_socket_t) -1;
    }
}


static ngx_int_t
ngx_http_jobscout_report_str(json_t *o, const char *name, u_char *data,
    size_t len, size_t max)
{
    json_t  *v;

    /* jansson refuses invalid UTF-8: such a value is left out */

    v = len ? json_stringn((char *) data, ngx_min(len, max)) : NULL;
    if (v == NULL) {
        return NGX_OK;
    }

    return json_object_set_new(o, name, v) == 0 ? NGX_OK : NGX_ERROR;
}


void
ngx_http_jobscout_error_report(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    size_t                          n, len;
    u_char                          buf[NGX_HTTP_JOBSCOUT_REPORT_MAX];
    json_t                         *o;
    ngx_http_jobscout_ctx_t        *ctx;
    ngx_http_jobscout_reporter_t   *rep;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    rep = jmcf->error_report;

    if (rep == NULL || rep->fd == (ngx_socket_t) -1) {
        return;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    o = json_pack("{s:s, s:s, s:i, s:s}", "source", "nginx",
                  "message", message, "status", (int) status, "code", code);
    if (o == NULL) {
        return;
    }

    /* the path as the client sent it, without its query (tokens) */

    for (len = 0; len < r->unparsed_uri.len; len++) {
        if (r->unparsed_uri.data[len] == '?') {
            break;
        }
    }

    if (ngx_http_jobscout_report_str(o, "method", r->method_name.data,
                                     r->method_name.len, 16) != NGX_OK
        || ngx_http_jobscout_report_str(o, "url", r->unparsed_uri.data, len,
                                        1024) != NGX_OK
        || ngx_http_jobscout_report_str(o, "request_id",
                                        ctx->request_id.data,
                                        ctx->request_id.len, 64) != NGX_OK
        || (ctx->route
            && ngx_http_jobscout_report_str(o, "route",
                                            ctx->route->pattern.data,
                                            ctx->route->pattern.len, 200)
               != NGX_OK)
        || (ctx->token_state == NGX_HTTP_JOBSCOUT_TOKEN_VALID
            && ngx_http_jobscout_report_str(o, "user_id", ctx->token.sub.data,
                                            ctx->token.sub.len, 64)
               != NGX_OK))
    {
        json_decref(o);
        return;
    }

    n = json_dumpb(o, (char *) buf, sizeof(buf), JSON_COMPACT);
    json_decref(o);

    if (n == 0 || n > sizeof(buf)) {
        return;
    }

    if (sendto(rep->fd, buf, n, 0, rep->addr.sockaddr, rep->addr.socklen)
        == -1)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, ngx_socket_errno,
                      "jobscout: error report dropped");
    }
}
