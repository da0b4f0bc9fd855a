#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robots.h"

static const char  js_robots_hex[] = "0123456789ABCDEF";

static int
js_robots_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
           || (c >= 'A' && c <= 'F');
}

/*
 * Appends s (len bytes) to out, comparable form: octets >= 0x80
 * percent-encoded, %xx upper-cased, control characters dropped.  out
 * has room for 3 * len bytes.  Returns the bytes written.
 */
static size_t
js_robots_norm(const char *s, size_t len, char *out)
{
    size_t          i, n = 0;
    unsigned char   c;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];
        if (c >= 0x80) {
            out[n++] = '%';
            out[n++] = js_robots_hex[c >> 4];
            out[n++] = js_robots_hex[c & 0xf];
        } else if (c == '%' && i + 2 < len && js_robots_is_hex(s[i + 1])
                   && js_robots_is_hex(s[i + 2]))
        {
            out[n++] = '%';
            out[n++] = (char) (s[i + 1] >= 'a' ? s[i + 1] - 32 : s[i + 1]);
            out[n++] = (char) (s[i + 2] >= 'a' ? s[i + 2] - 32 : s[i + 2]);
            i += 2;
        } else if (c >= 0x20 && c != 0x7f) {
            out[n++] = (char) c;
        }
    }
    return n;
}

/* The product token of a user-agent value equals agent. */
static int
js_robots_agent_is(const char *v, size_t len, const char *agent)
{
    size_t  n = 0;

    while (n < len && ((v[n] >= 'a' && v[n] <= 'z')
                       || (v[n] >= 'A' && v[n] <= 'Z')
                       || v[n] == '_' || v[n] == '-'))
    {
        n++;
    }
    return n > 0 && n == strlen(agent) && strncasecmp(v, agent, n) == 0;
}

typedef struct {
    char    *p;
    size_t   len;
} js_robots_buf_t;

static void
js_robots_add(js_robots_buf_t *b, char kind, const char *norm, size_t n)
{
    b->p[b->len++] = kind;
    memcpy(b->p + b->len, norm, n);
    b->len += n;
    b->p[b->len++] = '\n';
}

/* The first space or tab of s (n bytes), NULL when none. */
static const char *
js_robots_blank(const char *s, size_t n)
{
    for ( ; n > 0; s++, n--) {
        if (*s == ' ' || *s == '\t') {
            return s;
        }
    }
    return NULL;
}

/* A Crawl-delay value (seconds, maybe fractional) in ms; 0 when bad. */
static int
js_robots_delay(const char *v, size_t len)
{
    char    buf[32], *end;
    double  d;

    if (len == 0 || len >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, v, len);
    buf[len] = '\0';

    d = strtod(buf, &end);
    if (*end != '\0' || !(d > 0 && d <= JS_ROBOTS_MAX_DELAY / 1000)) {
        return 0;
    }
    return (int) (d * 1000 + 0.5);
}

/* Ends the rules with the group's Crawl-delay, if any, and a NUL. */
static char *
js_robots_end(js_robots_buf_t *b, int delay)
{
    if (delay > 0) {
        b->len += sprintf(b->p + b->len, "C%d\n", delay);
    }
    b->p[b->len] = '\0';
    return b->p;
}

char *
js_robots_rules(const char *body, size_t len, const char *agent)
{
    int               mine = 0, star = 0, any_mine = 0, any_star = 0;
    int               in_agents = 0, delay_mine = 0, delay_star = 0, d;
    char             *norm;
    size_t            n, klen, vlen;
    const char       *p, *end, *eol, *sep, *k, *v;
    js_robots_buf_t   bm, bs;

    if (len > JS_ROBOTS_MAX) {
        len = JS_ROBOTS_MAX;
    }

    /* Each rule is at most 3x its value plus 2 bytes; "C<ms>\n" ends. */
    bm.p = malloc(3 * len + 3 + 16);
    bs.p = malloc(3 * len + 3 + 16);
    norm = malloc(3 * len + 1);
    bm.len = 0;
    bs.len = 0;

    if (bm.p == NULL || bs.p == NULL || norm == NULL) {
        free(bm.p);
        free(bs.p);
        free(norm);
        return NULL;
    }

    /* a UTF-8 BOM, or the part of one it starts with, at the start only
     * (as Google's parser): elsewhere it is part of the line */
    for (n = 0; n < 3 && n < len && body[n] == "\xef\xbb\xbf"[n]; n++) {
        /* void */
    }

    for (p = body + n, end = body + len; p < end; p = eol + 1) {
        /* LF, CR LF or a CR alone ends a line (RFC 9309 2.2) */
        for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++) {
            /* void */
        }

        /* key ":" value, "#" starts a comment */
        k = p;
        n = eol - p;
        v = memchr(k, '#', n);
        if (v != NULL) {
            n = v - k;
        }
        while (n > 0 && (*k == ' ' || *k == '\t')) {
            k++;
            n--;
        }
        while (n > 0 && (k[n - 1] == ' ' || k[n - 1] == '\t')) {
            n--;
        }

        sep = memchr(k, ':', n);
        if (sep == NULL) {
            /* the colon forgotten ("disallow /x"): Google's parser takes
             * the blanks for it when the line is two words, no more */
            sep = js_robots_blank(k, n);
            if (sep == NULL) {
                continue;
            }
            for (v = sep; *v == ' ' || *v == '\t'; v++) {
                /* void */
            }
            if (js_robots_blank(v, k + n - v) != NULL) {
                continue;
            }
        }

        klen = sep - k;
        while (klen > 0 && (k[klen - 1] == ' ' || k[klen - 1] == '\t')) {
            klen--;
        }

        v = sep + 1;
        vlen = k + n - v;
        while (vlen > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vlen--;
        }

        if (klen == 10 && strncasecmp(k, "user-agent", 10) == 0) {
            if (!in_agents) {
                mine = 0;             /* a new group starts */
                star = 0;
                in_agents = 1;
            }
            if (vlen == 1 && v[0] == '*') {
                star = 1;
                any_star = 1;
            } else if (js_robots_agent_is(v, vlen, agent)) {
                mine = 1;
                any_mine = 1;
            }
            continue;
        }

        if ((klen == 5 && strncasecmp(k, "allow", 5) == 0)
            || (klen == 8 && strncasecmp(k, "disallow", 8) == 0))
        {
            in_agents = 0;
            if (vlen == 0 || (!mine && !star)) {
                continue;             /* empty: matches nothing */
            }
            n = js_robots_norm(v, vlen, norm);
            if (mine) {
                js_robots_add(&bm, klen == 5 ? 'A' : 'D', norm, n);
            }
            if (star) {
                js_robots_add(&bs, klen == 5 ? 'A' : 'D', norm, n);
            }
        }
        /* Crawl-delay (not in RFC 9309, widely used) and other records
         * neither start nor end a group; the longest delay of the
         * merged groups is kept */
        if (klen == 11 && strncasecmp(k, "crawl-delay", 11) == 0) {
            d = js_robots_delay(v, vlen);
            if (mine && d > delay_mine) {
                delay_mine = d;
            }
            if (star && d > delay_star) {
                delay_star = d;
            }
        }
    }

    free(norm);

    if (any_mine) {
        free(bs.p);
        return js_robots_end(&bm, delay_mine);
    }

    free(bm.p);
    if (!any_star) {
        bs.len = 0;
        delay_star = 0;
    }
    return js_robots_end(&bs, delay_star);
}

int
js_robots_crawl_delay(const char *rules)
{
    const char  *r;

    for (r = rules; r != NULL && *r != '\0'; r = strchr(r, '\n')) {
        if (*r == '\n') {
            r++;
        }
        if (*r == 'C') {
            return atoi(r + 1);
        }
    }
    return 0;
}

/*
 * Glob match of pattern p (pl bytes, "*" wildcards) against s: the
 * whole of s when anchored, else a prefix of s.  Greedy with one
 * backtrack point: O(pl * sl), whatever a hostile file holds.
 */
static int
js_robots_match(const char *p, size_t pl, const char *s, size_t sl,
    int anchored)
{
    size_t  pi = 0, si = 0, star = (size_t) -1, mark = 0;

    for ( ;; ) {
        if (!anchored && pi == pl) {
            return 1;
        }
        if (si == sl) {
            break;
        }
        if (pi < pl && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pl && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t) -1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return 0;
        }
    }

    while (pi < pl && p[pi] == '*') {
        pi++;
    }
    return pi == pl;
}

int
js_robots_allowed(const char *rules, const char *path)
{
    int          allow = 1, anchored;
    char        *norm;
    size_t       best = 0, plen, len, nlen;
    const char  *r, *eol;

    if (strcmp(path, "/robots.txt") == 0) {
        return 1;
    }

    len = strlen(path);
    norm = malloc(3 * len + 1);
    if (norm == NULL) {
        return 0;                     /* in doubt, do not fetch */
    }
    nlen = js_robots_norm(path, len, norm);

    for (r = rules; *r != '\0'; r = eol + 1) {
        eol = strchr(r, '\n');
        if (eol == NULL) {
            break;
        }

        if (r[0] != 'A' && r[0] != 'D') {
            continue;                 /* the crawl delay */
        }

        plen = eol - r - 1;
        anchored = plen > 0 && r[plen] == '$';

        if (!js_robots_match(r + 1, anchored ? plen - 1 : plen, norm, nlen,
                             anchored))
        {
            continue;
        }

        /* longest wins; on a tie, allow */
        if (plen > best || (plen == best && r[0] == 'A')) {
            best = plen;
            allow = r[0] == 'A';
        }
    }

    free(norm);
    return allow;
}
