/*
 * URLs (see url.h).
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "normalize.h"

static int
url_is_http(const char *s)
{
    xmlURIPtr  uri;
    int        ok;

    uri = xmlParseURI(s);
    if (uri == NULL) {
        return 0;
    }
    ok = uri->scheme != NULL
         && (strcasecmp(uri->scheme, "http") == 0
             || strcasecmp(uri->scheme, "https") == 0)
         && uri->server != NULL && uri->server[0] != '\0';
    xmlFreeURI(uri);
    return ok;
}

/* ref trimmed, with spaces and non-ASCII bytes percent-encoded, or
 * NULL when it has control characters or is too long. */
static char *
url_prepare(const char *ref)
{
    static const char  hex[] = "0123456789ABCDEF";
    const unsigned char  *s, *e;
    js_buf_t              b = { 0 };

    s = (const unsigned char *) ref;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    e = s + strlen((const char *) s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'
                     || e[-1] == '\r'))
    {
        e--;
    }
    if (e == s || (size_t) (e - s) > JS_URL_MAX) {
        return NULL;
    }
    for (; s < e; s++) {
        if (*s < 0x20 || *s == 0x7F) {
            free(b.p);
            return NULL;
        }
        if (*s >= 0x80 || strchr(" \"<>\\^`{|}", *s) != NULL) {
            js_buf_addc(&b, '%');
            js_buf_addc(&b, hex[*s >> 4]);
            js_buf_addc(&b, hex[*s & 0xF]);
        } else {
            js_buf_addc(&b, (char) *s);
        }
    }
    return js_buf_take(&b);
}

char *
js_url_resolve(const char *base, const char *ref)
{
    char     *r, *out;
    xmlChar  *built;

    if (ref == NULL) {
        return NULL;
    }
    r = url_prepare(ref);
    if (r == NULL) {
        return NULL;
    }
    if (base != NULL) {
        built = xmlBuildURI((const xmlChar *) r, (const xmlChar *) base);
        free(r);
        if (built == NULL) {
            return NULL;
        }
        out = strdup((const char *) built);
        xmlFree(built);
    } else {
        out = r;
    }
    if (out == NULL || strlen(out) > JS_URL_MAX || !url_is_http(out)) {
        free(out);
        return NULL;
    }
    return out;
}

char *
js_url_escape(const char *s)
{
    static const char  hex[] = "0123456789ABCDEF";
    const unsigned char  *p;
    js_buf_t              b = { 0 };

    for (p = (const unsigned char *) s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            js_buf_addc(&b, (char) *p);
        } else {
            js_buf_addc(&b, '%');
            js_buf_addc(&b, hex[*p >> 4]);
            js_buf_addc(&b, hex[*p & 0xF]);
        }
    }
    return js_buf_take(&b);
}

char *
js_url_set_param(const char *url, const char *name, const char *value)
{
    const char  *q, *frag, *p, *amp, *end;
    char        *ev;
    size_t       nlen = strlen(name);
    int          first = 1, done = 0;
    js_buf_t     b = { 0 };

    ev = js_url_escape(value);
    if (ev == NULL) {
        return NULL;
    }
    frag = strchr(url, '#');
    end = frag ? frag : url + strlen(url);
    q = memchr(url, '?', (size_t) (end - url));

    js_buf_add(&b, url, (size_t) ((q ? q : end) - url));
    if (q != NULL) {
        for (p = q + 1; p < end; p = amp + 1) {
            amp = memchr(p, '&', (size_t) (end - p));
            if (amp == NULL) {
                amp = end;
            }
            if (amp > p) {
                js_buf_addc(&b, first ? '?' : '&');
                first = 0;
                if ((size_t) (amp - p) >= nlen && strncmp(p, name, nlen) == 0
                    && (p + nlen == amp || p[nlen] == '='))
                {
                    if (!done) {
                        js_buf_add(&b, name, nlen);
                        js_buf_addc(&b, '=');
                        js_buf_add(&b, ev, strlen(ev));
                        done = 1;
                    } else {
                        b.len--;        /* drop a repeated parameter */
                        b.p[b.len] = '\0';
                        first = memchr(b.p, '?', b.len) == NULL;
                    }
                } else {
                    js_buf_add(&b, p, (size_t) (amp - p));
                }
            }
            if (amp == end) {
                break;
            }
        }
    }
    if (!done) {
        js_buf_addc(&b, first ? '?' : '&');
        js_buf_add(&b, name, nlen);
        js_buf_addc(&b, '=');
        js_buf_add(&b, ev, strlen(ev));
    }
    if (frag != NULL) {
        js_buf_add(&b, frag, strlen(frag));
    }
    free(ev);
    return js_buf_take(&b);
}

int
js_url_param(char **url, const char *name, const char *value)
{
    char  *u = js_url_set_param(*url, name, value);

    free(*url);
    *url = u;
    return u ? 0 : -1;
}

static const char *const  js_tracking_params[] = {
    "gclid", "gclsrc", "dclid", "fbclid", "msclkid", "yclid", "twclid",
    "ttclid", "igshid", "_ga", "_gl", "mc_cid", "mc_eid", "_hsenc",
    "_hsmi", "mkt_tok", "trk", "trkinfo", "refid", "trackingid", "gh_src",
    "lever-source", "lever-origin", NULL
};

static int
url_is_tracking(const char *name, size_t n)
{
    const char *const  *t;

    if (n > 4 && strncasecmp(name, "utm_", 4) == 0) {
        return 1;
    }
    for (t = js_tracking_params; *t != NULL; t++) {
        if (strlen(*t) == n && strncasecmp(name, *t, n) == 0) {
            return 1;
        }
    }
    return 0;
}

char *
js_url_strip_tracking(const char *url)
{
    const char  *q, *frag, *end, *p, *amp, *eq;
    int          first = 1, dropped = 0;
    js_buf_t     b = { 0 };

    frag = strchr(url, '#');
    end = frag ? frag : url + strlen(url);
    q = memchr(url, '?', (size_t) (end - url));
    if (q == NULL) {
        return strdup(url);
    }

    js_buf_add(&b, url, (size_t) (q - url));
    for (p = q + 1; p <= end; p = amp + 1) {
        amp = memchr(p, '&', (size_t) (end - p));
        if (amp == NULL) {
            amp = end;
        }
        eq = memchr(p, '=', (size_t) (amp - p));
        if (url_is_tracking(p, (size_t) ((eq ? eq : amp) - p))) {
            dropped = 1;
        } else if (amp > p) {
            js_buf_addc(&b, first ? '?' : '&');
            js_buf_add(&b, p, (size_t) (amp - p));
            first = 0;
        }
    }
    if (!dropped) {
        free(b.p);
        return strdup(url);     /* empty parameters and all, as it was */
    }
    js_buf_str(&b, frag);
    return js_buf_take(&b);
}


char *
js_url_concat(const char *base, size_t n, const char *a, const char *b,
    const char *c)
{
    char      *s, *url;
    js_buf_t   buf = { 0 };

    js_buf_add(&buf, base, n);
    js_buf_str(&buf, a);
    js_buf_str(&buf, b);
    js_buf_str(&buf, c);
    s = js_buf_take(&buf);
    if (s == NULL) {
        return NULL;
    }
    url = js_url_resolve(NULL, s);
    free(s);
    return url;
}
