#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"

#define JS_CONF_MAX_ARGS   8
#define JS_CONF_MAX_SIZE   (1024 * 1024)

/* Every message ends with "in file:line", the way nginx -t reports. */
int
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

char *
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

int
js_conf_oom(js_conf_ctx_t *ctx)
{
    return js_conf_error(ctx, "out of memory");
}

int
js_conf_store(js_conf_ctx_t *ctx, char **field, const char *v, size_t len)
{
    free(*field);
    *field = strndup(v, len);
    return *field ? 0 : js_conf_oom(ctx);
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

/* A bound written back in the largest unit it is a whole number of. */
static const char *
js_conf_msec_text(long ms, char *buf, size_t len)
{
    if (ms != 0 && ms % (3600 * 1000) == 0) {
        snprintf(buf, len, "%ldh", ms / (3600 * 1000));
    } else if (ms != 0 && ms % (60 * 1000) == 0) {
        snprintf(buf, len, "%ldm", ms / (60 * 1000));
    } else if (ms != 0 && ms % 1000 == 0) {
        snprintf(buf, len, "%lds", ms / 1000);
    } else {
        snprintf(buf, len, "%ldms", ms);
    }
    return buf;
}

static int
js_conf_msec(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    const js_conf_bounds_t *b, const char *v, int *ms)
{
    int    low;
    char   bound[32];

    /*
     * -1 spelt out: the analyzer does not follow the variadic
     * js_conf_error() and would take *ms as unset on success.
     */
    if (js_conf_parse_msec(v, ms) != 0) {
        (void) js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive", v, d->name);
        return -1;
    }

    if (*ms < b->min || *ms > b->max) {
        low = *ms < b->min;
        (void) js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, must be at %s %s", v, d->name,
                             low ? "least" : "most",
                             js_conf_msec_text(low ? b->min : b->max, bound,
                                               sizeof(bound)));
        return -1;
    }
    return 0;
}

int
js_conf_set_msec_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    return js_conf_msec(ctx, d, d->post, args[0],
                        JS_CONF_FIELD(ctx, d, int));
}

int
js_conf_set_msec_pair_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    int                    first, second;
    const js_conf_pair_t  *pair = d->post;

    if (js_conf_msec(ctx, d, &pair->bounds, args[0], &first) != 0
        || js_conf_msec(ctx, d, &pair->bounds, args[1], &second) != 0)
    {
        return -1;
    }

    if (second < first) {
        return js_conf_error(ctx, "\"%s\" %s \"%s\" is less than its %s "
                             "\"%s\"", d->name, pair->second_name, args[1],
                             pair->first_name, args[0]);
    }

    *JS_CONF_FIELD(ctx, d, int) = first;
    *(int *) ((char *) ctx->cf + pair->second) = second;
    return 0;
}

/*
 * Digits into an int, or into a size_t when sized, where a "k" or "m"
 * suffix multiplies by 1024 or 1024 * 1024.
 */
static int
js_conf_number(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    const char *v, int sized)
{
    long                     n, mul = 1;
    char                    *end;
    const js_conf_bounds_t  *b = d->post;

    errno = 0;
    n = strtol(v, &end, 10);

    if (sized && (*end == 'k' || *end == 'K')) {
        mul = 1024;
        end++;
    } else if (sized && (*end == 'm' || *end == 'M')) {
        mul = 1024 * 1024;
        end++;
    }

    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0
        || n > LONG_MAX / mul || n * mul < b->min || n * mul > b->max)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, must be %ld..%ld", v, d->name,
                             b->min, b->max);
    }

    if (sized) {
        *JS_CONF_FIELD(ctx, d, size_t) = (size_t) (n * mul);
    } else {
        *JS_CONF_FIELD(ctx, d, int) = (int) n;
    }
    return 0;
}

int
js_conf_set_num_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    return js_conf_number(ctx, d, args[0], 0);
}

int
js_conf_set_size_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    return js_conf_number(ctx, d, args[0], 1);
}

int
js_conf_set_enum_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char                         expecting[256];
    size_t                       len = 0;
    const js_conf_enum_t        *e = d->post;
    const js_conf_enum_value_t  *v;

    for (v = e->values; v->name != NULL; v++) {
        if (strcmp(v->name, args[0]) == 0) {
            *JS_CONF_FIELD(ctx, d, int) = v->value;
            return 0;
        }
    }

    /* "a", "b" or "c" */
    for (v = e->values; v->name != NULL && len < sizeof(expecting); v++) {
        len += snprintf(expecting + len, sizeof(expecting) - len, "%s\"%s\"",
                        v == e->values ? ""
                        : v[1].name == NULL ? " or " : ", ", v->name);
    }

    return js_conf_error(ctx, "invalid %s \"%s\" in \"%s\" directive, "
                         "expecting %s", e->what, args[0], d->name,
                         expecting);
}

int
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

static unsigned
js_conf_flags(const js_conf_directive_t *d)
{
    return d->post ? *(const unsigned *) d->post : 0;
}

/* A printable string, non-empty unless JS_CONF_EMPTY_OK. */
int
js_conf_set_str_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    if (args[0][0] == '\0' && !(js_conf_flags(d) & JS_CONF_EMPTY_OK)) {
        return js_conf_error(ctx, "empty \"%s\"", d->name);
    }

    if (js_conf_printable(ctx, d->name, args[0]) != 0) {
        return -1;
    }

    return js_conf_store(ctx, JS_CONF_FIELD(ctx, d, char *), args[0],
                         strlen(args[0]));
}

/* Relative to the prefix; JS_CONF_READABLE: readable now, for -t. */
int
js_conf_set_path_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char  **path = JS_CONF_FIELD(ctx, d, char *);

    if (args[0][0] == '\0') {
        return js_conf_error(ctx, "empty \"%s\"", d->name);
    }

    free(*path);
    *path = js_conf_path(ctx->cf->prefix, args[0]);
    if (*path == NULL) {
        return js_conf_oom(ctx);
    }

    if ((js_conf_flags(d) & JS_CONF_READABLE) && access(*path, R_OK) != 0) {
        return js_conf_error(ctx, "\"%s\" \"%s\" cannot be read (%d: %s)",
                             d->name, *path, errno, strerror(errno));
    }
    return 0;
}

/* An absolute http(s) URL with a host. */
int
js_conf_set_url_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args)
{
    char                 *u = args[0];
    size_t                len, host;
    const js_conf_url_t  *url = d->post;

    host = strncmp(u, "https://", 8) == 0 ? 8
           : strncmp(u, "http://", 7) == 0 ? 7 : 0;

    if (host == 0 || u[host] == '\0' || u[host] == '/'
        || strpbrk(u, url->reject) != NULL)
    {
        return js_conf_error(ctx, "invalid value \"%s\" in \"%s\" "
                             "directive, expecting "
                             "http[s]://host[:port][/path]", u, d->name);
    }

    if (js_conf_printable(ctx, d->name, u) != 0) {
        return -1;
    }

    len = strlen(u);
    while (url->base && u[len - 1] == '/') {
        len--;
    }

    return js_conf_store(ctx, JS_CONF_FIELD(ctx, d, char *), u, len);
}

static int
js_conf_directive(js_conf_ctx_t *ctx, char **args, int nargs)
{
    size_t                      i;
    const js_conf_directive_t  *d;

    for (i = 0; i < ctx->ndirectives; i++) {
        d = &ctx->directives[i];

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

        return d->set(ctx, d, args + 1);
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

char *
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

    // cppcheck-suppress nullPointerRedundantCheck ; NULL returned above
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
js_conf_parse_file(js_conf_ctx_t *ctx)
{
    int     rc;
    char   *buf;
    size_t  size = 0;

    buf = js_conf_read(ctx, &size);
    if (buf == NULL) {
        return -1;
    }

    rc = js_conf_parse(ctx, buf, buf + size);
    free(buf);
    return rc;
}
