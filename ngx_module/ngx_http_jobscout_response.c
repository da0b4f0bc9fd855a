
/*
 * Job Scout: the request context, X-Request-Id, and JSON responses.  Every
 * answer of the API, errors included, is JSON and carries X-Request-Id.
 */


#include "ngx_http_jobscout.h"


static ngx_int_t ngx_http_jobscout_request_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_valid_request_id(ngx_str_t *id);


static ngx_str_t  ngx_http_jobscout_json_type =
    ngx_string("application/json; charset=utf-8");
static ngx_str_t  ngx_http_jobscout_request_id_key = ngx_string("X-Request-Id");
static ngx_str_t  ngx_http_jobscout_nosniff_key =
    ngx_string("X-Content-Type-Options");
static ngx_str_t  ngx_http_jobscout_nosniff = ngx_string("nosniff");
static ngx_str_t  ngx_http_jobscout_cache_key = ngx_string("Cache-Control");
static ngx_str_t  ngx_http_jobscout_no_store = ngx_string("no-store");
static ngx_str_t  ngx_http_jobscout_revalidate =
    ngx_string("private, no-cache");



ngx_http_jobscout_ctx_t *
ngx_http_jobscout_init_ctx(ngx_http_request_t *r)
{
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    if (ngx_http_jobscout_request_id(r, ctx) != NGX_OK) {
        return NULL;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_jobscout_module);

    return ctx;
}


static ngx_int_t
ngx_http_jobscout_request_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char           *p;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == sizeof("X-Request-Id") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "X-Request-Id",
                               sizeof("X-Request-Id") - 1) == 0
            && ngx_http_jobscout_valid_request_id(&h[i].value) == NGX_OK)
        {
            ctx->request_id = h[i].value;
            return NGX_OK;
        }
    }

    /*
     * A missing or unusable id is replaced, never echoed back raw.  Ids are
     * random, 128 bits from OpenSSL's generator (no system call per
     * request): a counter would tell anyone the request volume.
     */

    p = ngx_pnalloc(r->pool, 2 * NGX_HTTP_JOBSCOUT_REQUEST_ID_BYTES);
    if (p == NULL
        || ngx_http_jobscout_random_hex(p, NGX_HTTP_JOBSCOUT_REQUEST_ID_BYTES)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: no random request id");
        return NGX_ERROR;
    }

    ctx->request_id.data = p;
    ctx->request_id.len = 2 * NGX_HTTP_JOBSCOUT_REQUEST_ID_BYTES;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_valid_request_id(ngx_str_t *id)
{
    u_char      ch;
    ngx_uint_t  i;

    if (id->len == 0 || id->len > NGX_HTTP_JOBSCOUT_REQUEST_ID_LEN) {
        return NGX_DECLINED;
    }

    for (i = 0; i < id->len; i++) {
        ch = id->data[i];

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
            || (ch >= '0' && ch <= '9')
            || ch == '-' || ch == '_' || ch == '.' || ch == ':')
        {
            continue;
        }

        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *body, size_t len)
{
    ngx_int_t                 rc;
    ngx_buf_t                *b;
    ngx_chain_t               out;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    r->headers_out.status = status;

    if (status == NGX_HTTP_JOBSCOUT_UNPROCESSABLE) {
        ngx_str_set(&r->headers_out.status_line, "422 Unprocessable Entity");
    }

    r->headers_out.content_type = ngx_http_jobscout_json_type;
    r->headers_out.content_type_len = sizeof("application/json") - 1;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = len;

    if (ngx_http_jobscout_cache_answer(r, ctx, status, body, len) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * Answers carry tokens, personal data, or what a user may see: none is
     * stored by a shared cache, and none by the client but those with an
     * ETag, which it asks again with If-None-Match (a 304 spares the
     * phone's data); the description every client gets alike is free.
     */

    if (ngx_http_jobscout_add_header(r, &ngx_http_jobscout_request_id_key,
                                     &ctx->request_id) != NGX_OK
        || ngx_http_jobscout_add_header(r, &ngx_http_jobscout_nosniff_key,
                                        &ngx_http_jobscout_nosniff) != NGX_OK
        || ((ctx->route == NULL
             || !(ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_PUBLIC))
            && ngx_http_jobscout_add_header(r, &ngx_http_jobscout_cache_key,
                                            r->headers_out.etag
                                            ? &ngx_http_jobscout_revalidate
                                            : &ngx_http_jobscout_no_store)
               != NGX_OK)
        || ngx_http_jobscout_cors_headers(r) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* the request's first header NAME, or NULL */

ngx_table_elt_t *
ngx_http_jobscout_header_in(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


ngx_int_t
ngx_http_jobscout_add_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key = *key;
    h->value = *value;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    u_char                   *body, *p;
    size_t                    len, mlen;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    mlen = ngx_strlen(message);

    /* nginx's own errors (error_page) are logged by nginx, as it sees fit */

    if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR && r->err_status == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: %ui %s: %s, request_id: %V", status, code,
                      message, &ctx->request_id);
    }

    if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_http_jobscout_error_report(r, status, code, message);
    }

    len = sizeof("{\"error\":{\"code\":\"\",\"message\":\"\","
                 "\"request_id\":\"\"}}") - 1
          + ngx_strlen(code)
          + ngx_http_jobscout_json_escaped_len((u_char *) message, mlen)
          + ctx->request_id.len;

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    /* codes are identifiers of ours, request ids are validated: no escaping */

    p = ngx_sprintf(body, "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
    p = ngx_http_jobscout_json_escape(p, (u_char *) message, mlen);
    p = ngx_sprintf(p, "\",\"request_id\":\"%V\"}}", &ctx->request_id);

    return ngx_http_jobscout_send_json(r, status, body, p - body);
}


void
ngx_http_jobscout_finalize(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t  *c;

    c = r->connection;

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


size_t
ngx_http_jobscout_json_escaped_len(u_char *src, size_t len)
{
    size_t  n;

    n = len;

    while (len--) {
        if (*src == '"' || *src == '\\') {
            n++;

        } else if (*src < 0x20) {
            n += sizeof("\\u00XX") - 2;
        }

        src++;
    }

    return n;
}


u_char *
ngx_http_jobscout_json_escape(u_char *dst, u_char *src, size_t len)
{
    while (len--) {
        if (*src == '"' || *src == '\\') {
            *dst++ = '\\';
            *dst++ = *src;

        } else if (*src < 0x20) {
            dst = ngx_sprintf(dst, "\\u%04xd", (int) *src);

        } else {
            *dst++ = *src;
        }

        src++;
    }

    return dst;
}
