/*
 * Shared by the libFuzzer targets of the nginx module (fuzz_ngx_*.c): a
 * request as the module's parsers see it, with one pool per input
 * (ngx_shim.c), and the promise every validator makes.
 */

#ifndef NGX_FUZZ_H
#define NGX_FUZZ_H

#include "ngx_http_jobscout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ngx_time() from now on (ngx_shim.c) */
void ngx_fuzz_set_time(time_t sec);

typedef struct {
    ngx_http_request_t        r;
    ngx_http_jobscout_ctx_t   ctx;
    void                     *main_conf[1];
} ngx_fuzz_request_t;

/* conf: the module's main configuration, or NULL when none is read */
static inline void
ngx_fuzz_request_init(ngx_fuzz_request_t *fr, void *conf)
{
    ngx_memzero(fr, sizeof(ngx_fuzz_request_t));
    fr->r.pool = ngx_create_pool(4096, NULL);
    fr->main_conf[0] = conf;
    fr->r.main_conf = fr->main_conf;
    ngx_str_set(&fr->ctx.request_id, "fuzz");
}

static inline void
ngx_fuzz_request_free(ngx_fuzz_request_t *fr)
{
    ngx_destroy_pool(fr->r.pool);
}

/*
 * A validator answers NGX_OK, or NGX_DECLINED with the refused field and
 * why in ctx: a refusal without them would be a 500, not a 422.  Resets
 * the refusal for the next validator.
 */
static inline ngx_int_t
ngx_fuzz_checked(ngx_http_jobscout_ctx_t *ctx, ngx_int_t rc)
{
    if (rc == NGX_DECLINED
        && (ctx->invalid_field == NULL || ctx->invalid_message == NULL))
    {
        abort();
    }

    if (rc != NGX_OK && rc != NGX_DECLINED) {
        abort();
    }

    ctx->invalid_field = NULL;
    ctx->invalid_message = NULL;

    return rc;
}

/* s: len bytes and a NUL, none of them a control character */
static inline void
ngx_fuzz_printable(ngx_str_t *s, ngx_uint_t lines)
{
    size_t  i;

    if (s->data[s->len] != '\0') {
        abort();
    }

    for (i = 0; i < s->len; i++) {
        if (lines && (s->data[i] == '\n' || s->data[i] == '\r'
                      || s->data[i] == '\t'))
        {
            continue;
        }

        if (s->data[i] < 0x20 || s->data[i] == 0x7f) {
            abort();
        }
    }
}

#endif
