
/*
 * Job Scout: JSON request bodies (read, size- and type-checked, parsed with
 * jansson) and JSON answers built by jansson or by PostgreSQL.
 */


#include "ngx_http_jobscout.h"


static void ngx_http_jobscout_body_read_handler(ngx_http_request_t *r);
static void ngx_http_jobscout_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_parse_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_int_t *rc);
static void ngx_http_jobscout_json_cleanup(void *data);


ngx_int_t
ngx_http_jobscout_read_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t                  rc;
    ngx_str_t                 *type;
    const char                *refused;
    ngx_http_core_loc_conf_t  *clcf;

    type = r->headers_in.content_type ? &r->headers_in.content_type->value
                                      : NULL;

    /*
     * a RAW route takes the body as it comes (a board's own payload), a
     * FILE route a CV's types
     */

    if (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_FILE) {
        refused = (ngx_http_jobscout_cv_media_type(r) != NGX_OK)
                  ? "send the file as multipart/form-data, or as"
                    " application/pdf or the DOCX type"
                  : NULL;

    } else if (!(ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_RAW)
               && (type == NULL
                   || type->len < sizeof("application/json") - 1
                   || ngx_strncasecmp(type->data,
                                      (u_char *) "application/json",
                                      sizeof("application/json") - 1) != 0
                   || (type->len > sizeof("application/json") - 1
                       && type->data[sizeof("application/json") - 1]
                          != ';')))
    {
        refused = "the body must be application/json";

    } else {
        refused = NULL;
    }

    if (refused) {
        /* the body unread would be taken for the next request */

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_jobscout_send_error(r,
                                        NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                        "unsupported_media_type", refused);
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /* nginx would answer its own HTML page: refuse here, in JSON */

    if (clcf->client_max_body_size
        && r->headers_in.content_length_n > clcf->client_max_body_size)
    {
        r->keepalive = 0;
        return ngx_http_jobscout_send_error(r,
                                        NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                        "payload_too_large",
                                        "the body is too large");
    }

    if (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_FILE) {
        /* a file is written to disk as it comes, never held whole */
        r->request_body_in_file_only = 1;
        r->request_body_in_clean_file = 1;

    } else {
        r->request_body_in_single_buf = 1;
    }

    ctx->reading_body = 1;

    rc = ngx_http_read_client_request_body(r, ngx_http_jobscout_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        ctx->reading_body = 0;

        if (rc == NGX_HTTP_CLOSE || rc == NGX_HTTP_CLIENT_CLOSED_REQUEST) {
            return rc;
        }

        r->keepalive = 0;
        return ngx_http_jobscout_send_error(r, rc,
                   rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
                   ? "payload_too_large" : "bad_request",
                   rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
                   ? "the body is too large" : "the body cannot be read");
    }

    if (rc == NGX_AGAIN) {
        /* the rest of the body comes later: its time-out answered here */
        ctx->read_body = r->read_event_handler;
        r->read_event_handler = ngx_http_jobscout_body_read_handler;
    }

    return NGX_DONE;
}


/*
 * nginx closes a connection whose body stops coming without a word: the
 * client is told, in JSON, before it is closed.
 */

static void
ngx_http_jobscout_body_read_handler(ngx_http_request_t *r)
{
    ngx_int_t                 rc;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (!r->connection->read->timedout) {
        ctx->read_body(r);
        return;
    }

    r->read_event_handler = ngx_http_block_reading;
    r->keepalive = 0;

    rc = ngx_http_jobscout_send_error(r, NGX_HTTP_REQUEST_TIME_OUT,
                                      "request_timeout",
                                      "the body took too long to arrive");

    /* balances the reference ngx_http_read_client_request_body() took */
    ngx_http_finalize_request(r, rc);
}


static void
ngx_http_jobscout_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                 rc;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_parse_body(r, ctx, &rc) == NGX_OK) {
        rc = ngx_http_jobscout_route_continue(r, ctx);
    }

    if (rc == NGX_DONE) {
        /* a client that goes away frees its request and its query */
        r->read_event_handler = ngx_http_test_reading;
        r->write_event_handler = ngx_http_request_empty_handler;
        return;
    }

    /* balances the reference ngx_http_read_client_request_body() took */
    ngx_http_finalize_request(r, rc);
}


/* NGX_OK: ctx->body is the object; else answered, *rc is the answer's */

static ngx_int_t
ngx_http_jobscout_parse_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_int_t *rc)
{
    u_char              *data, *p;
    size_t               len;
    ssize_t              n;
    json_t              *json;
    ngx_buf_t           *b;
    ngx_chain_t         *cl;
    ngx_pool_cleanup_t  *cln;
    u_char               message[NGX_MAX_ERROR_STR];

    if (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_FILE) {
        return NGX_OK;              /* the handler reads it, in a thread */
    }

    if (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_RAW
        && (r->request_body == NULL || r->request_body->bufs == NULL))
    {
        ngx_str_set(&ctx->raw, "");
        return NGX_OK;
    }

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        *rc = ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                           "invalid_json",
                                           "a JSON object is required");
        return NGX_DECLINED;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    *rc = NGX_HTTP_INTERNAL_SERVER_ERROR;

    data = ngx_pnalloc(r->pool, len + 1);
    if (data == NULL) {
        return NGX_DECLINED;
    }

    p = data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            /* a body larger than client_body_buffer_size: a small file */
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_DECLINED;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    if (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_RAW) {
        ctx->raw.data = data;
        ctx->raw.len = p - data;
        return NGX_OK;
    }

    json = ngx_http_jobscout_json_parse(data, p - data, message,
                                        sizeof(message));

    if (json == NULL) {
        *rc = ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                           "invalid_json", (char *) message);
        return NGX_DECLINED;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(json);
        return NGX_DECLINED;
    }

    cln->handler = ngx_http_jobscout_json_cleanup;
    cln->data = json;

    if (!json_is_object(json)) {
        *rc = ngx_http_jobscout_send_error(r,
                                           NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                           "validation_failed",
                                           "the body must be a JSON object");
        return NGX_DECLINED;
    }

    ctx->body = json;

    return NGX_OK;
}


json_t *
ngx_http_jobscout_json_parse(u_char *data, size_t len, u_char *message,
    size_t size)
{
    json_t        *json;
    json_error_t   error;

    /* any value: one that is not an object is valid JSON, refused by 422 */
    json = json_loadb((char *) data, len,
                      JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);

    if (json == NULL) {
        (void) ngx_snprintf(message, size - 1,
                            "invalid JSON at line %d, column %d: %s%Z",
                            error.line, error.column, error.text);
    }

    return json;
}


static void
ngx_http_jobscout_json_cleanup(void *data)
{
    json_decref(data);
}


ngx_int_t
ngx_http_jobscout_send_jansson(ngx_http_request_t *r, ngx_uint_t status,
    json_t *json)
{
    u_char  *body;
    size_t   len;

    len = json_dumpb(json, NULL, 0, JSON_COMPACT);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_ERROR;
    }

    if (json_dumpb(json, (char *) body, len, JSON_COMPACT) != len) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_send_json(r, status, body, len);
}


/*
 * A task of workers/lib/jobscout_task.h's format, compact, for jobscoutd;
 * id: its 32 hex digits.  args is taken.  NULL when out of memory; the
 * caller free()s it.
 */

char *
ngx_http_jobscout_task_json(const char *kind, json_t *args, u_char *id)
{
    char        *payload;
    json_t      *task;
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    task = json_pack("{s:s%,s:s,s:o,s:i,s:I}",
                     "id", id, (size_t) 32,
                     "kind", kind,
                     "args", args,
                     "attempt", 0,
                     "enqueued_at",
                         (json_int_t) tp->sec * 1000 + tp->msec);
    payload = task ? json_dumps(task, JSON_COMPACT) : NULL;
    json_decref(task);

    return payload;
}


/* a value kept past the result, which goes when its handler returns */

ngx_int_t
ngx_http_jobscout_pg_copy(ngx_pool_t *pool, PGresult *res, int col,
    ngx_str_t *value)
{
    value->len = PQgetlength(res, 0, col);

    value->data = ngx_pnalloc(pool, value->len);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(value->data, PQgetvalue(res, 0, col), value->len);

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_send_pg_json(ngx_http_request_t *r, ngx_uint_t status,
    PGresult *res)
{
    ngx_str_t  body;

    /* one row, one column: the document PostgreSQL built */

    if (ngx_http_jobscout_pg_copy(r->pool, res, 0, &body) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_send_json(r, status, body.data, body.len);
}


/*
 * The handler of a lookup whose one row is the JSON to answer: no row is
 * a 404, its message in q->data.
 */

void
ngx_http_jobscout_pg_json_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = q->request;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = ngx_http_jobscout_pg_send_error(r, q, res);

    } else if (PQntuples(res) == 0) {
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                          q->data);

    } else {
        rc = ngx_http_jobscout_send_pg_json(r, NGX_HTTP_OK, res);
    }

    ngx_http_jobscout_finalize(r, rc);
}


ngx_int_t
ngx_http_jobscout_invalid(ngx_http_request_t *r, const char *field,
    const char *message)
{
    json_t                   *json;
    ngx_int_t                 rc;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    json = json_pack("{s:{s:s,s:s++,s:s,s:s%}}", "error",
                     "code", "validation_failed",
                     "message", field, ": ", message,
                     "field", field,
                     "request_id", ctx->request_id.data,
                     ctx->request_id.len);
    if (json == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                        json);
    json_decref(json);

    return rc;
}


/*
 * Validation: a validator records the first refused field in ctx and
 * returns NGX_DECLINED; the handler answers it with one 422.
 */

ngx_int_t
ngx_http_jobscout_body_refuse(ngx_http_jobscout_ctx_t *ctx,
    const char *field, const char *message)
{
    ctx->invalid_field = field;
    ctx->invalid_message = message;

    return NGX_DECLINED;
}


ngx_int_t
ngx_http_jobscout_body_allow(ngx_http_jobscout_ctx_t *ctx,
    const char **allowed)
{
    void         *it;
    const char   *key, **a;

    for (it = json_object_iter(ctx->body); it;
         it = json_object_iter_next(ctx->body, it))
    {
        key = json_object_iter_key(it);

        for (a = allowed; *a; a++) {
            if (ngx_strcmp(*a, key) == 0) {
                break;
            }
        }

        if (*a == NULL) {
            /* the key lives as long as ctx->body, the request */
            return ngx_http_jobscout_body_refuse(ctx, key, "unknown field");
        }
    }

    return NGX_OK;
}


/* a required string of min..max characters, without control characters */

ngx_int_t
ngx_http_jobscout_body_string(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, size_t min, size_t max,
    ngx_str_t *value)
{
    u_char   *p;
    size_t    i, len;
    json_t   *v;

    v = json_object_get(ctx->body, name);

    if (v == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, name, "is required");
    }

    if (!json_is_string(v)) {
        return ngx_http_jobscout_body_refuse(ctx, name, "must be a string");
    }

    p = (u_char *) json_string_value(v);
    len = json_string_length(v);

    for (i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            return ngx_http_jobscout_body_refuse(ctx, name,
                                            "has a control character");
        }
    }

    /* jansson holds valid UTF-8 only: count characters, not bytes */

    if (ngx_utf8_length(p, len) < min || ngx_utf8_length(p, len) > max) {
        return ngx_http_jobscout_body_refuse(ctx, name, "has a wrong length");
    }

    value->len = len;
    value->data = ngx_pnalloc(r->pool, len + 1);
    if (value->data == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    *ngx_cpymem(value->data, p, len) = '\0';

    return NGX_OK;
}


/*
 * The bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069)
 * and the line and paragraph separators (U+2028, U+2029), as UTF-8: one
 * left open in a name turns what follows it around, a mail's words too.
 */

ngx_int_t
ngx_http_jobscout_check_name(ngx_http_jobscout_ctx_t *ctx, const char *name,
    ngx_str_t *value)
{
    u_char  *p, *end;

    end = value->data + value->len;

    for (p = value->data; p + 2 < end; p++) {
        if (p[0] == 0xe2
            && ((p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae)
                || (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
        {
            return ngx_http_jobscout_body_refuse(ctx, name,
                                    "has a direction or line control");
        }
    }

    return NGX_OK;
}


/* an optional true or false: *value "t", "f", or NULL when absent */

ngx_int_t
ngx_http_jobscout_body_boolean(ngx_http_jobscout_ctx_t *ctx,
    const char *name, const char **value)
{
    json_t  *v;

    v = json_object_get(ctx->body, name);

    if (v == NULL) {
        *value = NULL;
        return NGX_OK;
    }

    if (!json_is_boolean(v)) {
        return ngx_http_jobscout_body_refuse(ctx, name,
                                             "must be true or false");
    }

    *value = json_is_true(v) ? "t" : "f";

    return NGX_OK;
}


/*
 * Optional free text of up to max characters, lines and tabs allowed:
 * value->data is NULL when absent, "" for null or an empty string.
 */

ngx_int_t
ngx_http_jobscout_body_text(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, size_t max,
    ngx_str_t *value)
{
    u_char  *p;
    size_t   i, len;
    json_t  *v;

    v = json_object_get(ctx->body, name);

    if (v == NULL) {
        value->data = NULL;
        value->len = 0;
        return NGX_OK;
    }

    if (json_is_null(v)) {
        ngx_str_set(value, "");
        return NGX_OK;
    }

    if (!json_is_string(v)) {
        return ngx_http_jobscout_body_refuse(ctx, name,
                                             "must be a string or null");
    }

    p = (u_char *) json_string_value(v);
    len = json_string_length(v);

    for (i = 0; i < len; i++) {
        if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
            continue;
        }

        if (p[i] < 0x20 || p[i] == 0x7f) {
            return ngx_http_jobscout_body_refuse(ctx, name,
                                            "has a control character");
        }
    }

    if (ngx_utf8_length(p, len) > max) {
        return ngx_http_jobscout_body_refuse(ctx, name, "is too long");
    }

    value->len = len;
    value->data = ngx_pnalloc(r->pool, len + 1);
    if (value->data == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    *ngx_cpymem(value->data, p, len) = '\0';

    return NGX_OK;
}


/* the field a validator refused; NGX_ERROR when it ran out of memory */

ngx_int_t
ngx_http_jobscout_send_invalid(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    if (ctx->invalid_field == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_invalid(r, ctx->invalid_field,
                                     ctx->invalid_message);
}
