#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sentry.h"
#include "util.h"
#include "version.h"

/* A global burst of 30 events, then one every 2 s. */
#define JS_SENTRY_ALL_BURST     30.0
#define JS_SENTRY_ALL_EVERY     2000.0
/* Per key: 3, then one a minute. */
#define JS_SENTRY_KEY_BURST     3.0
#define JS_SENTRY_KEY_EVERY     60000.0

enum {
    JS_SENTRY_TEXT = 0,      /* UTF-8 without control characters */
    JS_SENTRY_TOKEN,         /* [A-Za-z0-9._:@/-] */
    JS_SENTRY_ENUM,          /* one of values */
    JS_SENTRY_INT
};

typedef struct {
    const char         *name;
    int                 kind;
    size_t              max;       /* bytes; for INT the largest value */
    size_t              min;
    const char *const  *values;    /* ENUM */
} js_sentry_field_t;

static const char *const  js_sentry_sources[] = { "nginx", "jobscoutd",
                                                  NULL };
static const char *const  js_sentry_levels[] = { "fatal", "error",
                                                 "warning", NULL };

static const js_sentry_field_t  js_sentry_fields[] = {
    { "source", JS_SENTRY_ENUM, 0, 0, js_sentry_sources },
    { "message", JS_SENTRY_TEXT, JS_SENTRY_MESSAGE_MAX, 1, NULL },
    { "level", JS_SENTRY_ENUM, 0, 0, js_sentry_levels },
    { "status", JS_SENTRY_INT, 599, 500, NULL },
    { "code", JS_SENTRY_TOKEN, 64, 1, NULL },
    { "method", JS_SENTRY_TOKEN, 16, 1, NULL },
    { "url", JS_SENTRY_TEXT, 1024, 1, NULL },
    { "route", JS_SENTRY_TEXT, 200, 1, NULL },
    { "request_id", JS_SENTRY_TOKEN, 64, 1, NULL },
    { "user_id", JS_SENTRY_TOKEN, 64, 1, NULL },
    { "role", JS_SENTRY_TOKEN, 32, 1, NULL },
    { "queue", JS_SENTRY_TEXT, 128, 1, NULL },
    { "task_kind", JS_SENTRY_TEXT, 64, 1, NULL },
    { "task_id", JS_SENTRY_TEXT, 128, 1, NULL },
    { "attempt", JS_SENTRY_INT, 1000, 0, NULL },
    { "scrape_source", JS_SENTRY_TEXT, 128, 1, NULL },
    { "exit", JS_SENTRY_TEXT, 64, 1, NULL },
};

/* Members that become tags (values of at most 200 characters). */
static const char *const  js_sentry_tags[] = {
    "source", "route", "request_id", "code", "role", "queue", "task_kind",
    "scrape_source", NULL
};

static const char *const  js_sentry_extras[] = {
    "task_id", "attempt", "exit", NULL
};

static int  js_sentry_fd = -1;
static struct sockaddr_in  js_sentry_addr;

static int
js_sentry_error(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s", what);
    return -1;
}

int
js_sentry_dsn_parse(js_sentry_dsn_t *dsn, const char *s, char *err,
    size_t errlen)
{
    size_t       klen, hlen;
    const char  *p, *at, *colon, *slash, *project, *c;

    memset(dsn, 0, sizeof(*dsn));

    if (strncmp(s, "https://", 8) == 0) {
        p = s + 8;
    } else if (strncmp(s, "http://", 7) == 0) {
        p = s + 7;
    } else {
        return js_sentry_error(err, errlen, "expecting http:// or https://");
    }

    for (c = s; *c; c++) {
        if (*c <= ' ' || *c == 0x7f || *c == '?' || *c == '#'
            || *c == '"' || *c == '\\')
        {
            return js_sentry_error(err, errlen, "a character not allowed "
                                   "in a DSN");
        }
    }

    at = strchr(p, '@');
    slash = strchr(p, '/');
    if (at == NULL || (slash != NULL && slash < at)) {
        return js_sentry_error(err, errlen, "no public key before \"@\"");
    }

    colon = memchr(p, ':', at - p);
    klen = (colon ? colon : at) - p;
    if (klen == 0 || klen >= sizeof(dsn->key)) {
        return js_sentry_error(err, errlen, "an empty or too long key");
    }

    for (c = p; c < p + klen; c++) {
        if (strchr("0123456789abcdefABCDEF", *c) == NULL) {
            return js_sentry_error(err, errlen, "the key is not hex");
        }
    }

    /* the host (and path) run to the last '/', the project id after it */
    project = strrchr(at, '/');
    if (project == NULL || project == at + 1 || project[1] == '\0') {
        return js_sentry_error(err, errlen, "no host or no project id");
    }

    for (c = project + 1; *c; c++) {
        if (*c < '0' || *c > '9') {
            return js_sentry_error(err, errlen, "the project id is not a "
                                   "number");
        }
    }

    hlen = project - (at + 1);

    if (js_snprintf(dsn->endpoint, sizeof(dsn->endpoint),
                    "%.*s%.*s/api/%s/envelope/", (int) (p - s), s,
                    (int) hlen, at + 1, project + 1) < 0)
    {
        return js_sentry_error(err, errlen, "too long");
    }

    memcpy(dsn->key, p, klen);
    dsn->key[klen] = '\0';

    return 0;
}

int
js_sentry_listen_parse(const char *s, uint32_t *addr, uint16_t *port)
{
    long            n;
    char            host[INET_ADDRSTRLEN], *end;
    const char     *colon;
    struct in_addr  in;

    colon = strrchr(s, ':');
    if (colon == NULL || (size_t) (colon - s) >= sizeof(host)) {
        return -1;
    }

    memcpy(host, s, colon - s);
    host[colon - s] = '\0';

    errno = 0;
    n = strtol(colon + 1, &end, 10);
    if (colon[1] < '1' || colon[1] > '9' || *end != '\0' || errno != 0
        || n > 65535)
    {
        return -1;
    }

    /* loopback only: the datagrams come from this machine */
    if (inet_pton(AF_INET, host, &in) != 1
        || (ntohl(in.s_addr) >> 24) != 127)
    {
        return -1;
    }

    *addr = in.s_addr;
    *port = htons((uint16_t) n);
    return 0;
}

/* jansson has checked the UTF-8; controls are refused here. */
static int
js_sentry_valid_string(const js_sentry_field_t *f, const char *s,
    size_t len)
{
    size_t  i;

    if (len < f->min || len > f->max) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        unsigned char  c = (unsigned char) s[i];

        if (f->kind == JS_SENTRY_TOKEN) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9') || strchr("._:@/-", c)))
            {
                return 0;
            }

        } else if (c < 0x20 || c == 0x7f) {
            return 0;
        }
    }

    return 1;
}

static int
js_sentry_valid_member(const js_sentry_field_t *f, json_t *v)
{
    size_t       i;
    json_int_t   n;
    const char  *s;

    if (f->kind == JS_SENTRY_INT) {
        if (!json_is_integer(v)) {
            return 0;
        }
        n = json_integer_value(v);
        return n >= (json_int_t) f->min && n <= (json_int_t) f->max;
    }

    if (!json_is_string(v)) {
        return 0;
    }

    s = json_string_value(v);

    if (f->kind == JS_SENTRY_ENUM) {
        for (i = 0; f->values[i] != NULL; i++) {
            if (strcmp(f->values[i], s) == 0) {
                return 1;
            }
        }
        return 0;
    }

    return strlen(s) == json_string_length(v)
           && js_sentry_valid_string(f, s, json_string_length(v));
}

json_t *
js_sentry_report_parse(const char *buf, size_t len, char *err,
    size_t errlen)
{
    size_t        i;
    json_t       *o, *v;
    const char   *name;
    json_error_t  jerr;

    if (len == 0 || len > JS_SENTRY_DATAGRAM_MAX) {
        js_sentry_error(err, errlen, "empty or too large");
        return NULL;
    }

    o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (o == NULL) {
        snprintf(err, errlen, "not JSON: %s", jerr.text);
        return NULL;
    }

    if (!json_is_object(o)) {
        js_sentry_error(err, errlen, "not an object");
        goto invalid;
    }

    json_object_foreach(o, name, v) {
        for (i = 0; i < JS_ARRAY_SIZE(js_sentry_fields); i++) {
            if (strcmp(js_sentry_fields[i].name, name) == 0) {
                break;
            }
        }

        if (i == JS_ARRAY_SIZE(js_sentry_fields)) {
            snprintf(err, errlen, "unknown member \"%.64s\"", name);
            goto invalid;
        }

        if (!js_sentry_valid_member(&js_sentry_fields[i], v)) {
            snprintf(err, errlen, "invalid \"%s\"", name);
            goto invalid;
        }
    }

    if (json_object_get(o, "source") == NULL
        || json_object_get(o, "message") == NULL)
    {
        js_sentry_error(err, errlen, "no \"source\" or no \"message\"");
        goto invalid;
    }

    return o;

invalid:

    json_decref(o);
    return NULL;
}

static const char *
js_sentry_member(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

const char *
js_sentry_rate_key(const json_t *report, char *buf, size_t len)
{
    const char  *src, *route, *scrape;

    src = js_sentry_member(report, "source");
    route = js_sentry_member(report, "route");
    scrape = js_sentry_member(report, "scrape_source");

    if (scrape != NULL) {
        snprintf(buf, len, "scrape %s", scrape);

    } else if (route != NULL) {
        snprintf(buf, len, "%s %s", src, route);

    } else {
        snprintf(buf, len, "%s %s %s %s", src,
                 js_sentry_member(report, "role") ?: "-",
                 js_sentry_member(report, "task_kind") ?: "-",
                 js_sentry_member(report, "code") ?: "-");
    }

    return buf;
}

static int
js_sentry_take(js_sentry_bucket_t *b, double burst, double every,
    int64_t now)
{
    if (b->at == 0) {
        b->tokens = burst;
        b->at = now;
    }

    b->tokens += (double) (now - b->at) / every;
    if (b->tokens > burst) {
        b->tokens = burst;
    }
    b->at = now;

    if (b->tokens < 1.0) {
        return 0;
    }
    return 1;
}

int
js_sentry_rate_allow(js_sentry_rate_t *rl, const char *key, int64_t now)
{
    int                  i;
    js_sentry_bucket_t  *b = NULL, *oldest = &rl->keys[0];

    /* now is never 0 in a bucket in use */
    now = now > 0 ? now : 1;

    for (i = 0; i < JS_SENTRY_RATE_KEYS; i++) {
        if (rl->keys[i].at != 0 && strcmp(rl->keys[i].key, key) == 0) {
            b = &rl->keys[i];
            break;
        }
        if (rl->keys[i].at < oldest->at) {
            oldest = &rl->keys[i];
        }
    }

    if (b == NULL) {
        /* the least recently seen key makes room */
        b = oldest;
        memset(b, 0, sizeof(*b));
        snprintf(b->key, sizeof(b->key), "%s", key);
    }

    if (!js_sentry_take(b, JS_SENTRY_KEY_BURST, JS_SENTRY_KEY_EVERY, now)
        || !js_sentry_take(&rl->all, JS_SENTRY_ALL_BURST,
                           JS_SENTRY_ALL_EVERY, now))
    {
        return 0;
    }

    b->tokens -= 1.0;
    rl->all.tokens -= 1.0;
    return 1;
}

void
js_sentry_event_id(char id[33])
{
    int            i;
    unsigned char  r[16];

    if (getrandom(r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
        for (i = 0; i < 16; i++) {
            r[i] = (unsigned char) (rand() >> 3);
        }
    }

    for (i = 0; i < 16; i++) {
        snprintf(id + 2 * i, 3, "%02x", r[i]);
    }
}

/* Copies the named members of report present into a new object. */
static json_t *
js_sentry_pick(const json_t *report, const char *const *names)
{
    json_t  *o, *v;

    o = json_object();

    for ( ; o != NULL && *names != NULL; names++) {
        v = json_object_get(report, *names);
        if (v != NULL && json_object_set(o, *names, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }

    return o;
}

json_t *
js_sentry_event(const json_t *report, const js_sentry_meta_t *meta,
    const char *event_id, const char *timestamp)
{
    char         url[1025];
    json_t      *event, *tags, *extra, *v;
    const char  *src, *s;

    src = js_sentry_member(report, "source");

    tags = js_sentry_pick(report, js_sentry_tags);
    extra = js_sentry_pick(report, js_sentry_extras);

    v = json_object_get(report, "status");
    if (tags != NULL && v != NULL) {
        snprintf(url, sizeof(url), "%lld",
                 (long long) json_integer_value(v));
        json_object_set_new(tags, "status", json_string(url));
    }

    event = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
                      " s:{s:s}, s:o?, s:o?, s:{s:s, s:s}}",
                      "event_id", event_id,
                      "timestamp", timestamp,
                      "platform", strcmp(src, "nginx") == 0 ? "c" : "native",
                      "level", js_sentry_member(report, "level") ?: "error",
                      "logger", src,
                      "release", meta->release,
                      "environment", meta->environment,
                      "server_name", meta->server_name,
                      "message", "formatted",
                      js_sentry_member(report, "message"),
                      "tags", tags,
                      "extra", extra,
                      "sdk", "name", "jobscout", "version", JS_VERSION);
    if (event == NULL) {
        return NULL;
    }

    s = js_sentry_member(report, "user_id");
    if (s != NULL && json_object_set_new(event, "user",
                                         json_pack("{s:s}", "id", s)) != 0)
    {
        goto failed;
    }

    /* the path only: a query may carry a token */
    s = js_sentry_member(report, "url");
    if (s != NULL) {
        snprintf(url, sizeof(url), "%.*s", (int) strcspn(s, "?#"), s);
        if (json_object_set_new(event, "request",
                json_pack("{s:s, s:s}", "url", url, "method",
                          js_sentry_member(report, "method") ?: "GET"))
            != 0)
        {
            goto failed;
        }
    }

    return event;

failed:

    json_decref(event);
    return NULL;
}

char *
js_sentry_envelope(const char *dsn, const json_t *event,
    const char *sent_at, size_t *len)
{
    char    *payload, *header, *out = NULL;
    size_t   plen;
    json_t  *h;

    payload = json_dumps(event, JSON_COMPACT);
    if (payload == NULL) {
        return NULL;
    }
    plen = strlen(payload);

    h = json_pack("{s:s, s:s, s:s}",
                  "event_id", js_sentry_member(event, "event_id"),
                  "dsn", dsn, "sent_at", sent_at);
    header = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);

    if (header != NULL) {
        *len = strlen(header) + plen + 128;
        out = malloc(*len);
        if (out != NULL) {
            *len = (size_t) snprintf(out, *len,
                                     "%s\n{\"type\":\"event\",\"length\":%zu,"
                                     "\"content_type\":\"application/json\"}"
                                     "\n%s\n", header, plen, payload);
        }
    }

    free(header);
    free(payload);
    return out;
}

int
js_sentry_auth_header(const js_sentry_dsn_t *dsn, char *buf, size_t len)
{
    return js_snprintf(buf, len, "X-Sentry-Auth: Sentry sentry_version=7, "
                       "sentry_key=%s, sentry_client=jobscout/" JS_VERSION,
                       dsn->key);
}

void
js_sentry_client(const js_conf_t *cf)
{
    uint32_t  addr;
    uint16_t  port;

    if (js_sentry_fd != -1) {
        close(js_sentry_fd);
        js_sentry_fd = -1;
    }

    if (cf->sentry_listen == NULL
        || js_sentry_listen_parse(cf->sentry_listen, &addr, &port) != 0)
    {
        return;
    }

    memset(&js_sentry_addr, 0, sizeof(js_sentry_addr));
    js_sentry_addr.sin_family = AF_INET;
    js_sentry_addr.sin_addr.s_addr = addr;
    js_sentry_addr.sin_port = port;

    js_sentry_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          0);
}

void
js_sentry_report(json_t *report)
{
    char  *s;

    if (report == NULL) {
        return;
    }

    if (js_sentry_fd != -1
        && json_object_set_new(report, "source", json_string("jobscoutd"))
           == 0)
    {
        s = json_dumps(report, JSON_COMPACT);
        if (s != NULL) {
            /* EAGAIN, ECONNREFUSED: the report is dropped, as promised */
            (void) sendto(js_sentry_fd, s, strlen(s), MSG_DONTWAIT,
                          (struct sockaddr *) &js_sentry_addr,
                          sizeof(js_sentry_addr));
            free(s);
        }
    }

    json_decref(report);
}

const char *
js_sentry_text(char *dst, size_t size, const char *prefix, const char *src)
{
    size_t         n, i, need;
    unsigned char  lead;

    n = (size_t) snprintf(dst, size, "%s%s", prefix, src);

    /* a report takes no control characters (libpq ends lines with one) */
    for (i = 0; dst[i] != '\0'; i++) {
        if ((unsigned char) dst[i] < 0x20 || dst[i] == 0x7f) {
            dst[i] = ' ';
        }
    }

    if (n < size) {
        return dst;
    }

    /* cut before a UTF-8 sequence the end left incomplete */
    n = size - 1;
    for (i = n; i > 0 && ((unsigned char) dst[i - 1] & 0xc0) == 0x80; i--) {
        /* void */
    }

    if (i > 0) {
        lead = (unsigned char) dst[i - 1];
        need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (n - (i - 1) < need) {
            n = i - 1;
        }
    }

    dst[n] = '\0';
    return dst;
}
