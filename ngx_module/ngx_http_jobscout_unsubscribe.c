
/*
 * Job Scout: POST /api/v1/unsubscribe?token=...: a job mail's one-click
 * unsubscribe.  The mail's List-Unsubscribe URL (RFC 8058: a mail client
 * POSTs "List-Unsubscribe=One-Click" there; the body is not needed, not
 * read) and the /unsubscribe page's button.  The token is signed by the
 * mailer (workers/lib/unsubscribe.h) under the key of
 * jobscout_webhook_key_file, and names the address: no e-mail about jobs
 * goes there any more (preferences.notifications.email false).  Doing it
 * twice does no harm; a GET does nothing (405): a link scanner that
 * fetches every URL of a mail unsubscribes no one.
 */


#include "ngx_http_jobscout.h"
#include "unsubscribe.h"


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[1];
    char                            addr[JS_UNSUB_ADDR_MAX + 1];
} ngx_http_jobscout_unsubscribe_t;


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_unsubscribe_stmt = {
    "unsubscribe",
    "UPDATE users"
    "   SET preferences = jsonb_set(preferences, '{notifications}',"
    "           CASE WHEN jsonb_typeof(preferences -> 'notifications')"
    "                     = 'object'"
    "                THEN preferences -> 'notifications' ELSE '{}' END"
    "           || '{\"email\": false}')"
    " WHERE lower(email) = lower($1) AND deleted_at IS NULL"
    " RETURNING json_build_object('email', email,"
    "           'email_alerts', false)::text",
    1, 0
};


ngx_int_t
ngx_http_jobscout_unsubscribe(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_str_t                        *token;
    ngx_http_jobscout_arg_t           args[1];
    ngx_http_jobscout_main_conf_t    *jmcf;
    ngx_http_jobscout_unsubscribe_t  *st;

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "token", 1 }, { NULL, 0 }
    };

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    ngx_memzero(args, sizeof(args));

    if (ngx_http_jobscout_args_parse(r, ctx, specs, args) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[0].n == 0) {
        return ngx_http_jobscout_invalid(r, "token", "token: is required");
    }

    if (jmcf->webhook_key.len == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "unavailable",
                                            "unsubscribe links need "
                                            "jobscout_webhook_key_file");
    }

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_unsubscribe_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    token = &args[0].values[0];

    if (js_unsubscribe_check(jmcf->webhook_key.data, (char *) token->data,
                             token->len, st->addr)
        != 0)
    {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                            "invalid_token",
                                            "the link is not one of our "
                                            "mails'");
    }

    ctx->data = st;
    st->values[0] = st->addr;
    st->query.values = st->values;
    st->query.data = "no account has this address any more";
    st->query.stmt = &ngx_http_jobscout_unsubscribe_stmt;
    st->query.handler = ngx_http_jobscout_pg_json_done;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}
