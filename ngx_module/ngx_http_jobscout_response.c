
/*
 * Job Scout: the request context, X-Request-Id, and JSON responses.  Every
 * answer of the API, errors included, is JSON and carries X-Request-Id.
 */


#include "ngx_http_jobscout.h"

#include <openssl/rand.h>


static ngx_int_t ngx_http_jobscout_request_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_valid_request_id(ngx_str_t *id);


static ngx_str_t  ngx_http_jobscout_json_type =
    ngx_string("application/json; charset=utf-8");

static u_char      ngx_http_jobscout_id_prefix[8];
static ngx_pid_t   ngx_http_jobscout_id_pid;
static uint64_t    ngx_http_jobscout_id_counter;


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
    u_char           *p, counter[8];
    uint64_t          n;
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
     * A missing or unusable id is replaced, never echoed back raw.  Ids need
     * to be unique, not secret: a random prefix per worker process and a
     * counter, rather than RAND_bytes() on every request.
     */

    if (ngx_http_jobscout_id_pid != ngx_pid) {
        if (RAND_bytes(ngx_http_jobscout_id_prefix,
                       sizeof(ngx_http_jobscout_id_prefix)) != 1)
        {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "jobscout: RAND_bytes() failed");
            return NGX_ERROR;
        }

        ngx_http_jobscout_id_pid = ngx_pid;
    }

    n = ngx_http_jobscout_id_counter++;

    for (i = 0; i < sizeof(counter); i++) {
        counter[sizeof(counter) - 1 - i] = (u_char) (n >> (8 * i));
    }

    p = ngx_pnalloc(r->pool, 2 * (sizeof(ngx_http_jobscout_id_prefix)
                                  + sizeof(counter)));
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->request_id.data = p;
    p = ngx_hex_dump(p, ngx_http_jobscout_id_prefix,
                     sizeof(ngx_http_jobscout_id_prefix));
    p = ngx_hex_dump(p, counter, sizeof(counter));
    ctx->request_id.len = p - ctx->request_id.data;

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
    ngx_table_elt_t          *h;
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

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "X-Request-Id");
    h->value = ctx->request_id;

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
