
/*
 * Job Scout: directives, configuration and the content handler that hands
 * every request of a "jobscout_api" location to the route table.
 */


#include "ngx_http_jobscout.h"


static ngx_int_t ngx_http_jobscout_preconfiguration(ngx_conf_t *cf);
static void *ngx_http_jobscout_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_jobscout_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_http_jobscout_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_jobscout_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_error_page(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_init_process(ngx_cycle_t *cycle);
static void ngx_http_jobscout_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_jobscout_commands[] = {

    { ngx_string("jobscout_postgres"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_jobscout_pg_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_jobscout_redis_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_jobscout_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_jwt_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_http_jobscout_jwt_key_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_jwt_issuer"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, jwt.issuer),
      NULL },

    { ngx_string("jobscout_jwt_audience"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, jwt.audience),
      NULL },

    { ngx_string("jobscout_jwt_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_jobscout_jwt_ttl_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_jwt_leeway"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, jwt.leeway),
      NULL },

    { ngx_string("jobscout_openapi_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_jobscout_openapi_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_webhook_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_jobscout_webhook_key_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_source_test_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, source_test_timeout),
      NULL },

    { ngx_string("jobscout_login_throttle"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_jobscout_throttle_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_cv_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, cv_max_size),
      NULL },

    { ngx_string("jobscout_cv_storage"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, cv_storage),
      NULL },

    { ngx_string("jobscout_cv_s3"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_jobscout_cv_s3_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_cors_origin"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_jobscout_cors_origin,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_jobscout_cache_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_test_endpoints"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jobscout_main_conf_t, test_endpoints),
      NULL },

    { ngx_string("jobscout_error_report"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_jobscout_error_report_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_jobscout_module_ctx = {
    ngx_http_jobscout_preconfiguration,    /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_jobscout_create_main_conf,    /* create main configuration */
    ngx_http_jobscout_init_main_conf,      /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_jobscout_module = {
    NGX_MODULE_V1,
    &ngx_http_jobscout_module_ctx,         /* module context */
    ngx_http_jobscout_commands,            /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_jobscout_init_process,        /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_jobscout_exit_process,        /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_jobscout_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jobscout_main_conf_t));
    if (jmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     jmcf->pg.conninfo = { 0, NULL };
     *     jmcf->redis.name = { 0, NULL };
     *     jmcf->api = 0;
     *     jmcf->openapi = { 0, NULL };
     */

    jmcf->pg.pool_size = NGX_CONF_UNSET_UINT;
    jmcf->pg.queue_size = NGX_CONF_UNSET_UINT;
    jmcf->pg.connect_timeout = NGX_CONF_UNSET_MSEC;
    jmcf->pg.query_timeout = NGX_CONF_UNSET_MSEC;
    jmcf->redis.timeout = NGX_CONF_UNSET_MSEC;
    jmcf->jwt.access_ttl = NGX_CONF_UNSET;
    jmcf->jwt.refresh_ttl = NGX_CONF_UNSET;
    jmcf->jwt.leeway = NGX_CONF_UNSET;
    jmcf->test_endpoints = NGX_CONF_UNSET;
    jmcf->source_test_timeout = NGX_CONF_UNSET_MSEC;
    jmcf->throttle.failures = NGX_CONF_UNSET_UINT;
    jmcf->throttle.window = NGX_CONF_UNSET;
    jmcf->throttle.backoff = NGX_CONF_UNSET_MSEC;
    jmcf->throttle.max = NGX_CONF_UNSET_MSEC;
    jmcf->throttle.known = NGX_CONF_UNSET;
    jmcf->cv_max_size = NGX_CONF_UNSET;
    jmcf->error_report = NGX_CONF_UNSET_PTR;
    jmcf->cache.size = NGX_CONF_UNSET_SIZE;
    jmcf->cache.ttl = NGX_CONF_UNSET_MSEC;
    jmcf->cache.ready_ttl = NGX_CONF_UNSET_MSEC;

    return jmcf;
}


static ngx_int_t
ngx_http_jobscout_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_jobscout_add_variables(cf);
}


static char *
ngx_http_jobscout_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    u_char  *storage;

    ngx_conf_init_uint_value(jmcf->pg.pool_size, 4);
    ngx_conf_init_uint_value(jmcf->pg.queue_size, 128);
    ngx_conf_init_msec_value(jmcf->pg.connect_timeout, 5000);
    ngx_conf_init_msec_value(jmcf->pg.query_timeout, 10000);
    ngx_conf_init_msec_value(jmcf->redis.timeout, 2000);
    ngx_conf_init_value(jmcf->test_endpoints, 0);
    ngx_conf_init_ptr_value(jmcf->error_report, NULL);
    ngx_conf_init_msec_value(jmcf->source_test_timeout, 30000);
    ngx_conf_init_value(jmcf->jwt.access_ttl, 30 * 60);
    ngx_conf_init_value(jmcf->jwt.refresh_ttl, 7 * 24 * 60 * 60);
    ngx_conf_init_value(jmcf->jwt.leeway, 30);
    ngx_http_jobscout_throttle_init_conf(&jmcf->throttle);
    if (jmcf->cv_max_size == NGX_CONF_UNSET) {
        jmcf->cv_max_size = 5 * 1024 * 1024;
    }

    /* relative to the prefix, NUL-terminated for the thread's calls */

    if (jmcf->cv_storage.len) {
        if (ngx_conf_full_name(cf->cycle, &jmcf->cv_storage, 0) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        while (jmcf->cv_storage.len > 1
               && jmcf->cv_storage.data[jmcf->cv_storage.len - 1] == '/')
        {
            jmcf->cv_storage.len--;
        }

        storage = ngx_pnalloc(cf->pool, jmcf->cv_storage.len + 1);
        if (storage == NULL) {
            return NGX_CONF_ERROR;
        }

        *ngx_cpymem(storage, jmcf->cv_storage.data, jmcf->cv_storage.len)
            = '\0';
        jmcf->cv_storage.data = storage;
    }

    if (jmcf->jwt.issuer.data == NULL) {
        ngx_str_set(&jmcf->jwt.issuer, "jobscout");
    }

    if (jmcf->jwt.audience.data == NULL) {
        ngx_str_set(&jmcf->jwt.audience, "jobscout-api");
    }

    if (ngx_http_jobscout_cache_init_conf(cf, jmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (!jmcf->api) {
        return NGX_CONF_OK;
    }

    if (jmcf->pg.conninfo.len == 0 || jmcf->redis.name.len == 0
        || jmcf->jwt.key_file.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"jobscout_api\" requires \"jobscout_postgres\", "
                           "\"jobscout_redis\" and \"jobscout_jwt_key_file\" "
                           "in the http block");
        return NGX_CONF_ERROR;
    }

    if (ngx_http_jobscout_password_init(cf, jmcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_jobscout_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t       *clcf;
    ngx_http_jobscout_main_conf_t  *jmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler == ngx_http_jobscout_handler) {
        return "is duplicate";
    }

    if (clcf->handler != NULL) {
        return "conflicts with another content handler in this location";
    }

    clcf->handler = ngx_http_jobscout_handler;

    jmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_jobscout_module);
    jmcf->api = 1;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_jobscout_conf_param(ngx_str_t *arg, const char *name,
    ngx_str_t *value)
{
    size_t  len;

    len = ngx_strlen(name);

    if (arg->len <= len
        || arg->data[len] != '='
        || ngx_strncmp(arg->data, name, len) != 0)
    {
        return NGX_DECLINED;
    }

    value->data = arg->data + len + 1;
    value->len = arg->len - len - 1;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_conf_msec(ngx_str_t *value)
{
    ngx_int_t  n;

    n = ngx_parse_time(value, 0);

    return (n == 0) ? NGX_ERROR : n;
}


static ngx_int_t
ngx_http_jobscout_handler(ngx_http_request_t *r)
{
    ngx_int_t                 rc;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (ctx == NULL) {
        ctx = ngx_http_jobscout_init_ctx(r);
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (r->err_status) {
        return ngx_http_jobscout_error_page(r);
    }

    rc = ngx_http_jobscout_route(r, ctx);

    if (rc == NGX_DONE && !ctx->reading_body) {
        /*
         * An asynchronous operation owns the request until it finalizes;
         * a body being read holds its own reference.
         */
        r->main->count++;

        if (!r->discard_body) {
            /* a client that goes away frees its request and its query */
            r->read_event_handler = ngx_http_test_reading;
            r->write_event_handler = ngx_http_request_empty_handler;
        }
    }

    return rc;
}


/*
 * As the target of "error_page ... /uri", the API answers nginx's own errors
 * (a bad request line, oversized headers, a body over client_max_body_size,
 * TRACE, a timeout) in JSON too; nginx has logged their cause.  A URI, not
 * a named location: a request whose line could not be parsed has no URI of
 * its own to keep.
 */

static ngx_int_t
ngx_http_jobscout_error_page(ngx_http_request_t *r)
{
    ngx_uint_t  i;

    static struct {
        ngx_uint_t   status;
        const char  *code;
        const char  *message;
    } errors[] = {
        { 400, "bad_request", "the request is malformed" },
        { 401, "unauthorized", "authentication is required" },
        { 403, "forbidden", "access is forbidden" },
        { 404, "not_found", "no such resource" },
        { 405, "method_not_allowed", "method not allowed on this resource" },
        { 408, "request_timeout", "the request took too long to arrive" },
        { 413, "payload_too_large", "the body is too large" },
        { 414, "uri_too_long", "the URI is too long" },
        { 429, "rate_limited", "too many requests" },
        { 431, "headers_too_large", "the request headers are too large" },
        { 501, "not_implemented", "the transfer coding is not supported" },
        { 502, "bad_gateway", "a backend failed" },
        { 503, "unavailable", "the service is unavailable" },
        { 504, "timeout", "a backend timed out" },
        { 505, "http_version_not_supported",
          "the HTTP version is not supported" },
        { 0, "internal_error", "internal error" }
    };

    for (i = 0; errors[i].status; i++) {
        if (errors[i].status == (ngx_uint_t) r->err_status) {
            break;
        }
    }

    /* nginx's 494, "error_page 494 =431": nginx has no name for 431 */

    if (r->err_status == 431) {
        ngx_str_set(&r->headers_out.status_line,
                    "431 Request Header Fields Too Large");
    }

    r->keepalive = 0;

    return ngx_http_jobscout_send_error(r, r->err_status, errors[i].code,
                                        errors[i].message);
}


static ngx_int_t
ngx_http_jobscout_init_process(ngx_cycle_t *cycle)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_jobscout_module);
    if (jmcf == NULL) {
        return NGX_OK;
    }

    if (jmcf->pg.conninfo.len) {
        jmcf->pg_pool = ngx_http_jobscout_pg_pool_create(cycle, &jmcf->pg);
        if (jmcf->pg_pool == NULL) {
            return NGX_ERROR;
        }
    }

    if (jmcf->redis.name.len) {
        jmcf->redis_client = ngx_http_jobscout_redis_create(cycle,
                                                            &jmcf->redis);
        if (jmcf->redis_client == NULL) {
            return NGX_ERROR;
        }
    }

    if (jmcf->error_report
        && ngx_http_jobscout_error_report_open(cycle, jmcf->error_report)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_jobscout_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_jobscout_module);
    if (jmcf == NULL) {
        return;
    }

    /* nginx checks for sockets left open right after this returns */

    if (jmcf->pg_pool) {
        ngx_http_jobscout_pg_pool_close(jmcf->pg_pool);
        jmcf->pg_pool = NULL;
    }

    if (jmcf->redis_client) {
        ngx_http_jobscout_redis_close(jmcf->redis_client);
        jmcf->redis_client = NULL;
    }

    if (jmcf->error_report) {
        ngx_http_jobscout_error_report_close(jmcf->error_report);
    }
}
