#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fcm.h"
#include "log.h"
#include "mail.h"
#include "util.h"

#define JS_CONF_MAX_ARGS   8
#define JS_CONF_MAX_SIZE   (1024 * 1024)

typedef struct {
    js_conf_t          *cf;
    const char *const  *roles;
    int                 line;
    uint64_t            seen;      /* bit per directive, for duplicates */
    char               *err;
    size_t              errlen;
} js_conf_ctx_t;

typedef int (*js_conf_handler_pt)(js_conf_ctx_t *ctx, char **args,
    int nargs);

typedef struct {
    const char          *name;
    int                  min_args;
    int                  max_args;
    int                  once;
    js_conf_handler_pt   handler;
} js_conf_directive_t;

static int js_conf_set_pid(js_conf_ctx_t *ctx, char **args, int nargs);
static int js_conf_set_error_log(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_log_format(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_postgres(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_redis(js_conf_ctx_t *ctx, char **args, int nargs);
static int js_conf_set_workers(js_conf_ctx_t *ctx, char **args, int nargs);
static int js_conf_set_shutdown_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_url(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_from(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_starttls(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_user(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_password(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_tls_verify(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_smtp_connect_timeout(js_conf_ctx_t *ctx,
    char **args, int nargs);
static int js_conf_set_smtp_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_public_base_url(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_mail_max_attempts(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_mail_backoff(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_service_account(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_base_url(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_ca_file(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_max_in_flight(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_max_attempts(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_fcm_backoff(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_push_claim_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_digest_interval(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_contact_url(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_connect_timeout(js_conf_ctx_t *ctx,
    char **args, int nargs);
static int js_conf_set_scrape_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_max_redirects(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_max_body(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_concurrency(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_expire_after(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_host_delay(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_robots_ttl(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_adzuna_app_id(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_adzuna_app_key(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_adzuna_base_url(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_intervals(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scrape_jitter(js_conf_ctx_t *ctx, char **args,
    int nargs);
static int js_conf_set_scheduler_interval(js_conf_ctx_t *ctx, char **args,
    int nargs);

static const js_conf_directive_t  js_conf_directives[] = {
    { "pid",              1, 1, 1, js_conf_set_pid },
    { "error_log",        1, 2, 1, js_conf_set_error_log },
    { "log_format",       1, 1, 1, js_conf_set_log_format },
    { "postgres",         1, 1, 1, js_conf_set_postgres },
    { "redis",            1, 1, 1, js_conf_set_redis },
    /* Repeated once per role; duplicates are checked per role. */
    { "workers",          2, 2, 0, js_conf_set_workers },
    { "shutdown_timeout", 1, 1, 1, js_conf_set_shutdown_timeout },
    { "smtp_url",         1, 1, 1, js_conf_set_smtp_url },
    { "smtp_from",        1, 1, 1, js_conf_set_smtp_from },
    { "smtp_starttls",    1, 1, 1, js_conf_set_smtp_starttls },
    { "smtp_user",        1, 1, 1, js_conf_set_smtp_user },
    { "smtp_password",    1, 1, 1, js_conf_set_smtp_password },
    { "smtp_tls_verify",  1, 1, 1, js_conf_set_smtp_tls_verify },
    { "smtp_connect_timeout", 1, 1, 1, js_conf_set_smtp_connect_timeout },
    { "smtp_timeout",     1, 1, 1, js_conf_set_smtp_timeout },
    { "public_base_url",  1, 1, 1, js_conf_set_public_base_url },
    { "mail_max_attempts", 1, 1, 1, js_conf_set_mail_max_attempts },
    { "mail_backoff",     2, 2, 1, js_conf_set_mail_backoff },
    { "scrape_contact_url", 1, 1, 1, js_conf_set_scrape_contact_url },
    { "scrape_connect_timeout", 1, 1, 1,
      js_conf_set_scrape_connect_timeout },
    { "scrape_timeout",   1, 1, 1, js_conf_set_scrape_timeout },
    { "scrape_max_redirects", 1, 1, 1, js_conf_set_scrape_max_redirects },
    { "scrape_max_body",  1, 1, 1, js_conf_set_scrape_max_body },
    { "scrape_concurrency", 1, 1, 1, js_conf_set_scrape_concurrency },
    { "scrape_expire_after", 1, 1, 1, js_conf_set_scrape_expire_after },
    { "scrape_host_delay", 1, 1, 1, js_conf_set_scrape_host_delay },
    { "scrape_robots_ttl", 1, 1, 1, js_conf_set_scrape_robots_ttl },
    { "adzuna_app_id",    1, 1, 1, js_conf_set_adzuna_app_id },
    { "adzuna_app_key",   1, 1, 1, js_conf_set_adzuna_app_key },
    { "adzuna_base_url",  1, 1, 1, js_conf_set_adzuna_base_url },
    { "scrape_intervals", 2, 2, 1, js_conf_set_scrape_intervals },
    { "scrape_jitter",    1, 1, 1, js_conf_set_scrape_jitter },
    { "scheduler_interval", 1, 1, 1, js_conf_set_scheduler_interval },
    { "fcm_service_account", 1, 1, 1, js_conf_set_fcm_service_account },
    { "fcm_base_url",     1, 1, 1, js_conf_set_fcm_base_url },
    { "fcm_ca_file",      1, 1, 1, js_conf_set_fcm_ca_file },
    { "fcm_max_in_flight", 1, 1, 1, js_conf_set_fcm_max_in_flight },
    { "fcm_timeout",      1, 1, 1, js_conf_set_fcm_timeout },
    { "fcm_max_attempts", 1, 1, 1, js_conf_set_fcm_max_attempts },
    { "fcm_backoff",      2, 2, 1, js_conf_set_fcm_backoff },
    { "push_claim_timeout", 1, 1, 1, js_conf_set_push_claim_timeout },
    { "digest_interval",  1, 1, 1, js_conf_set_digest_interval },
};

static int
js_conf_error(js_conf_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Every message ends with "in file:line", the way nginx -t reports. */
static int
js_conf_error(js_conf_ctx_t *ctx, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    va_start(ap, fmt);
    n = vsnprintf(ctx->err, ctx->errlen, fmt, ap);
    va_end(ap);

    if (n >= 0 && (size_t) n < ctx->errlen) {
        if (ctx->line > 0) {
            snprintf(ctx->err + n, ctx->errlen - n, " in %s:%d",
                     ctx->cf->file, ctx->line);
        } else {
            snprintf(ctx->err + n, ctx->errlen - n, " in %s",
                     ctx->cf->file);
        }
    }
    return -1;
}

static char *
js_conf_path(const char *prefix, const char *path)
{
    size_t  plen, len;
    char   *p;

    if (path[0] == '/') {
        return strdup(path);
    }

    plen = strlen(prefix);
    len = strlen(path);

    p = malloc(plen + len + 1);
    if (p != NULL) {
        memcpy(p, prefix, plen);
        memcpy(p + plen, path, len + 1);
    }
    return p;
}

static int
js_conf_oom(js_conf_ctx_t *ctx)
{
    return js_conf_error(ctx, "out of memory");
}

int
js_conf_parse_msec(const char *s, int *ms)
{
    long long   v = 0, mul;
    const char *p = s;

    if (*p < '0' || *p > '9') {
        return -1;
    }

    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > INT_MAX) {
            return -1;
        }
    }

    if (*p == '\0' || strcmp(p, "s") == 0) {
        mul = 1000;
    } else if (strcmp(p, "ms") == 0) {
        mul = 1;
    } else if (strcmp(p, "m") == 0) {
        mul = 60 * 1000;
    } else if (strcmp(p, "h") == 0) {
        mul = 3600 * 1000;
    } else {
        return -1;
    }

    if (v * mul > INT_MAX) {
        return -1;
    }

    *ms = (int) (v * mul);
    return 0;
}

static int
js_conf_set_pid(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    free(ctx->cf->pid);
    ctx->cf->pid = js_conf_path(ctx->cf->prefix, args[0]);
    return ctx->cf->pid ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_error_log(js_conf_ctx_t *ctx, char **args, int nargs)
{
    int  level = JS_LOG_INFO;

    if (nargs == 2) {
        level = js_log_level_parse(args[1]);
        if (level < 0) {
            return js_conf_error(ctx, "invalid log level \"%s\"", args[1]);
        }
    }
    ctx->cf->log_level = level;

    if (strcmp(args[0], "stderr") == 0) {
        return 0;
    }

    ctx->cf->error_log = js_conf_path(ctx->cf->prefix, args[0]);
    return ctx->cf->error_log ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_log_format(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    if (strcmp(args[0], "kv") == 0) {
        ctx->cf->log_format = JS_LOG_FORMAT_KV;
    } else if (strcmp(args[0], "json") == 0) {
        ctx->cf->log_format = JS_LOG_FORMAT_JSON;
    } else {
        return js_conf_error(ctx, "invalid log format \"%s\", "
                             "expecting \"kv\" or \"json\"", args[0]);
    }
    return 0;
}

static int
js_conf_set_postgres(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    if (args[0][0] == '\0') {
        return js_conf_error(ctx, "empty \"postgres\" conninfo");
    }

    ctx->cf->postgres = strdup(args[0]);
    return ctx->cf->postgres ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_redis(js_conf_ctx_t *ctx, char **args, int nargs)
{
    char        *a = args[0], *colon, *end;
    const char  *host;
    size_t       hlen;
    long         port;

    (void) nargs;

    if (strncmp(a, "unix:", 5) == 0) {
        if (a[5] == '\0') {
            return js_conf_error(ctx, "invalid redis address \"%s\"", a);
        }
        ctx->cf->redis_path = js_conf_path(ctx->cf->prefix, a + 5);
        return ctx->cf->redis_path ? 0 : js_conf_oom(ctx);
    }

    /* "[::1]:6379" for IPv6, "host:6379" otherwise. */
    if (a[0] == '[') {
        end = strchr(a, ']');
        if (end == NULL || end[1] != ':') {
            return js_conf_error(ctx, "invalid redis address \"%s\", "
                                 "expecting host:port or unix:path", a);
        }
        host = a + 1;
        hlen = end - host;
        colon = end + 1;

    } else {
        colon = strrchr(a, ':');
        if (colon == NULL || colon == a) {
            return js_conf_error(ctx, "invalid redis address \"%s\", "
                                 "expecting host:port or unix:path", a);
        }
        host = a;
        hlen = colon - a;
    }

    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0
        || port < 1 || port > 65535)
    {
        return js_conf_error(ctx, "invalid port \"%s\" in redis address "
                             "\"%s\"", colon + 1, a);
    }

    ctx->cf->redis_host = strndup(host, hlen);
    ctx->cf->redis_port = (int) port;
    return ctx->cf->redis_host ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_workers(js_conf_ctx_t *ctx, char **args, int nargs)
{
    int                 i, known = 0;
    long                n;
    char               *end;
    js_conf_t          *cf = ctx->cf;
    js_conf_workers_t  *w;

    (void) nargs;

    for (i = 0; ctx->roles[i] != NULL; i++) {
        if (strcmp(ctx->roles[i], args[0]) == 0) {
            known = 1;
            break;
        }
    }

    if (!known) {
        return js_conf_error(ctx, "unknown role \"%s\" in \"workers\" "
                             "directive", args[0]);
    }

    for (i = 0; i < cf->nworkers; i++) {
        if (strcmp(cf->workers[i].role, args[0]) == 0) {
            return js_conf_error(ctx, "\"workers %s\" is duplicate "
                                 "(first set at line %d)", args[0],
                                 cf->workers[i].line);
        }
    }

    errno = 0;
    n = strtol(args[1], &end, 10);
    if (args[1][0] < '0' || args[1][0] > '9' || *end != '\0'
        || errno != 0)
    {
        return js_conf_error(ctx, "invalid number \"%s\" in \"workers\" "
                             "directive", args[1]);
    }

    if (n < 1 || n > JS_CONF_MAX_WORKERS) {
        return js_conf_error(ctx, "invalid number \"%s\" in \"workers\" "
                             "directive, must be 1..%d", args[1],
                             JS_CONF_MAX_WORKERS);
    }

    if (cf->nworkers == JS_CONF_MAX_ROLES) {
        return js_conf_error(ctx, "too many \"workers\" directives");
    }

    w = &cf->workers[cf->nworkers];
    w->role = strdup(args[0]);
    if (w->role == NULL) {
        return js_conf_oom(ctx);
    }
    w->count = (int) n;
    w->line = ctx->line;
    cf->nworkers++;

    return 0;
}

static int
js_conf_set_shutdown_timeout(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    if (js_conf_parse_msec(args[0], &ctx->cf->shutdown_timeout) != 0) {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"shutdown_timeout\" directive", args[0]);
    }
    return 0;
}

/* Values that end up in protocol lines must not smuggle line breaks. */
static int
js_conf_printable(js_conf_ctx_t *ctx, const char *name, const char *v)
{
    const unsigned char  *p;

    for (p = (const unsigned char *) v; *p; p++) {
        if (*p < ' ' || *p == 0x7f) {
            return js_conf_error(ctx, "control character in \"%s\" "
                                 "directive", name);
        }
    }
    return 0;
}

static int
js_conf_set_smtp_url(js_conf_ctx_t *ctx, char **args, int nargs)
{
    const char  *u = args[0];

    (void) nargs;

    if ((strncmp(u, "smtp://", 7) != 0 && strncmp(u, "smtps://", 8) != 0)
        || u[u[4] == 's' ? 8 : 7] == '\0' || strchr(u, ' ') != NULL)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"smtp_url\" "
                             "directive, expecting smtp://host[:port] or "
                             "smtps://host[:port]", u);
    }

    if (js_conf_printable(ctx, "smtp_url", u) != 0) {
        return -1;
    }

    ctx->cf->smtp_url = strdup(u);
    return ctx->cf->smtp_url ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_smtp_from(js_conf_ctx_t *ctx, char **args, int nargs)
{
    char  why[256];

    (void) nargs;

    ctx->cf->smtp_from_addr = js_mail_from_addr(args[0], why, sizeof(why));
    if (ctx->cf->smtp_from_addr == NULL) {
        return js_conf_error(ctx, "invalid value \"%s\" in \"smtp_from\" "
                             "directive: %s", args[0], why);
    }

    ctx->cf->smtp_from = strdup(args[0]);
    return ctx->cf->smtp_from ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_smtp_starttls(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    if (strcmp(args[0], "off") == 0) {
        ctx->cf->smtp_starttls = JS_SMTP_STARTTLS_OFF;
    } else if (strcmp(args[0], "try") == 0) {
        ctx->cf->smtp_starttls = JS_SMTP_STARTTLS_TRY;
    } else if (strcmp(args[0], "on") == 0) {
        ctx->cf->smtp_starttls = JS_SMTP_STARTTLS_ON;
    } else {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"smtp_starttls\" directive, expecting "
                             "\"off\", \"try\" or \"on\"", args[0]);
    }
    return 0;
}

static int
js_conf_set_smtp_user(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    if (args[0][0] == '\0') {
        return js_conf_error(ctx, "empty \"smtp_user\"");
    }

    if (js_conf_printable(ctx, "smtp_user", args[0]) != 0) {
        return -1;
    }

    ctx->cf->smtp_user = strdup(args[0]);
    return ctx->cf->smtp_user ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_smtp_password(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    if (js_conf_printable(ctx, "smtp_password", args[0]) != 0) {
        return -1;
    }

    ctx->cf->smtp_password = strdup(args[0]);
    return ctx->cf->smtp_password ? 0 : js_conf_oom(ctx);
}

static int
js_conf_flag(js_conf_ctx_t *ctx, const char *name, const char *v, int *f)
{
    if (strcmp(v, "on") == 0) {
        *f = 1;
    } else if (strcmp(v, "off") == 0) {
        *f = 0;
    } else {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, expecting \"on\" or \"off\"", v,
                             name);
    }
    return 0;
}

static int
js_conf_set_smtp_tls_verify(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_flag(ctx, "smtp_tls_verify", args[0],
                        &ctx->cf->smtp_tls_verify);
}

static int
js_conf_timeout(js_conf_ctx_t *ctx, const char *name, const char *v,
    int *ms)
{
    if (js_conf_parse_msec(v, ms) != 0 || *ms == 0) {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive", v, name);
    }
    return 0;
}

static int
js_conf_set_smtp_connect_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "smtp_connect_timeout", args[0],
                           &ctx->cf->smtp_connect_timeout);
}

static int
js_conf_set_smtp_timeout(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "smtp_timeout", args[0],
                           &ctx->cf->smtp_timeout);
}

static int
js_conf_set_public_base_url(js_conf_ctx_t *ctx, char **args, int nargs)
{
    char    *u = args[0];
    size_t   len;

    (void) nargs;

    if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        || u[u[4] == 's' ? 8 : 7] == '\0' || u[u[4] == 's' ? 8 : 7] == '/'
        || strpbrk(u, " \"'<>?#") != NULL)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"public_base_url\" directive, expecting "
                             "http[s]://host[:port][/path]", u);
    }

    if (js_conf_printable(ctx, "public_base_url", u) != 0) {
        return -1;
    }

    /* Links are base + "/verify-email?...": no double slash. */
    len = strlen(u);
    while (len > 0 && u[len - 1] == '/') {
        len--;
    }

    ctx->cf->public_base_url = strndup(u, len);
    return ctx->cf->public_base_url ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_mail_max_attempts(js_conf_ctx_t *ctx, char **args, int nargs)
{
    long   n;
    char  *end;

    (void) nargs;

    errno = 0;
    n = strtol(args[0], &end, 10);
    if (args[0][0] < '0' || args[0][0] > '9' || *end != '\0' || errno != 0
        || n < 1 || n > 100)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"mail_max_attempts\" directive, must be "
                             "1..100", args[0]);
    }

    ctx->cf->mail_max_attempts = (int) n;
    return 0;
}

static int
js_conf_set_mail_backoff(js_conf_ctx_t *ctx, char **args, int nargs)
{
    js_conf_t  *cf = ctx->cf;

    (void) nargs;

    if (js_conf_timeout(ctx, "mail_backoff", args[0],
                        &cf->mail_backoff_min) != 0
        || js_conf_timeout(ctx, "mail_backoff", args[1],
                           &cf->mail_backoff_max) != 0)
    {
        return -1;
    }

    if (cf->mail_backoff_max < cf->mail_backoff_min) {
        return js_conf_error(ctx, "\"mail_backoff\" maximum \"%s\" is "
                             "less than its minimum \"%s\"", args[1],
                             args[0]);
    }
    return 0;
}

/* An integer from min to max. */
static int
js_conf_number(js_conf_ctx_t *ctx, const char *name, const char *v, int min,
    int max, int *n)
{
    long   l;
    char  *end;

    errno = 0;
    l = strtol(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || l < min
        || l > max)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, must be %d..%d", v, name, min, max);
    }

    *n = (int) l;
    return 0;
}

static int
js_conf_set_fcm_service_account(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    ctx->cf->fcm_service_account = js_conf_path(ctx->cf->prefix, args[0]);
    return ctx->cf->fcm_service_account ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_fcm_base_url(js_conf_ctx_t *ctx, char **args, int nargs)
{
    char    *u = args[0];
    size_t   len;

    (void) nargs;

    if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        || u[u[4] == 's' ? 8 : 7] == '\0' || u[u[4] == 's' ? 8 : 7] == '/'
        || strpbrk(u, " \"'<>?#") != NULL)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"fcm_base_url\" directive, expecting "
                             "http[s]://host[:port][/path]", u);
    }

    if (js_conf_printable(ctx, "fcm_base_url", u) != 0) {
        return -1;
    }

    len = strlen(u);
    while (len > 0 && u[len - 1] == '/') {
        len--;
    }

    free(ctx->cf->fcm_base_url);
    ctx->cf->fcm_base_url = strndup(u, len);
    return ctx->cf->fcm_base_url ? 0 : js_conf_oom(ctx);
}

static int
js_conf_set_fcm_ca_file(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    ctx->cf->fcm_ca_file = js_conf_path(ctx->cf->prefix, args[0]);
    if (ctx->cf->fcm_ca_file == NULL) {
        return js_conf_oom(ctx);
    }

    if (access(ctx->cf->fcm_ca_file, R_OK) != 0) {
        return js_conf_error(ctx, "\"fcm_ca_file\" \"%s\" cannot be read "
                             "(%d: %s)", ctx->cf->fcm_ca_file, errno,
                             strerror(errno));
    }
    return 0;
}

static int
js_conf_set_fcm_max_in_flight(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_number(ctx, "fcm_max_in_flight", args[0], 1, 10000,
                          &ctx->cf->fcm_max_in_flight);
}

static int
js_conf_set_fcm_timeout(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "fcm_timeout", args[0],
                           &ctx->cf->fcm_timeout);
}

static int
js_conf_set_fcm_max_attempts(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_number(ctx, "fcm_max_attempts", args[0], 1, 100,
                          &ctx->cf->fcm_max_attempts);
}

static int
js_conf_set_fcm_backoff(js_conf_ctx_t *ctx, char **args, int nargs)
{
    js_conf_t  *cf = ctx->cf;

    (void) nargs;

    if (js_conf_timeout(ctx, "fcm_backoff", args[0], &cf->fcm_backoff_min)
            != 0
        || js_conf_timeout(ctx, "fcm_backoff", args[1],
                           &cf->fcm_backoff_max) != 0)
    {
        return -1;
    }

    if (cf->fcm_backoff_max < cf->fcm_backoff_min) {
        return js_conf_error(ctx, "\"fcm_backoff\" maximum \"%s\" is "
                             "less than its minimum \"%s\"", args[1],
                             args[0]);
    }
    return 0;
}

static int
js_conf_set_push_claim_timeout(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "push_claim_timeout", args[0],
                           &ctx->cf->push_claim_timeout);
}

static int
js_conf_set_digest_interval(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "digest_interval", args[0],
                           &ctx->cf->digest_interval);
}

/* An integer in [min, max]; "k" and "m" multiply by 1024 when sized. */
static int
js_conf_int(js_conf_ctx_t *ctx, const char *name, const char *v, int sized,
    long min, long max, long *out)
{
    long   n;
    char  *end;

    errno = 0;
    n = strtol(v, &end, 10);
    if (sized && (*end == 'k' || *end == 'K') && n <= LONG_MAX / 1024) {
        n *= 1024;
        end++;
    } else if (sized && (*end == 'm' || *end == 'M')
               && n <= LONG_MAX / (1024 * 1024))
    {
        n *= 1024 * 1024;
        end++;
    }

    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < min
        || n > max)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, must be %ld..%ld", v, name, min,
                             max);
    }

    *out = n;
    return 0;
}

/* A printable, non-empty string, replacing any earlier value. */
static int
js_conf_string(js_conf_ctx_t *ctx, const char *name, const char *v,
    char **out)
{
    if (v[0] == '\0') {
        return js_conf_error(ctx, "empty \"%s\"", name);
    }

    if (js_conf_printable(ctx, name, v) != 0) {
        return -1;
    }

    free(*out);
    *out = strdup(v);
    return *out ? 0 : js_conf_oom(ctx);
}

/* An absolute http(s) URL with a host and no spaces or quotes. */
static int
js_conf_http_url(js_conf_ctx_t *ctx, const char *name, const char *u,
    char **out)
{
    if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        || u[u[4] == 's' ? 8 : 7] == '\0' || u[u[4] == 's' ? 8 : 7] == '/'
        || strpbrk(u, " \"'<>()") != NULL)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, expecting http[s]://host[/path]",
                             u, name);
    }

    return js_conf_string(ctx, name, u, out);
}

static int
js_conf_set_scrape_contact_url(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_http_url(ctx, "scrape_contact_url", args[0],
                            &ctx->cf->scrape_contact_url);
}

static int
js_conf_set_scrape_connect_timeout(js_conf_ctx_t *ctx, char **args,
    int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "scrape_connect_timeout", args[0],
                           &ctx->cf->scrape_connect_timeout);
}

static int
js_conf_set_scrape_timeout(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "scrape_timeout", args[0],
                           &ctx->cf->scrape_timeout);
}

static int
js_conf_set_scrape_max_redirects(js_conf_ctx_t *ctx, char **args, int nargs)
{
    long  n;

    (void) nargs;

    if (js_conf_int(ctx, "scrape_max_redirects", args[0], 0, 0, 20, &n)
        != 0)
    {
        return -1;
    }
    ctx->cf->scrape_max_redirects = (int) n;
    return 0;
}

static int
js_conf_set_scrape_max_body(js_conf_ctx_t *ctx, char **args, int nargs)
{
    long  n;

    (void) nargs;

    if (js_conf_int(ctx, "scrape_max_body", args[0], 1, 1024,
                    256L * 1024 * 1024, &n) != 0)
    {
        return -1;
    }
    ctx->cf->scrape_max_body = (size_t) n;
    return 0;
}

static int
js_conf_set_scrape_concurrency(js_conf_ctx_t *ctx, char **args, int nargs)
{
    long  n;

    (void) nargs;

    if (js_conf_int(ctx, "scrape_concurrency", args[0], 0, 1, 256, &n) != 0)
    {
        return -1;
    }
    ctx->cf->scrape_concurrency = (int) n;
    return 0;
}

static int
js_conf_set_scrape_expire_after(js_conf_ctx_t *ctx, char **args, int nargs)
{
    long  n;

    (void) nargs;

    if (js_conf_int(ctx, "scrape_expire_after", args[0], 0, 1, 100, &n)
        != 0)
    {
        return -1;
    }
    ctx->cf->scrape_expire_after = (int) n;
    return 0;
}

static int
js_conf_set_scrape_host_delay(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    /* 0 is valid: no delay (tests, one's own hosts). */
    if (js_conf_parse_msec(args[0], &ctx->cf->scrape_host_delay) != 0) {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"scrape_host_delay\" directive", args[0]);
    }
    return 0;
}

static int
js_conf_set_scrape_robots_ttl(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "scrape_robots_ttl", args[0],
                           &ctx->cf->scrape_robots_ttl);
}

static int
js_conf_set_adzuna_app_id(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_string(ctx, "adzuna_app_id", args[0],
                          &ctx->cf->adzuna_app_id);
}

static int
js_conf_set_adzuna_app_key(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_string(ctx, "adzuna_app_key", args[0],
                          &ctx->cf->adzuna_app_key);
}

static int
js_conf_set_adzuna_base_url(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_http_url(ctx, "adzuna_base_url", args[0],
                            &ctx->cf->adzuna_base_url);
}

static int
js_conf_set_scrape_intervals(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "scrape_intervals", args[0],
                           &ctx->cf->scrape_interval_high) != 0
           || js_conf_timeout(ctx, "scrape_intervals", args[1],
                              &ctx->cf->scrape_interval_normal) != 0
           ? -1 : 0;
}

static int
js_conf_set_scrape_jitter(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    /* 0 is valid: every due source at once. */
    if (js_conf_parse_msec(args[0], &ctx->cf->scrape_jitter) != 0) {
        return js_conf_error(ctx, "invalid value \"%s\" in "
                             "\"scrape_jitter\" directive", args[0]);
    }
    return 0;
}

static int
js_conf_set_scheduler_interval(js_conf_ctx_t *ctx, char **args, int nargs)
{
    (void) nargs;

    return js_conf_timeout(ctx, "scheduler_interval", args[0],
                           &ctx->cf->scheduler_interval);
}

static int
js_conf_directive(js_conf_ctx_t *ctx, char **args, int nargs)
{
    size_t                      i;
    const js_conf_directive_t  *d;

    for (i = 0; i < JS_ARRAY_SIZE(js_conf_directives); i++) {
        d = &js_conf_directives[i];

        if (strcmp(d->name, args[0]) != 0) {
            continue;
        }

        if (nargs - 1 < d->min_args || nargs - 1 > d->max_args) {
            return js_conf_error(ctx, "invalid number of arguments in "
                                 "\"%s\" directive", d->name);
        }

        if (d->once) {
            if (ctx->seen & ((uint64_t) 1 << i)) {
                return js_conf_error(ctx, "\"%s\" directive is duplicate",
                                     d->name);
            }
            ctx->seen |= (uint64_t) 1 << i;
        }

        return d->handler(ctx, args + 1, nargs - 1);
    }

    return js_conf_error(ctx, "unknown directive \"%s\"", args[0]);
}

static void
js_conf_free_args(char **args, int *nargs)
{
    while (*nargs > 0) {
        free(args[--*nargs]);
    }
}

/*
 * A tiny tokenizer in the spirit of ngx_conf_read_token(): words,
 * "double" or 'single' quoted strings with \-escapes, # comments, and
 * ';' ending a directive.  Unlike nginx a directive may not span lines,
 * so a forgotten ';' is reported on the line where it is missing.
 */
static int
js_conf_parse(js_conf_ctx_t *ctx, const char *p, const char *last)
{
    int          nargs = 0, start = 0, rc = -1;
    char        *args[JS_CONF_MAX_ARGS + 1];
    char        *tok;
    char         quote, c;
    size_t       len;
    const char  *s;

    ctx->line = 1;

    while (p < last) {
        c = *p;

        if (c == '\n') {
            if (nargs > 0) {
                ctx->line = start;
                js_conf_error(ctx, "directive \"%s\" is not terminated "
                              "by \";\"", args[0]);
                goto done;
            }
            ctx->line++;
            p++;
            continue;
        }

        if (c == ' ' || c == '\t' || c == '\r') {
            p++;
            continue;
        }

        if (c == '#') {
            while (p < last && *p != '\n') {
                p++;
            }
            continue;
        }

        if (c == ';') {
            if (nargs == 0) {
                js_conf_error(ctx, "unexpected \";\"");
                goto done;
            }
            args[nargs] = NULL;
            if (js_conf_directive(ctx, args, nargs) != 0) {
                goto done;
            }
            js_conf_free_args(args, &nargs);
            p++;
            continue;
        }

        if (c == '{' || c == '}') {
            js_conf_error(ctx, "unexpected \"%c\"", c);
            goto done;
        }

        if (nargs == JS_CONF_MAX_ARGS) {
            js_conf_error(ctx, "too many arguments in \"%s\" directive",
                          args[0]);
            goto done;
        }

        if (nargs == 0) {
            start = ctx->line;
        }

        tok = malloc(last - p + 1);
        if (tok == NULL) {
            js_conf_oom(ctx);
            goto done;
        }
        args[nargs++] = tok;
        len = 0;

        if (c == '"' || c == '\'') {
            quote = c;
            s = ++p;

            for ( ;; ) {
                if (p == last || *p == '\n') {
                    js_conf_error(ctx, "unterminated string starting "
                                  "with %c%.*s", quote,
                                  (int) (p - s > 20 ? 20 : p - s), s);
                    goto done;
                }
                if (*p == quote) {
                    p++;
                    break;
                }
                if (*p == '\\' && p + 1 < last && p[1] != '\n') {
                    p++;
                    switch (*p) {
                    case 'n': tok[len++] = '\n'; break;
                    case 't': tok[len++] = '\t'; break;
                    case 'r': tok[len++] = '\r'; break;
                    default:  tok[len++] = *p;
                    }
                    p++;
                    continue;
                }
                tok[len++] = *p++;
            }

            if (p < last && *p != ' ' && *p != '\t' && *p != '\r'
                && *p != '\n' && *p != ';')
            {
                js_conf_error(ctx, "unexpected \"%c\" after quoted "
                              "string", *p);
                goto done;
            }

        } else {
            while (p < last && *p != ' ' && *p != '\t' && *p != '\r'
                   && *p != '\n' && *p != ';' && *p != '{' && *p != '}'
                   && *p != '"' && *p != '\'')
            {
                tok[len++] = *p++;
            }
        }

        tok[len] = '\0';
    }

    if (nargs > 0) {
        ctx->line = start;
        js_conf_error(ctx, "unexpected end of file, expecting \";\" "
                      "after \"%s\" directive", args[0]);
        goto done;
    }

    rc = 0;

done:

    js_conf_free_args(args, &nargs);
    return rc;
}

/* The mailer cannot guess where to send from or what links point to. */
static int
js_conf_mailer_check(js_conf_ctx_t *ctx)
{
    int                 i;
    const char         *missing = NULL;
    const js_conf_t    *cf = ctx->cf;

    for (i = 0; i < cf->nworkers; i++) {
        if (strcmp(cf->workers[i].role, "mailer") == 0) {
            break;
        }
    }

    if (i == cf->nworkers) {
        return 0;
    }

    if (cf->smtp_url == NULL) {
        missing = "smtp_url";
    } else if (cf->smtp_from == NULL) {
        missing = "smtp_from";
    } else if (cf->public_base_url == NULL) {
        missing = "public_base_url";
    }

    if (missing != NULL) {
        ctx->line = cf->workers[i].line;
        return js_conf_error(ctx, "\"workers mailer\" needs a \"%s\" "
                             "directive", missing);
    }

    if (cf->smtp_password != NULL && cf->smtp_user == NULL) {
        ctx->line = 0;
        return js_conf_error(ctx, "\"smtp_password\" without "
                             "\"smtp_user\"");
    }

    return 0;
}

static int
js_conf_has_role(const js_conf_t *cf, const char *role)
{
    int  i;

    for (i = 0; i < cf->nworkers; i++) {
        if (strcmp(cf->workers[i].role, role) == 0) {
            return cf->workers[i].line;
        }
    }
    return 0;
}

/*
 * A claimed push must outlive its request, a renewal of the access
 * token and the one retry after a 401, or another notifier could take
 * it over while it is still in flight (and push it twice).  The service
 * account is read now, so that -t reports a bad one.
 */
static int
js_conf_notifier_check(js_conf_ctx_t *ctx)
{
    char              why[512];
    js_conf_t        *cf = ctx->cf;
    js_fcm_account_t  account;

    ctx->line = js_conf_has_role(cf, "notifier");
    if (ctx->line == 0) {
        return 0;
    }

    if (cf->push_claim_timeout < 3 * cf->fcm_timeout) {
        return js_conf_error(ctx, "\"push_claim_timeout\" (%d ms) must be "
                             "at least 3 times \"fcm_timeout\" (%d ms)",
                             cf->push_claim_timeout, cf->fcm_timeout);
    }

    if (cf->fcm_service_account != NULL) {
        if (js_fcm_account_load(&account, cf->fcm_service_account, why,
                                sizeof(why)) != 0)
        {
            return js_conf_error(ctx, "\"fcm_service_account\": %s", why);
        }
        js_fcm_account_free(&account);
    }

    return 0;
}

static char *
js_conf_prefix(const char *prefix)
{
    char    cwd[PATH_MAX], *p, *abs = NULL;
    size_t  len;

    if (prefix == NULL || prefix[0] != '/') {
        if (getcwd(cwd, sizeof(cwd) - 1) == NULL) {
            return NULL;
        }
        len = strlen(cwd);
        if (cwd[len - 1] != '/') {
            cwd[len++] = '/';
            cwd[len] = '\0';
        }
        if (prefix == NULL) {
            return strdup(cwd);
        }
        abs = js_conf_path(cwd, prefix);
        if (abs == NULL) {
            return NULL;
        }
        prefix = abs;
    }

    len = strlen(prefix);
    p = malloc(len + 2);
    if (p != NULL) {
        memcpy(p, prefix, len);
        if (len == 0 || p[len - 1] != '/') {
            p[len++] = '/';
        }
        p[len] = '\0';
    }

    free(abs);
    return p;
}

static char *
js_conf_read(js_conf_ctx_t *ctx, size_t *size)
{
    FILE    *f;
    long     n;
    char    *buf = NULL;

    f = fopen(ctx->cf->file, "re");
    if (f == NULL) {
        snprintf(ctx->err, ctx->errlen, "open() \"%s\" failed (%d: %s)",
                 ctx->cf->file, errno, strerror(errno));
        return NULL;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        snprintf(ctx->err, ctx->errlen, "cannot read \"%s\" (%d: %s)",
                 ctx->cf->file, errno, strerror(errno));
        goto done;
    }

    if (n > JS_CONF_MAX_SIZE) {
        snprintf(ctx->err, ctx->errlen, "\"%s\" is too large",
                 ctx->cf->file);
        goto done;
    }

    buf = malloc(n + 1);
    if (buf == NULL) {
        snprintf(ctx->err, ctx->errlen, "out of memory");
        goto done;
    }

    if (fread(buf, 1, n, f) != (size_t) n) {
        snprintf(ctx->err, ctx->errlen, "read() \"%s\" failed",
                 ctx->cf->file);
        free(buf);
        buf = NULL;
        goto done;
    }

    buf[n] = '\0';
    *size = n;

done:

    fclose(f);
    return buf;
}

int
js_conf_load(js_conf_t *cf, const char *file, const char *prefix,
    const char *const *roles, char *err, size_t errlen)
{
    int            rc = -1;
    char          *buf;
    size_t         size = 0;
    js_conf_ctx_t  ctx;

    memset(cf, 0, sizeof(*cf));
    memset(&ctx, 0, sizeof(ctx));
    ctx.cf = cf;
    ctx.roles = roles;
    ctx.err = err;
    ctx.errlen = errlen;

    cf->log_level = JS_LOG_INFO;
    cf->log_format = JS_LOG_FORMAT_KV;
    cf->shutdown_timeout = 10000;
    cf->smtp_tls_verify = 1;
    cf->smtp_connect_timeout = 10000;
    cf->smtp_timeout = 30000;
    cf->mail_max_attempts = 5;
    cf->mail_backoff_min = 5000;
    cf->mail_backoff_max = 15 * 60 * 1000;
    cf->fcm_max_in_flight = 100;
    cf->fcm_timeout = 10000;
    cf->fcm_max_attempts = 5;
    cf->fcm_backoff_min = 1000;
    cf->fcm_backoff_max = 5 * 60 * 1000;
    cf->push_claim_timeout = 60000;
    cf->digest_interval = 60000;
    cf->scrape_connect_timeout = 10000;
    cf->scrape_timeout = 30000;
    cf->scrape_max_redirects = 5;
    cf->scrape_max_body = 10 * 1024 * 1024;
    cf->scrape_concurrency = 16;
    cf->scrape_expire_after = 3;
    cf->scrape_host_delay = 6000;
    cf->scrape_robots_ttl = 24 * 3600 * 1000;
    cf->scrape_interval_high = 30 * 60 * 1000;
    cf->scrape_interval_normal = 2 * 3600 * 1000;
    cf->scrape_jitter = 60 * 1000;
    cf->scheduler_interval = 5000;

    cf->prefix = js_conf_prefix(prefix);
    if (cf->prefix == NULL) {
        snprintf(err, errlen, "cannot resolve prefix (%d: %s)", errno,
                 strerror(errno));
        goto failed;
    }

    cf->file = js_conf_path(cf->prefix, file);
    if (cf->file == NULL) {
        snprintf(err, errlen, "out of memory");
        goto failed;
    }

    buf = js_conf_read(&ctx, &size);
    if (buf == NULL) {
        goto failed;
    }

    rc = js_conf_parse(&ctx, buf, buf + size);
    free(buf);

    if (rc != 0) {
        goto failed;
    }

    /* Line 0: errors about the file as a whole carry no line number. */
    ctx.line = 0;
    rc = -1;

    if (cf->postgres == NULL) {
        js_conf_error(&ctx, "no \"postgres\" directive");
        goto failed;
    }

    if (cf->redis_host == NULL && cf->redis_path == NULL) {
        js_conf_error(&ctx, "no \"redis\" directive");
        goto failed;
    }

    if (cf->nworkers == 0) {
        js_conf_error(&ctx, "no \"workers\" directive");
        goto failed;
    }

    if (js_conf_mailer_check(&ctx) != 0
        || js_conf_notifier_check(&ctx) != 0)
    {
        goto failed;
    }

    if (cf->fcm_base_url == NULL) {
        cf->fcm_base_url = strdup("https://fcm.googleapis.com");
        if (cf->fcm_base_url == NULL) {
            snprintf(err, errlen, "out of memory");
            goto failed;
        }
    }

    if (cf->scrape_contact_url == NULL) {
        cf->scrape_contact_url = strdup("https://jobscout.dev/bot");
        if (cf->scrape_contact_url == NULL) {
            snprintf(err, errlen, "out of memory");
            goto failed;
        }
    }

    if (cf->pid == NULL) {
        cf->pid = js_conf_path(cf->prefix, "var/run/jobscoutd.pid");
        if (cf->pid == NULL) {
            snprintf(err, errlen, "out of memory");
            goto failed;
        }
    }

    return 0;

failed:

    js_conf_free(cf);
    return -1;
}

void
js_conf_free(js_conf_t *cf)
{
    int  i;

    for (i = 0; i < cf->nworkers; i++) {
        free(cf->workers[i].role);
    }

    free(cf->file);
    free(cf->prefix);
    free(cf->pid);
    free(cf->error_log);
    free(cf->postgres);
    free(cf->redis_host);
    free(cf->redis_path);
    free(cf->smtp_url);
    free(cf->smtp_from);
    free(cf->smtp_from_addr);
    free(cf->smtp_user);
    free(cf->smtp_password);
    free(cf->public_base_url);
    free(cf->scrape_contact_url);
    free(cf->adzuna_app_id);
    free(cf->adzuna_app_key);
    free(cf->adzuna_base_url);
    free(cf->fcm_service_account);
    free(cf->fcm_base_url);
    free(cf->fcm_ca_file);

    memset(cf, 0, sizeof(*cf));
}
