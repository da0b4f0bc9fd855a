#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "fcm.h"
#include "log.h"
#include "mail.h"
#include "sentry.h"
#include "util.h"
#include "version.h"

#define JS_CONF_WEEK       (7 * 24 * 3600 * 1000)

static int js_conf_set_error_log(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_postgres(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_redis(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_workers(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_smtp_url(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_smtp_from(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_host_budget(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_sentry_dsn(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_sentry_listen(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_set_link_key(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
static int js_conf_hex_digit(char c);
static int js_conf_set_metrics_listen(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);

static const js_conf_bounds_t  js_conf_timeout = { 1, INT_MAX };
/* 0 is valid: no delay (tests, one's own hosts), no wait, no jitter. */
static const js_conf_bounds_t  js_conf_delay = { 0, INT_MAX };
static const js_conf_bounds_t  js_conf_attempts = { 1, 100 };
static const js_conf_bounds_t  js_conf_in_flight = { 1, 10000 };
static const js_conf_bounds_t  js_conf_redirects = { 0, 20 };
static const js_conf_bounds_t  js_conf_concurrency = { 1, 256 };
static const js_conf_bounds_t  js_conf_body = { 1024, 256L * 1024 * 1024 };
static const js_conf_bounds_t  js_conf_details = { 0, 1000 };
static const js_conf_bounds_t  js_conf_cv_memory = {
    16L * 1024 * 1024, 16L * 1024 * 1024 * 1024
};

static const js_conf_pair_t  js_conf_mail_backoff = {
    { 1, INT_MAX }, offsetof(js_conf_t, mail_backoff_max),
    "minimum", "maximum"
};

static const js_conf_pair_t  js_conf_fcm_backoff = {
    { 1, INT_MAX }, offsetof(js_conf_t, fcm_backoff_max),
    "minimum", "maximum"
};

static const js_conf_pair_t  js_conf_poll_high = {
    { 1, JS_CONF_WEEK }, offsetof(js_conf_t, scrape_poll_high_max),
    "floor", "ceiling"
};

static const js_conf_pair_t  js_conf_poll_normal = {
    { 1, JS_CONF_WEEK }, offsetof(js_conf_t, scrape_poll_normal_max),
    "floor", "ceiling"
};

static const js_conf_enum_value_t  js_conf_flag_values[] = {
    { "on", 1 }, { "off", 0 }, { NULL, 0 }
};

static const js_conf_enum_t  js_conf_flag = {
    "value", js_conf_flag_values
};

static const js_conf_enum_value_t  js_conf_log_format_values[] = {
    { "kv", JS_LOG_FORMAT_KV }, { "json", JS_LOG_FORMAT_JSON }, { NULL, 0 }
};

static const js_conf_enum_t  js_conf_log_format = {
    "log format", js_conf_log_format_values
};

static const js_conf_enum_value_t  js_conf_starttls_values[] = {
    { "off", JS_SMTP_STARTTLS_OFF }, { "try", JS_SMTP_STARTTLS_TRY },
    { "on", JS_SMTP_STARTTLS_ON }, { NULL, 0 }
};

static const js_conf_enum_t  js_conf_starttls = {
    "value", js_conf_starttls_values
};

static const unsigned  js_conf_empty_ok = JS_CONF_EMPTY_OK;
static const unsigned  js_conf_readable = JS_CONF_READABLE;

/* Links are base + "/verify-email?...": no double slash, no query. */
static const js_conf_url_t  js_conf_base_url = { " \"'<>?#", 1 };
/* The contact URL goes into "User-Agent: ... (+url)". */
static const js_conf_url_t  js_conf_plain_url = { " \"'<>()", 0 };

#define JS_CONF_OFF(field)  offsetof(js_conf_t, field)

static const js_conf_directive_t  js_conf_directives[] = {
    { "pid", 1, 1, 1, js_conf_set_path_slot, JS_CONF_OFF(pid), NULL },
    { "error_log", 1, 2, 1, js_conf_set_error_log, 0, NULL },
    { "log_format", 1, 1, 1, js_conf_set_enum_slot,
      JS_CONF_OFF(log_format), &js_conf_log_format },
    { "postgres", 1, 1, 1, js_conf_set_postgres, 0, NULL },
    { "redis", 1, 1, 1, js_conf_set_redis, 0, NULL },
    /* Repeated once per role; duplicates are checked per role. */
    { "workers", 2, 2, 0, js_conf_set_workers, 0, NULL },
    { "shutdown_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(shutdown_timeout), &js_conf_delay },

    { "smtp_url", 1, 1, 1, js_conf_set_smtp_url, 0, NULL },
    { "smtp_from", 1, 1, 1, js_conf_set_smtp_from, 0, NULL },
    { "smtp_starttls", 1, 1, 1, js_conf_set_enum_slot,
      JS_CONF_OFF(smtp_starttls), &js_conf_starttls },
    { "smtp_user", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(smtp_user), NULL },
    { "smtp_password", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(smtp_password), &js_conf_empty_ok },
    { "smtp_tls_verify", 1, 1, 1, js_conf_set_enum_slot,
      JS_CONF_OFF(smtp_tls_verify), &js_conf_flag },
    { "smtp_connect_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(smtp_connect_timeout), &js_conf_timeout },
    { "smtp_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(smtp_timeout), &js_conf_timeout },
    { "public_base_url", 1, 1, 1, js_conf_set_url_slot,
      JS_CONF_OFF(public_base_url), &js_conf_base_url },
    { "mail_link_key_file", 1, 1, 1, js_conf_set_link_key, 0, NULL },
    { "mail_max_attempts", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(mail_max_attempts), &js_conf_attempts },
    { "mail_backoff", 2, 2, 1, js_conf_set_msec_pair_slot,
      JS_CONF_OFF(mail_backoff_min), &js_conf_mail_backoff },

    { "scrape_contact_url", 1, 1, 1, js_conf_set_url_slot,
      JS_CONF_OFF(scrape_contact_url), &js_conf_plain_url },
    { "scrape_connect_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(scrape_connect_timeout), &js_conf_timeout },
    { "scrape_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(scrape_timeout), &js_conf_timeout },
    { "scrape_max_redirects", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(scrape_max_redirects), &js_conf_redirects },
    { "scrape_max_body", 1, 1, 1, js_conf_set_size_slot,
      JS_CONF_OFF(scrape_max_body), &js_conf_body },
    { "scrape_concurrency", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(scrape_concurrency), &js_conf_concurrency },
    { "scrape_expire_after", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(scrape_expire_after), &js_conf_attempts },
    { "scrape_host_delay", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(scrape_host_delay), &js_conf_delay },
    /* Repeated once per host; duplicates are checked per host. */
    { "scrape_host_budget", 2, 2, 0, js_conf_set_host_budget, 0, NULL },
    { "scrape_max_details", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(scrape_max_details), &js_conf_details },
    { "scrape_robots_ttl", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(scrape_robots_ttl), &js_conf_timeout },
    { "adzuna_app_id", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(adzuna_app_id), NULL },
    { "adzuna_app_key", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(adzuna_app_key), NULL },
    { "adzuna_base_url", 1, 1, 1, js_conf_set_url_slot,
      JS_CONF_OFF(adzuna_base_url), &js_conf_plain_url },

    { "scrape_jitter", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(scrape_jitter), &js_conf_delay },
    { "scrape_poll_high", 2, 2, 1, js_conf_set_msec_pair_slot,
      JS_CONF_OFF(scrape_poll_high_min), &js_conf_poll_high },
    { "scrape_poll_normal", 2, 2, 1, js_conf_set_msec_pair_slot,
      JS_CONF_OFF(scrape_poll_normal_min), &js_conf_poll_normal },
    { "scheduler_interval", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(scheduler_interval), &js_conf_timeout },

    { "fcm_service_account", 1, 1, 1, js_conf_set_path_slot,
      JS_CONF_OFF(fcm_service_account), NULL },
    { "fcm_base_url", 1, 1, 1, js_conf_set_url_slot,
      JS_CONF_OFF(fcm_base_url), &js_conf_base_url },
    { "fcm_ca_file", 1, 1, 1, js_conf_set_path_slot,
      JS_CONF_OFF(fcm_ca_file), &js_conf_readable },
    { "fcm_max_in_flight", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(fcm_max_in_flight), &js_conf_in_flight },
    { "fcm_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(fcm_timeout), &js_conf_timeout },
    { "fcm_max_attempts", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(fcm_max_attempts), &js_conf_attempts },
    { "fcm_backoff", 2, 2, 1, js_conf_set_msec_pair_slot,
      JS_CONF_OFF(fcm_backoff_min), &js_conf_fcm_backoff },
    { "push_claim_timeout", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(push_claim_timeout), &js_conf_timeout },
    { "digest_interval", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(digest_interval), &js_conf_timeout },

    { "relay_lease", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(relay_lease), &js_conf_timeout },

    { "metrics_listen", 1, 1, 1, js_conf_set_metrics_listen, 0, NULL },

    { "cv_storage", 1, 1, 1, js_conf_set_path_slot,
      JS_CONF_OFF(cv_storage), NULL },
    { "cv_time_limit", 1, 1, 1, js_conf_set_msec_slot,
      JS_CONF_OFF(cv_time_limit), &js_conf_timeout },
    { "cv_memory_limit", 1, 1, 1, js_conf_set_size_slot,
      JS_CONF_OFF(cv_memory_limit), &js_conf_cv_memory },
    { "cv_max_attempts", 1, 1, 1, js_conf_set_num_slot,
      JS_CONF_OFF(cv_max_attempts), &js_conf_attempts },
    { "cv_s3_endpoint", 1, 1, 1, js_conf_set_url_slot,
      JS_CONF_OFF(cv_s3_endpoint), &js_conf_base_url },
    { "cv_s3_bucket", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(cv_s3_bucket), NULL },
    { "cv_s3_region", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(cv_s3_region), NULL },
    { "cv_s3_access_key", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(cv_s3_access_key), NULL },
    { "cv_s3_secret_key", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(cv_s3_secret_key), NULL },

    { "sentry_dsn", 1, 1, 1, js_conf_set_sentry_dsn, 0, NULL },
    { "sentry_listen", 1, 1, 1, js_conf_set_sentry_listen, 0, NULL },
    { "sentry_environment", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(sentry_environment), NULL },
    { "sentry_release", 1, 1, 1, js_conf_set_str_slot,
      JS_CONF_OFF(sentry_release), NULL },
};

/* js_conf_ctx_t.seen has a bit per directive. */
_Static_assert(JS_ARRAY_SIZE(js_conf_directives) <= 64,
               "too many directives for js_conf_ctx_t.seen");

static int
js_conf_set_error_log(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    int  level = JS_LOG_INFO;

    (void) d;

    if (args[1] != NULL) {
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
js_conf_set_postgres(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    (void) d;

    if (args[0][0] == '\0') {
        return js_conf_error(ctx, "empty \"postgres\" conninfo");
    }

    return js_conf_store(ctx, &ctx->cf->postgres, args[0], strlen(args[0]));
}

static int
js_conf_set_redis(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char        *a = args[0], *colon, *end;
    const char  *host;
    size_t       hlen;
    long         port;

    (void) d;

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

    ctx->cf->redis_port = (int) port;
    return js_conf_store(ctx, &ctx->cf->redis_host, host, hlen);
}

/* "127.0.0.1:9513" or "[::1]:9513": a numeric address, to be loopback */
static int
js_conf_set_metrics_listen(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char           host[INET6_ADDRSTRLEN], *a = args[0], *start, *colon, *end;
    long           port;
    size_t         hlen;
    unsigned char  addr[sizeof(struct in6_addr)];

    (void) d;

    colon = strrchr(a, ':');
    if (colon == NULL) {
        goto invalid;
    }

    start = a;
    hlen = colon - a;

    if (hlen >= 2 && a[0] == '[' && a[hlen - 1] == ']') {
        start++;
        hlen -= 2;
    }

    if (hlen == 0 || hlen >= sizeof(host)) {
        goto invalid;
    }

    memcpy(host, start, hlen);
    host[hlen] = '\0';

    errno = 0;
    port = strtol(colon + 1, &end, 10);

    if ((inet_pton(AF_INET, host, addr) != 1
         && inet_pton(AF_INET6, host, addr) != 1)
        || colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0
        || port < 1 || port > 65535)
    {
        goto invalid;
    }

    ctx->cf->metrics_port = (int) port;
    return js_conf_store(ctx, &ctx->cf->metrics_host, host, strlen(host));

invalid:

    return js_conf_error(ctx, "invalid value \"%s\" in \"metrics_listen\" "
                         "directive, expecting address:port (numeric)", a);
}

static int
js_conf_set_workers(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    int                 i, known = 0;
    long                n;
    char               *end;
    js_conf_t          *cf = ctx->cf;
    js_conf_workers_t  *w;

    (void) d;

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
js_conf_set_smtp_url(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    const char  *u = args[0];

    if ((strncmp(u, "smtp://", 7) != 0 && strncmp(u, "smtps://", 8) != 0)
        || u[u[4] == 's' ? 8 : 7] == '\0' || strchr(u, ' ') != NULL)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"smtp_url\" "
                             "directive, expecting smtp://host[:port] or "
                             "smtps://host[:port]", u);
    }

    if (js_conf_printable(ctx, d->name, u) != 0) {
        return -1;
    }

    return js_conf_store(ctx, &ctx->cf->smtp_url, u, strlen(u));
}

static int
js_conf_set_smtp_from(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char  why[256];

    (void) d;

    ctx->cf->smtp_from_addr = js_mail_from_addr(args[0], why, sizeof(why));
    if (ctx->cf->smtp_from_addr == NULL) {
        return js_conf_error(ctx, "invalid value \"%s\" in \"smtp_from\" "
                             "directive: %s", args[0], why);
    }

    return js_conf_store(ctx, &ctx->cf->smtp_from, args[0], strlen(args[0]));
}

/*
 * mail_link_key_file: 32 bytes as 64 hex digits (the nginx module's
 * jobscout_webhook_key_file), read now: job mails then carry a signed
 * unsubscribe link (lib/unsubscribe.h).
 */
static int
js_conf_set_link_key(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    int     rc, hi, lo;
    char   *path, hex[80];
    FILE   *f;
    size_t  n, i;

    (void) d;

    path = js_conf_path(ctx->cf->prefix, args[0]);
    if (path == NULL) {
        return js_conf_oom(ctx);
    }

    f = fopen(path, "r");
    n = f != NULL ? fread(hex, 1, sizeof(hex) - 1, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    while (n > 0 && isspace((unsigned char) hex[n - 1])) {
        n--;
    }

    rc = n == 64 ? 0 : -1;
    for (i = 0; rc == 0 && i < 32; i++) {
        hi = js_conf_hex_digit(hex[2 * i]);
        lo = js_conf_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            rc = -1;
            break;
        }
        ctx->cf->mail_link_key[i] = (unsigned char) (hi << 4 | lo);
    }
    memset(hex, 0, sizeof(hex));

    if (rc != 0) {
        rc = js_conf_error(ctx, "\"mail_link_key_file\" \"%s\" needs 64 "
                           "hex digits (\"openssl rand -hex 32\")", path);
        free(path);
        return rc;
    }

    free(path);
    ctx->cf->mail_link_key_set = 1;
    return 0;
}

static int
js_conf_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char) tolower((unsigned char) c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * A DNS name (labels of letters, digits and inner '-') or an IPv4
 * address, then an optional ":port".
 */
static int
js_conf_host_valid(const char *h)
{
    int          octets = 0, digits_only = 1;
    long         n;
    char        *end;
    size_t       len;
    const char  *p, *label, *colon;

    colon = strchr(h, ':');
    if (colon != NULL) {
        errno = 0;
        n = strtol(colon + 1, &end, 10);
        if (colon[1] < '1' || colon[1] > '9' || *end != '\0' || errno != 0
            || n > 65535)
        {
            return 0;
        }
    }

    len = colon ? (size_t) (colon - h) : strlen(h);
    if (len == 0 || len > 253) {
        return 0;
    }

    for (label = h; label < h + len; label = p + 1) {
        for (p = label; p < h + len && *p != '.'; p++) {
            if (*p < '0' || *p > '9') {
                digits_only = 0;
                if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z')
                    && *p != '-')
                {
                    return 0;
                }
            }
        }

        /* no empty label (nor a trailing '.'), no '-' at either end */
        if (p == label || p - label > 63 || *label == '-' || p[-1] == '-'
            || p + 1 == h + len)
        {
            return 0;
        }
        octets++;
    }

    /* "10.1.2.3", not "1.2.3" nor "010.1.2.3" nor "300.1.2.3". */
    for (label = h; digits_only && octets == 4 && label < h + len;
         label = end + 1)
    {
        n = strtol(label, &end, 10);
        if (n > 255 || (*label == '0' && end - label > 1)) {
            return 0;
        }
    }

    return !digits_only || octets == 4;
}

/*
 * scrape_host_budget <host> <N>/m | <N>/s: kept as requests a minute and
 * the gap between two of them, rounded up so the budget is never exceeded.
 */
static int
js_conf_set_host_budget(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    int                     i;
    long                    n;
    char                   *end;
    js_conf_t              *cf = ctx->cf;
    js_conf_host_budget_t  *b;

    if (!js_conf_host_valid(args[0])) {
        return js_conf_error(ctx, "invalid host \"%s\" in \"%s\" directive, "
                             "expecting a DNS name or an IPv4 address, "
                             "with an optional :port", args[0], d->name);
    }

    /* Names are case-insensitive: kept lowercase, as hosts are looked up. */
    for (end = args[0]; *end; end++) {
        *end = (char) tolower((unsigned char) *end);
    }

    for (i = 0; i < cf->nhost_budgets; i++) {
        if (strcmp(cf->host_budgets[i].host, args[0]) == 0) {
            return js_conf_error(ctx, "\"%s %s\" is duplicate (first set "
                                 "at line %d)", d->name, args[0],
                                 cf->host_budgets[i].line);
        }
    }

    errno = 0;
    n = strtol(args[1], &end, 10);
    if (args[1][0] < '0' || args[1][0] > '9' || errno != 0 || end[0] != '/'
        || (end[1] != 'm' && end[1] != 's') || end[2] != '\0')
    {
        return js_conf_error(ctx, "invalid rate \"%s\" in \"%s\" directive, "
                             "expecting N/m or N/s", args[1], d->name);
    }

    if (end[1] == 's' && n <= LONG_MAX / 60) {
        n *= 60;
    }

    if (n < 1 || n > 6000) {
        return js_conf_error(ctx, "invalid rate \"%s\" in \"%s\" directive, "
                             "must be 1/m..6000/m (100/s)", args[1],
                             d->name);
    }

    if (cf->nhost_budgets == JS_CONF_MAX_HOST_BUDGETS) {
        return js_conf_error(ctx, "too many \"%s\" directives, %d at most",
                             d->name, JS_CONF_MAX_HOST_BUDGETS);
    }

    b = &cf->host_budgets[cf->nhost_budgets];
    b->host = strdup(args[0]);
    if (b->host == NULL) {
        return js_conf_oom(ctx);
    }
    b->per_minute = (int) n;
    b->gap_ms = (int) ((60000 + n - 1) / n);
    b->line = ctx->line;
    cf->nhost_budgets++;

    return 0;
}

static int
js_conf_set_sentry_dsn(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char             why[128];
    js_sentry_dsn_t  dsn;

    if (js_sentry_dsn_parse(&dsn, args[0], why, sizeof(why)) != 0) {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive: %s", args[0], d->name, why);
    }

    return js_conf_store(ctx, &ctx->cf->sentry_dsn, args[0],
                         strlen(args[0]));
}

static int
js_conf_set_sentry_listen(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    uint32_t  addr;
    uint16_t  port;

    if (js_sentry_listen_parse(args[0], &addr, &port) != 0) {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, expecting a loopback "
                             "127.x.x.x:port", args[0], d->name);
    }

    return js_conf_store(ctx, &ctx->cf->sentry_listen, args[0],
                         strlen(args[0]));
}

const js_conf_host_budget_t *
js_conf_host_budget(const js_conf_t *cf, const char *host)
{
    int  i;

    for (i = 0; i < cf->nhost_budgets; i++) {
        if (strcmp(cf->host_budgets[i].host, host) == 0) {
            return &cf->host_budgets[i];
        }
    }
    return NULL;
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

/* An S3 endpoint needs its bucket, region and keys. */
static int
js_conf_cv_check(js_conf_ctx_t *ctx)
{
    const js_conf_t  *cf = ctx->cf;

    ctx->line = 0;

    if (cf->cv_s3_endpoint != NULL
        && (cf->cv_s3_bucket == NULL || cf->cv_s3_region == NULL
            || cf->cv_s3_access_key == NULL || cf->cv_s3_secret_key == NULL))
    {
        return js_conf_error(ctx, "\"cv_s3_endpoint\" requires "
                             "\"cv_s3_bucket\", \"cv_s3_region\", "
                             "\"cv_s3_access_key\" and \"cv_s3_secret_key\"");
    }

    return 0;
}

/*
 * A DSN needs the port reports come to, and the role that forwards
 * them, implied when not configured; the role needs a DSN.
 */
static int
js_conf_sentry_check(js_conf_ctx_t *ctx)
{
    js_conf_t          *cf = ctx->cf;
    js_conf_workers_t  *w;

    ctx->line = js_conf_has_role(cf, "sentry");

    if (cf->sentry_dsn == NULL) {
        if (ctx->line != 0 || cf->sentry_listen != NULL) {
            return js_conf_error(ctx, "\"workers sentry\" and "
                                 "\"sentry_listen\" need a \"sentry_dsn\"");
        }
        return 0;
    }

    if (cf->sentry_listen == NULL) {
        return js_conf_error(ctx, "\"sentry_dsn\" needs a "
                             "\"sentry_listen\" directive");
    }

    if (ctx->line != 0) {
        return 0;
    }

    if (cf->nworkers == JS_CONF_MAX_ROLES) {
        return js_conf_error(ctx, "too many \"workers\" directives");
    }

    w = &cf->workers[cf->nworkers];
    w->role = strdup("sentry");
    if (w->role == NULL) {
        return js_conf_oom(ctx);
    }
    w->count = 1;
    cf->nworkers++;

    return 0;
}

int
js_conf_load(js_conf_t *cf, const char *file, const char *prefix,
    const char *const *roles, char *err, size_t errlen)
{
    js_conf_ctx_t  ctx;

    memset(cf, 0, sizeof(*cf));
    memset(&ctx, 0, sizeof(ctx));
    ctx.cf = cf;
    ctx.directives = js_conf_directives;
    ctx.ndirectives = JS_ARRAY_SIZE(js_conf_directives);
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
    cf->fcm_max_in_flight = 300;
    cf->fcm_timeout = 10000;
    cf->fcm_max_attempts = 5;
    cf->fcm_backoff_min = 1000;
    cf->fcm_backoff_max = 5 * 60 * 1000;
    cf->push_claim_timeout = 60000;
    cf->digest_interval = 60000;
    cf->relay_lease = 300000;
    cf->cv_time_limit = 10000;
    cf->cv_memory_limit = 256L * 1024 * 1024;
    cf->cv_max_attempts = 3;
    cf->scrape_connect_timeout = 10000;
    cf->scrape_timeout = 30000;
    cf->scrape_max_redirects = 5;
    cf->scrape_max_body = 10 * 1024 * 1024;
    cf->scrape_concurrency = 16;
    cf->scrape_expire_after = 3;
    cf->scrape_host_delay = 6000;
    cf->scrape_robots_ttl = 24 * 3600 * 1000;
    cf->scrape_max_details = 50;
    cf->scrape_jitter = 10 * 1000;
    cf->scrape_poll_high_min = 15 * 1000;
    cf->scrape_poll_high_max = 45 * 1000;
    cf->scrape_poll_normal_min = 60 * 1000;
    cf->scrape_poll_normal_max = 4 * 60 * 1000;
    cf->scheduler_interval = 1000;

    cf->prefix = js_conf_prefix(prefix);
    if (cf->prefix == NULL) {
        snprintf(err, errlen, "cannot resolve prefix (%d: %s)", errno,
                 strerror(errno));
        goto failed;
    }

    /* String defaults first: a directive replaces them. */
    cf->file = js_conf_path(cf->prefix, file);
    cf->pid = js_conf_path(cf->prefix, "var/run/jobscoutd.pid");
    cf->fcm_base_url = strdup("https://fcm.googleapis.com");
    cf->scrape_contact_url = strdup("https://jobscout.dev/bot");
    cf->cv_storage = js_conf_path(cf->prefix, "cv");
    cf->sentry_environment = strdup("production");
    cf->sentry_release = strdup("jobscout@" JS_VERSION);

    if (cf->file == NULL || cf->pid == NULL || cf->fcm_base_url == NULL
        || cf->scrape_contact_url == NULL || cf->cv_storage == NULL
        || cf->sentry_environment == NULL || cf->sentry_release == NULL)
    {
        snprintf(err, errlen, "out of memory");
        goto failed;
    }

    if (js_conf_parse_file(&ctx) != 0) {
        goto failed;
    }

    /* Line 0: errors about the file as a whole carry no line number. */
    ctx.line = 0;

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
        || js_conf_notifier_check(&ctx) != 0
        || js_conf_cv_check(&ctx) != 0
        || js_conf_sentry_check(&ctx) != 0)
    {
        goto failed;
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

    for (i = 0; i < cf->nhost_budgets; i++) {
        free(cf->host_budgets[i].host);
    }

    free(cf->file);
    free(cf->prefix);
    free(cf->pid);
    free(cf->error_log);
    free(cf->postgres);
    free(cf->redis_host);
    free(cf->redis_path);
    free(cf->metrics_host);
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
    free(cf->cv_storage);
    free(cf->cv_s3_endpoint);
    free(cf->cv_s3_bucket);
    free(cf->cv_s3_region);
    free(cf->cv_s3_access_key);
    free(cf->cv_s3_secret_key);
    free(cf->sentry_dsn);
    free(cf->sentry_listen);
    free(cf->sentry_environment);
    free(cf->sentry_release);

    memset(cf, 0, sizeof(*cf));
}
