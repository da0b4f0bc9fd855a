/*
 * Request bodies (ngx_module): the input is a body, parsed as the module
 * parses one (ngx_http_jobscout_json_parse), then, when it is an object,
 * handed to every body validator the routes use: registration (e-mail,
 * password, name), a user's preferences, an alert's notes and flags, an
 * admin's company (its slug made of the name) and URL, a source
 * definition (its adapter's config, selectors included).  Each must
 * refuse with a field named or accept a value that keeps its promise.
 */

#include "ngx_fuzz.h"

static const char  *allowed[] = { "email", "password", "full_name",
                                  "preferences", "notes", "is_read",
                                  NULL };

static void
fuzz_register(ngx_fuzz_request_t *fr)
{
    ngx_str_t                 email, password, name;
    ngx_http_jobscout_ctx_t  *ctx = &fr->ctx;

    (void) ngx_fuzz_checked(ctx, ngx_http_jobscout_body_allow(ctx, allowed));

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_body_string(&fr->r, ctx,
                                            "email", 3, 254, &email))
        == NGX_OK)
    {
        ngx_fuzz_printable(&email, 0);

        if (ngx_fuzz_checked(ctx, ngx_http_jobscout_check_email(ctx, &email))
            == NGX_OK
            && ngx_strlchr(email.data, email.data + email.len, '@') == NULL)
        {
            abort();
        }
    }

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_body_string(&fr->r, ctx,
                                            "password", 8, 72, &password))
        == NGX_OK)
    {
        ngx_fuzz_printable(&password, 0);
        (void) ngx_fuzz_checked(ctx,
                   ngx_http_jobscout_check_password(ctx, &password, NULL));
    }

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_body_string(&fr->r, ctx,
                                            "full_name", 1, 100, &name))
        == NGX_OK)
    {
        ngx_fuzz_printable(&name, 0);
    }
}

static void
fuzz_fields(ngx_fuzz_request_t *fr)
{
    json_t                   *prefs;
    ngx_str_t                 notes;
    const char               *flag;
    ngx_http_jobscout_ctx_t  *ctx = &fr->ctx;

    prefs = json_object_get(ctx->body, "preferences");
    if (prefs) {
        (void) ngx_fuzz_checked(ctx,
                   ngx_http_jobscout_check_preferences(&fr->r, ctx, prefs));
    }

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_body_text(&fr->r, ctx,
                                            "notes", 2000, &notes))
        == NGX_OK
        && notes.data != NULL)
    {
        ngx_fuzz_printable(&notes, 1);
    }

    (void) ngx_fuzz_checked(ctx, ngx_http_jobscout_body_boolean(ctx,
                                                        "is_read", &flag));
}

static void
fuzz_admin(ngx_fuzz_request_t *fr)
{
    ngx_str_t                 slug;
    ngx_uint_t                create;
    const char               *url, *fields[5];
    ngx_http_jobscout_ctx_t  *ctx = &fr->ctx;

    /* a company's creation makes a slug of the name when none is sent */

    for (create = 0; create < 2; create++) {
        ngx_memzero(fields, sizeof(fields));

        if (ngx_fuzz_checked(ctx, ngx_http_jobscout_admin_company_body(
                                      &fr->r, ctx, fields, create))
            == NGX_OK
            && fields[1] != NULL)
        {
            slug.data = (u_char *) fields[1];
            slug.len = ngx_strlen(fields[1]);

            if (ngx_http_jobscout_valid_slug(&slug) != NGX_OK) {
                abort();
            }
        }
    }

    if (ngx_fuzz_checked(ctx, ngx_http_jobscout_admin_body_url(&fr->r, ctx,
                                    "careers_url",
                                    NGX_HTTP_JOBSCOUT_ADMIN_URL_NULLABLE,
                                    &url))
        == NGX_OK
        && url != NULL && url[0] != '\0'
        && ngx_strncasecmp((u_char *) url, (u_char *) "http", 4) != 0)
    {
        abort();
    }

    /* last: a source definition may add its default config to the body */

    ngx_memzero(fields, sizeof(fields));

    (void) ngx_fuzz_checked(ctx,
               ngx_http_jobscout_admin_source_trial(&fr->r, ctx, fields));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t              *body;
    ngx_fuzz_request_t   fr;
    u_char               message[NGX_MAX_ERROR_STR];

    body = ngx_http_jobscout_json_parse((u_char *) data, size, message,
                                        sizeof(message));
    if (body == NULL) {
        /* answered as a C string */
        if (memchr(message, '\0', sizeof(message)) == NULL) {
            abort();
        }

        return 0;
    }

    if (json_is_object(body)) {
        ngx_fuzz_request_init(&fr, NULL);
        fr.ctx.body = body;

        fuzz_register(&fr);
        fuzz_fields(&fr);
        fuzz_admin(&fr);

        ngx_fuzz_request_free(&fr);
    }

    json_decref(body);
    return 0;
}
