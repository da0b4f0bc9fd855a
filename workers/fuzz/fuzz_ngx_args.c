/*
 * Query strings (ngx_module): the input is a query string, read as the
 * job listing reads its own (ngx_http_jobscout_jobs_parse: limits,
 * filters, dates, a cursor and its rank), for the whole board and for a
 * company's page, then against a spec of every argument type the other
 * routes take.  A refusal names the argument; an accepted value is a
 * NUL-terminated string.
 */

#include "ngx_fuzz.h"

static ngx_http_jobscout_arg_spec_t  specs[] = {
    { "limit", 1 }, { "cursor", 1 }, { "flag", 1 }, { "n", 3 },
    { "at", 1 }, { "id", 2 }, { NULL, 0 }
};

static void
fuzz_listing(ngx_fuzz_request_t *fr, ngx_str_t *company)
{
    ngx_int_t    rc;
    ngx_uint_t   i, kind;
    const char  *values[NGX_HTTP_JOBSCOUT_JOBS_NPARAMS];

    ngx_memzero(values, sizeof(values));
    kind = (ngx_uint_t) -1;

    rc = ngx_http_jobscout_jobs_parse(&fr->r, &fr->ctx, company, values,
                                      &kind);

    if (ngx_fuzz_checked(&fr->ctx, rc) == NGX_OK) {
        if (kind > 3 || values[0] == NULL) {
            abort();
        }

        for (i = 0; i < NGX_HTTP_JOBSCOUT_JOBS_NPARAMS; i++) {
            if (values[i]) {
                (void) strlen(values[i]);
            }
        }
    }
}

static void
fuzz_types(ngx_fuzz_request_t *fr)
{
    int64_t                   micros;
    ngx_int_t                 limit, n;
    ngx_uint_t                i;
    const char               *flag;
    ngx_http_jobscout_arg_t   args[sizeof(specs) / sizeof(specs[0])];
    ngx_http_jobscout_ctx_t  *ctx = &fr->ctx;

    ngx_memzero(args, sizeof(args));

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_args_parse(&fr->r, ctx,
                                                           specs, args))
        != NGX_OK)
    {
        return;
    }

    for (i = 0; specs[i].name; i++) {
        if (args[i].n > specs[i].max) {
            abort();
        }

        for (n = 0; n < (ngx_int_t) args[i].n; n++) {
            ngx_fuzz_printable(&args[i].values[n], 0);
        }
    }

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_arg_limit(&fr->r, ctx,
                                                 &args[0], 20, 100, &limit))
        == NGX_OK
        && (limit < 1 || limit > 100))
    {
        abort();
    }

    (void) ngx_fuzz_checked(ctx, ngx_http_jobscout_arg_flag(ctx, &args[2],
                                                            "flag", &flag));

    for (i = 0; i < args[3].n; i++) {
        if (ngx_fuzz_checked(ctx, ngx_http_jobscout_arg_int(ctx, "n",
                                        &args[3].values[i], -5, 999999, &n))
            == NGX_OK
            && (n < -5 || n > 999999))
        {
            abort();
        }
    }

    if (args[4].n) {
        (void) ngx_fuzz_checked(ctx, ngx_http_jobscout_arg_time(ctx, "at",
                                               &args[4].values[0], &micros));
    }

    for (i = 0; i < args[5].n; i++) {
        (void) ngx_http_jobscout_valid_uuid(&args[5].values[i]);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char              *copy;
    ngx_str_t            company = ngx_string("acme-corp");
    ngx_fuzz_request_t   fr;

    ngx_fuzz_request_init(&fr, NULL);

    /* nginx's r->args: not NUL-terminated */
    copy = ngx_pnalloc(fr.r.pool, size);
    ngx_memcpy(copy, data, size);
    fr.r.args.data = copy;
    fr.r.args.len = size;

    fuzz_listing(&fr, NULL);
    fuzz_listing(&fr, &company);
    fuzz_types(&fr);
    (void) ngx_fuzz_checked(&fr.ctx, ngx_http_jobscout_args_none(&fr.r,
                                                                 &fr.ctx));

    ngx_fuzz_request_free(&fr);
    return 0;
}
