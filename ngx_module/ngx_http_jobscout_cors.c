
/*
 * Job Scout: CORS, for a front end served from another origin.  The
 * origins allowed are configured (jobscout_cors_origin, repeatable; none by
 * default).  An allowed origin's requests are answered with
 * Access-Control-Allow-Origin, and its preflights (OPTIONS with
 * Access-Control-Request-Method) with 204 and the resource's methods; any
 * other origin gets no CORS header.  Tokens travel in Authorization, never
 * in cookies: credentials are not allowed.
 */


#include "ngx_http_jobscout.h"


static ngx_str_t *ngx_http_jobscout_cors_allowed(ngx_http_request_t *r);


static ngx_str_t  ngx_http_jobscout_vary_key = ngx_string("Vary");
static ngx_str_t  ngx_http_jobscout_vary = ngx_string("Origin");
static ngx_str_t  ngx_http_jobscout_allow_origin_key =
    ngx_string("Access-Control-Allow-Origin");
static ngx_str_t  ngx_http_jobscout_expose_key =
    ngx_string("Access-Control-Expose-Headers");
static ngx_str_t  ngx_http_jobscout_expose =
    ngx_string("X-Request-Id, Retry-After");
static ngx_str_t  ngx_http_jobscout_allow_methods_key =
    ngx_string("Access-Control-Allow-Methods");
static ngx_str_t  ngx_http_jobscout_allow_headers_key =
    ngx_string("Access-Control-Allow-Headers");
static ngx_str_t  ngx_http_jobscout_allow_headers =
    ngx_string("Authorization, Content-Type, X-Request-Id");
static ngx_str_t  ngx_http_jobscout_max_age_key =
    ngx_string("Access-Control-Max-Age");
static ngx_str_t  ngx_http_jobscout_max_age = ngx_string("600");


/* jobscout_cors_origin https://app.example.com; as browsers send Origin */

char *
ngx_http_jobscout_cors_origin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    u_char     *p, *last;
    ngx_str_t  *value, *origin;

    value = cf->args->elts;
    p = value[1].data;
    last = p + value[1].len;

    if (value[1].len > sizeof("https://") - 1
        && ngx_strncmp(p, "https://", sizeof("https://") - 1) == 0)
    {
        p += sizeof("https://") - 1;

    } else if (value[1].len > sizeof("http://") - 1
               && ngx_strncmp(p, "http://", sizeof("http://") - 1) == 0)
    {
        p += sizeof("http://") - 1;

    } else {
        goto invalid;
    }

    /* a scheme and a host (and a port): no path, no wildcard */

    for ( /* void */ ; p < last; p++) {
        if (*p == '/' || *p == '*' || *p == '?' || *p == '#'
            || (*p >= 'A' && *p <= 'Z'))
        {
            goto invalid;
        }
    }

    if (jmcf->cors_origins == NULL) {
        jmcf->cors_origins = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
        if (jmcf->cors_origins == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    origin = ngx_array_push(jmcf->cors_origins);
    if (origin == NULL) {
        return NGX_CONF_ERROR;
    }

    *origin = value[1];

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\" is not an origin: "
                       "scheme://host[:port] in lower case, as in "
                       "\"https://app.example.com\"", &value[1]);
    return NGX_CONF_ERROR;
}


/* Vary, and for an allowed origin its CORS headers: on every answer */

ngx_int_t
ngx_http_jobscout_cors_headers(ngx_http_request_t *r)
{
    ngx_str_t                      *origin;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->cors_origins == NULL) {
        return NGX_OK;
    }

    if (ngx_http_jobscout_add_header(r, &ngx_http_jobscout_vary_key,
                                     &ngx_http_jobscout_vary)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    origin = ngx_http_jobscout_cors_allowed(r);

    if (origin == NULL) {
        return NGX_OK;
    }

    if (ngx_http_jobscout_add_header(r, &ngx_http_jobscout_allow_origin_key,
                                     origin)
        != NGX_OK
        || ngx_http_jobscout_add_header(r, &ngx_http_jobscout_expose_key,
                                        &ngx_http_jobscout_expose)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * OPTIONS on a resource that takes METHODS: 204 for an allowed origin's
 * preflight, NGX_DECLINED for anything else (answered 405 as before).
 */

ngx_int_t
ngx_http_jobscout_cors_preflight(ngx_http_request_t *r, ngx_str_t *methods)
{
    if (ngx_http_jobscout_cors_allowed(r) == NULL
        || ngx_http_jobscout_header_in(r, "Access-Control-Request-Method")
           == NULL)
    {
        return NGX_DECLINED;
    }

    if (ngx_http_jobscout_add_header(r, &ngx_http_jobscout_allow_methods_key,
                                     methods)
        != NGX_OK
        || ngx_http_jobscout_add_header(r,
                                        &ngx_http_jobscout_allow_headers_key,
                                        &ngx_http_jobscout_allow_headers)
           != NGX_OK
        || ngx_http_jobscout_add_header(r, &ngx_http_jobscout_max_age_key,
                                        &ngx_http_jobscout_max_age)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0);
}


/* the request's Origin when it is configured, else NULL */

static ngx_str_t *
ngx_http_jobscout_cors_allowed(ngx_http_request_t *r)
{
    ngx_str_t                      *allowed;
    ngx_uint_t                      i;
    ngx_table_elt_t                *origin;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->cors_origins == NULL) {
        return NULL;
    }

    origin = ngx_http_jobscout_header_in(r, "Origin");

    if (origin == NULL) {
        return NULL;
    }

    allowed = jmcf->cors_origins->elts;

    for (i = 0; i < jmcf->cors_origins->nelts; i++) {
        if (allowed[i].len == origin->value.len
            && ngx_strncmp(allowed[i].data, origin->value.data,
                           origin->value.len) == 0)
        {
            return &allowed[i];
        }
    }

    return NULL;
}
