/*
 * Normalization shared by the source adapters (see normalize.h).
 */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "normalize.h"

#define JS_SKILLS_MAX      50
#define JS_SKILL_MAX       64
/* Free text longer than this is not searched for salaries or markers. */
#define JS_SCAN_MAX        1024

void
js_buf_add(js_buf_t *b, const char *s, size_t n)
{
    size_t   cap;
    char    *p;

    if (b->oom) {
        return;
    }
    if (b->len + n + 1 > b->cap) {
        cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap) {
            cap *= 2;
        }
        p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
js_buf_str(js_buf_t *b, const char *s)
{
    if (s != NULL) {
        js_buf_add(b, s, strlen(s));
    }
}

static void
buf_addc(js_buf_t *b, char c)
{
    js_buf_add(b, &c, 1);
}

char *
js_buf_take(js_buf_t *b)
{
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    if (b->p == NULL) {
        return strdup("");
    }
    return b->p;
}

static int
utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char) cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char) (0xC0 | (cp >> 6));
        out[1] = (char) (0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char) (0xE0 | (cp >> 12));
        out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char) (0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char) (0xF0 | (cp >> 18));
    out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char) (0x80 | (cp & 0x3F));
    return 4;
}

/* The length of the valid UTF-8 sequence at s (n > 0 bytes left) and its
 * code point, or 0 when invalid (overlong, surrogate, truncated). */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t    len, i;
    uint32_t  c, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2; c = s[0] & 0x1F; min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3; c = s[0] & 0x0F; min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4; c = s[0] & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    *cp = c;
    return len;
}


/*
 * Entities.
 */

typedef struct {
    const char  *name;
    uint32_t     cp;
} js_entity_t;

/* The entities job boards actually send; the rest stay as written. */
static const js_entity_t  js_entities[] = {
    { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
    { "apos", '\'' }, { "nbsp", 0xA0 }, { "ndash", 0x2013 },
    { "mdash", 0x2014 }, { "hellip", 0x2026 }, { "lsquo", 0x2018 },
    { "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D },
    { "sbquo", 0x201A }, { "bdquo", 0x201E }, { "bull", 0x2022 },
    { "middot", 0xB7 }, { "copy", 0xA9 }, { "reg", 0xAE },
    { "trade", 0x2122 }, { "euro", 0x20AC }, { "pound", 0xA3 },
    { "yen", 0xA5 }, { "cent", 0xA2 }, { "deg", 0xB0 }, { "times", 0xD7 },
    { "divide", 0xF7 }, { "plusmn", 0xB1 }, { "para", 0xB6 },
    { "sect", 0xA7 }, { "laquo", 0xAB }, { "raquo", 0xBB },
    { "iexcl", 0xA1 }, { "iquest", 0xBF }, { "shy", 0xAD },
    { "ensp", 0x2002 }, { "emsp", 0x2003 }, { "thinsp", 0x2009 },
    { "zwnj", 0x200C }, { "zwj", 0x200D }, { "rarr", 0x2192 },
    { "larr", 0x2190 }, { "check", 0x2713 }, { "dagger", 0x2020 },
    { "aacute", 0xE1 }, { "Aacute", 0xC1 }, { "agrave", 0xE0 },
    { "acirc", 0xE2 }, { "auml", 0xE4 }, { "Auml", 0xC4 },
    { "atilde", 0xE3 }, { "aring", 0xE5 }, { "aelig", 0xE6 },
    { "ccedil", 0xE7 }, { "Ccedil", 0xC7 }, { "eacute", 0xE9 },
    { "Eacute", 0xC9 }, { "egrave", 0xE8 }, { "ecirc", 0xEA },
    { "euml", 0xEB }, { "iacute", 0xED }, { "igrave", 0xEC },
    { "icirc", 0xEE }, { "iuml", 0xEF }, { "ntilde", 0xF1 },
    { "Ntilde", 0xD1 }, { "oacute", 0xF3 }, { "ograve", 0xF2 },
    { "ocirc", 0xF4 }, { "ouml", 0xF6 }, { "Ouml", 0xD6 },
    { "otilde", 0xF5 }, { "oslash", 0xF8 }, { "uacute", 0xFA },
    { "ugrave", 0xF9 }, { "ucirc", 0xFB }, { "uuml", 0xFC },
    { "Uuml", 0xDC }, { "szlig", 0xDF }, { "yacute", 0xFD },
};

/* HTML5 reads &#128; to &#159; as Windows-1252. */
static const uint16_t  js_cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/*
 * Decodes the entity at s ('&', n bytes left): its code point and
 * length, or 0 when it is no entity (the '&' is then literal).  Named
 * entities need their ';' but for the five legacy ones.
 */
static size_t
entity_decode(const char *s, size_t n, uint32_t *cp)
{
    size_t    i, len;
    uint32_t  v;
    int       hex, digits;
    char      name[12];

    if (n < 3) {
        return 0;
    }
    if (s[1] == '#') {
        hex = (s[2] == 'x' || s[2] == 'X');
        i = hex ? 3 : 2;
        v = 0;
        digits = 0;
        while (i < n && (hex ? isxdigit((unsigned char) s[i])
                             : isdigit((unsigned char) s[i])))
        {
            if (v < 0x110000) {
                v = v * (hex ? 16 : 10)
                    + (uint32_t) (isdigit((unsigned char) s[i])
                                  ? s[i] - '0'
                                  : (tolower((unsigned char) s[i]) - 'a'
                                     + 10));
            }
            i++;
            digits++;
        }
        if (digits == 0) {
            return 0;
        }
        if (i < n && s[i] == ';') {
            i++;
        }
        if (v >= 0x80 && v <= 0x9F) {
            v = js_cp1252[v - 0x80];
        } else if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            v = 0xFFFD;
        }
        *cp = v;
        return i;
    }

    for (len = 0; len + 1 < n && len < sizeof(name) - 1
                  && isalnum((unsigned char) s[len + 1]); len++)
    {
        name[len] = s[len + 1];
    }
    name[len] = '\0';
    if (len == 0) {
        return 0;
    }
    for (i = 0; i < sizeof(js_entities) / sizeof(js_entities[0]); i++) {
        if (strcmp(js_entities[i].name, name) != 0) {
            continue;
        }
        *cp = js_entities[i].cp;
        if (len + 1 < n && s[len + 1] == ';') {
            return len + 2;
        }
        if (*cp == '&' || *cp == '<' || *cp == '>' || *cp == '"'
            || *cp == 0xA0)
        {
            return len + 1;
        }
        return 0;
    }
    return 0;
}

char *
js_entities_decode(const char *s, size_t len)
{
    size_t    i, n;
    uint32_t  cp;
    char      u[4];
    js_buf_t  b = { 0 };

    for (i = 0; i < len; ) {
        if (s[i] == '&' && (n = entity_decode(s + i, len - i, &cp)) > 0) {
            js_buf_add(&b, u, (size_t) utf8_encode(cp, u));
            i += n;
            continue;
        }
        js_buf_add(&b, s + i, 1);
        i++;
    }
    return js_buf_take(&b);
}


/*
 * Clean text.
 */

typedef struct {
    js_buf_t  b;
    size_t    max;
    int       line;           /* one line: breaks are spaces */
    int       space;          /* a space is pending */
    int       breaks;         /* newlines pending: 0, 1 or 2 */
    int       full;           /* max + a margin reached: drop the rest */
} js_text_t;

static void
text_break(js_text_t *t, int n)
{
    if (t->line) {
        t->space = 1;
    } else if (n > t->breaks) {
        t->breaks = n > 2 ? 2 : n;
    }
}

/* Appends one character (UTF-8 bytes) that is not white space. */
static void
text_put(js_text_t *t, const char *s, size_t n)
{
    if (t->full) {
        return;
    }
    if (t->b.len > 0) {
        if (t->breaks) {
            js_buf_add(&t->b, "\n\n", (size_t) t->breaks);
        } else if (t->space) {
            buf_addc(&t->b, ' ');
        }
    }
    t->space = 0;
    t->breaks = 0;
    js_buf_add(&t->b, s, n);
    if (t->b.len > t->max + 8) {
        t->full = 1;
    }
}

static void
text_cp(js_text_t *t, uint32_t cp)
{
    char  u[4];

    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f'
        || cp == 0xA0 || cp == 0x2002 || cp == 0x2003 || cp == 0x2009)
    {
        t->space = 1;
        return;
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xAD
        || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF)
    {
        return;
    }
    text_put(t, u, (size_t) utf8_encode(cp, u));
}

/* Cuts s (len bytes) to at most max bytes on a character boundary,
 * ending with "…" when cut. */
static void
text_cap(js_buf_t *b, size_t max)
{
    size_t  n;

    if (b->oom || b->len <= max) {
        return;
    }
    n = max >= 3 ? max - 3 : 0;
    while (n > 0 && ((unsigned char) b->p[n] & 0xC0) == 0x80) {
        n--;
    }
    while (n > 0 && (b->p[n - 1] == ' ' || b->p[n - 1] == '\n')) {
        n--;
    }
    b->len = n;
    if (max >= 3) {
        js_buf_add(b, "\xE2\x80\xA6", 3);
    } else {
        b->p[n] = '\0';
    }
}

typedef struct {
    const char  *name;
    int          breaks;      /* 1 line break, 2 paragraph, 0 a space */
} js_block_t;

static const js_block_t  js_blocks[] = {
    { "br", 1 }, { "li", 1 }, { "tr", 1 }, { "dt", 1 }, { "dd", 1 },
    { "option", 1 },
    { "p", 2 }, { "div", 2 }, { "h1", 2 }, { "h2", 2 }, { "h3", 2 },
    { "h4", 2 }, { "h5", 2 }, { "h6", 2 }, { "ul", 2 }, { "ol", 2 },
    { "dl", 2 }, { "table", 2 }, { "section", 2 }, { "article", 2 },
    { "blockquote", 2 }, { "pre", 2 }, { "header", 2 }, { "footer", 2 },
    { "hr", 2 }, { "form", 2 }, { "fieldset", 2 }, { "figure", 2 },
    { "main", 2 }, { "nav", 2 }, { "aside", 2 }, { "address", 2 },
    { "td", 0 }, { "th", 0 },
};

/* Elements whose content is not text. */
static const char  *js_hidden[] = {
    "script", "style", "head", "template", "noscript", "svg", "iframe",
};

/* Skips past the next "</name" and its '>'; returns the new index. */
static size_t
skip_element(const char *s, size_t len, size_t i, const char *name)
{
    size_t  n = strlen(name);

    for (; i + 2 + n <= len; i++) {
        if (s[i] == '<' && s[i + 1] == '/'
            && strncasecmp(s + i + 2, name, n) == 0)
        {
            i += 2 + n;
            while (i < len && s[i] != '>') {
                i++;
            }
            return i < len ? i + 1 : len;
        }
    }
    return len;
}

/*
 * The tag at s[i] == '<': applies it and returns the index after it, or
 * i when '<' is a literal character.
 */
static size_t
text_tag(js_text_t *t, const char *s, size_t len, size_t i)
{
    size_t  j, k, n;
    int     closing;
    char    name[12], quote;

    if (i + 1 >= len) {
        return i;
    }
    if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        for (j = i + 4; j + 3 <= len; j++) {
            if (memcmp(s + j, "-->", 3) == 0) {
                return j + 3;
            }
        }
        return len;
    }
    closing = s[i + 1] == '/';
    j = i + 1 + (size_t) closing;
    if (s[i + 1] == '!' || s[i + 1] == '?') {
        closing = 0;
    } else if (j >= len || !isalpha((unsigned char) s[j])) {
        return i;
    }

    for (n = 0; j < len && isalnum((unsigned char) s[j]); j++) {
        if (n < sizeof(name) - 1) {
            name[n++] = (char) tolower((unsigned char) s[j]);
        }
    }
    name[n] = '\0';

    /* to the '>' outside quoted attribute values */
    for (quote = 0; j < len; j++) {
        if (quote) {
            if (s[j] == quote) {
                quote = 0;
            }
        } else if (s[j] == '"' || s[j] == '\'') {
            quote = s[j];
        } else if (s[j] == '>') {
            break;
        }
    }
    if (j >= len) {
        return len;                 /* a truncated tag: the rest is gone */
    }
    j++;

    for (k = 0; k < sizeof(js_hidden) / sizeof(js_hidden[0]); k++) {
        if (!closing && strcmp(name, js_hidden[k]) == 0
            && s[j - 2] != '/')
        {
            return skip_element(s, len, j, name);
        }
    }
    for (k = 0; k < sizeof(js_blocks) / sizeof(js_blocks[0]); k++) {
        if (strcmp(name, js_blocks[k].name) != 0) {
            continue;
        }
        if (js_blocks[k].breaks == 0) {
            t->space = 1;
        } else {
            text_break(t, js_blocks[k].breaks);
        }
        if (!closing && !t->line && strcmp(name, "li") == 0) {
            text_put(t, "-", 1);
            t->space = 1;
        }
        break;
    }
    return j;
}

static char *
text_convert(const char *s, size_t len, size_t max, int line, int plain)
{
    size_t     i, n;
    uint32_t   cp;
    js_text_t  t;

    memset(&t, 0, sizeof(t));
    t.max = max;
    t.line = line;

    for (i = 0; i < len && !t.full; ) {
        if (plain) {
            if (s[i] == '\n') {
                text_break(&t, t.breaks + 1);
                i++;
                continue;
            }
        } else if (s[i] == '<') {
            n = text_tag(&t, s, len, i);
            if (n != i) {
                i = n;
                continue;
            }
        }
        if (!plain && s[i] == '&'
            && (n = entity_decode(s + i, len - i, &cp)) > 0)
        {
            text_cp(&t, cp);
            i += n;
            continue;
        }
        n = utf8_decode((const unsigned char *) s + i, len - i, &cp);
        if (n == 0) {
            cp = 0xFFFD;
            n = 1;
        }
        text_cp(&t, cp);
        i += n;
    }
    text_cap(&t.b, max);
    return js_buf_take(&t.b);
}

char *
js_html_to_text(const char *html, size_t len, size_t max)
{
    if (html == NULL) {
        return strdup("");
    }
    return text_convert(html, len, max, 0, 0);
}

char *
js_plain_to_text(const char *s, size_t len, size_t max)
{
    if (s == NULL) {
        return strdup("");
    }
    return text_convert(s, len, max, 0, 1);
}

char *
js_text_line(const char *s, size_t len, size_t max)
{
    char  *r;

    if (s == NULL) {
        return NULL;
    }
    r = text_convert(s, len, max, 1, 0);
    if (r != NULL && r[0] == '\0') {
        free(r);
        return NULL;
    }
    return r;
}


/*
 * URLs.
 */

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
            buf_addc(&b, '%');
            buf_addc(&b, hex[*s >> 4]);
            buf_addc(&b, hex[*s & 0xF]);
        } else {
            buf_addc(&b, (char) *s);
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
            buf_addc(&b, (char) *p);
        } else {
            buf_addc(&b, '%');
            buf_addc(&b, hex[*p >> 4]);
            buf_addc(&b, hex[*p & 0xF]);
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
                buf_addc(&b, first ? '?' : '&');
                first = 0;
                if ((size_t) (amp - p) >= nlen && strncmp(p, name, nlen) == 0
                    && (p + nlen == amp || p[nlen] == '='))
                {
                    if (!done) {
                        js_buf_add(&b, name, nlen);
                        buf_addc(&b, '=');
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
        buf_addc(&b, first ? '?' : '&');
        js_buf_add(&b, name, nlen);
        buf_addc(&b, '=');
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

/*
 * Words: a copy of s, lower case, " word word ... " with single spaces,
 * so that phrases are found with strstr(" work from home ").  Word
 * characters are ASCII letters and digits, '+', '#' and non-ASCII bytes.
 */
static char *
words(const char *s, size_t max)
{
    size_t    i;
    int       in = 0;
    js_buf_t  b = { 0 };

    buf_addc(&b, ' ');
    for (i = 0; s != NULL && s[i] != '\0' && i < max; i++) {
        unsigned char  c = (unsigned char) s[i];

        if (isalnum(c) || c == '+' || c == '#' || c >= 0x80) {
            buf_addc(&b, (char) tolower(c));
            in = 1;
        } else if (c == '.' && in && isalpha((unsigned char) s[i + 1])
                   && (i < 2 || !isalpha((unsigned char) s[i - 2])))
        {
            continue;               /* "p.a." reads "pa" */
        } else if (in) {
            buf_addc(&b, ' ');
            in = 0;
        }
    }
    if (in) {
        buf_addc(&b, ' ');
    }
    return js_buf_take(&b);
}

static int
has_word(const char *w, const char *const *list)
{
    char  key[48];

    for (; *list != NULL; list++) {
        snprintf(key, sizeof(key), " %s ", *list);
        if (strstr(w, key) != NULL) {
            return 1;
        }
    }
    return 0;
}


/*
 * Salaries.
 */

typedef struct {
    const char  *code;
    double       per_usd;     /* rough units per US dollar: the order of
                                 magnitude is what the checks need */
} js_currency_t;

static const js_currency_t  js_currencies[] = {
    { "USD", 1 }, { "EUR", 1 }, { "GBP", 1 }, { "CHF", 1 },
    { "CAD", 1.4 }, { "AUD", 1.5 }, { "NZD", 1.7 }, { "SGD", 1.3 },
    { "HKD", 7.8 }, { "AED", 3.7 }, { "SAR", 3.75 }, { "QAR", 3.6 },
    { "KES", 130 }, { "NGN", 1500 }, { "ZAR", 18 }, { "UGX", 3700 },
    { "TZS", 2600 }, { "RWF", 1300 }, { "ETB", 120 }, { "GHS", 15 },
    { "EGP", 50 }, { "MAD", 10 }, { "XOF", 600 }, { "XAF", 600 },
    { "ZMW", 25 }, { "MWK", 1700 }, { "BWP", 13.5 }, { "NAD", 18 },
    { "MUR", 45 }, { "INR", 83 }, { "PKR", 280 }, { "BDT", 110 },
    { "LKR", 300 }, { "JPY", 150 }, { "CNY", 7.2 }, { "KRW", 1350 },
    { "IDR", 16000 }, { "PHP", 56 }, { "VND", 25000 }, { "THB", 35 },
    { "MYR", 4.5 }, { "BRL", 5 }, { "MXN", 17 }, { "ARS", 900 },
    { "COP", 4000 }, { "CLP", 900 }, { "SEK", 10.5 }, { "NOK", 10.5 },
    { "DKK", 7 }, { "PLN", 4 }, { "CZK", 23 }, { "HUF", 360 },
    { "RON", 4.6 }, { "TRY", 32 }, { "ILS", 3.7 }, { "UAH", 40 },
};

/* Symbols and local spellings; words only as whole words. */
typedef struct {
    const char  *token;
    const char  *code;
    int          word;
} js_currency_alias_t;

static const js_currency_alias_t  js_currency_aliases[] = {
    { "US$", "USD", 0 }, { "CA$", "CAD", 0 }, { "C$", "CAD", 0 },
    { "AU$", "AUD", 0 }, { "A$", "AUD", 0 }, { "NZ$", "NZD", 0 },
    { "HK$", "HKD", 0 }, { "S$", "SGD", 0 }, { "R$", "BRL", 0 },
    { "$", "USD", 0 }, { "\xE2\x82\xAC", "EUR", 0 }, { "\xC2\xA3", "GBP", 0 },
    { "\xE2\x82\xA6", "NGN", 0 }, { "\xE2\x82\xB9", "INR", 0 },
    { "\xC2\xA5", "JPY", 0 }, { "\xE2\x82\xB5", "GHS", 0 },
    { "\xE2\x82\xB1", "PHP", 0 }, { "\xE2\x82\xBA", "TRY", 0 },
    { "\xE2\x82\xA9", "KRW", 0 },
    { "kshs", "KES", 1 }, { "ksh", "KES", 1 }, { "tshs", "TZS", 1 },
    { "tsh", "TZS", 1 }, { "ushs", "UGX", 1 }, { "ush", "UGX", 1 },
    { "naira", "NGN", 1 }, { "rand", "ZAR", 1 }, { "euros", "EUR", 1 },
    { "euro", "EUR", 1 }, { "dollars", "USD", 1 }, { "pounds", "GBP", 1 },
    { "cedis", "GHS", 1 }, { "rupees", "INR", 1 },
};

static const js_currency_t *
currency_find(const char *code)
{
    size_t  i;

    for (i = 0; i < sizeof(js_currencies) / sizeof(js_currencies[0]); i++) {
        if (strcasecmp(js_currencies[i].code, code) == 0) {
            return &js_currencies[i];
        }
    }
    return NULL;
}

/*
 * The currency named at s[i] (text starting at s): its length and code,
 * or 0.  ISO codes and words need word boundaries; "R" (rand) must be
 * followed by a number, as in "R25 000".
 */
static size_t
currency_at(const char *s, size_t i, const char **code)
{
    /* In free text an ISO code must be upper case: "try", "mad", "cop"
     * are words too. */
    size_t                n, k;
    char                  iso[4];
    const js_currency_t  *c;
    int                   start;

    start = i == 0 || !isalpha((unsigned char) s[i - 1]);
    for (k = 0; k < sizeof(js_currency_aliases)
                    / sizeof(js_currency_aliases[0]); k++)
    {
        n = strlen(js_currency_aliases[k].token);
        if (js_currency_aliases[k].word) {
            if (start && strncasecmp(s + i, js_currency_aliases[k].token, n)
                         == 0
                && !isalpha((unsigned char) s[i + n]))
            {
                *code = js_currency_aliases[k].code;
                return n + (s[i + n] == '.');   /* "Ksh." */
            }
        } else if (strncmp(s + i, js_currency_aliases[k].token, n) == 0) {
            *code = js_currency_aliases[k].code;
            return n;
        }
    }
    if (!start) {
        return 0;
    }
    if (s[i] == 'R' && (isdigit((unsigned char) s[i + 1])
                        || (s[i + 1] == ' '
                            && isdigit((unsigned char) s[i + 2]))))
    {
        *code = "ZAR";
        return 1;
    }
    for (n = 0; n < 3 && isupper((unsigned char) s[i + n]); n++) {
        iso[n] = s[i + n];
    }
    if (n == 3 && !isalpha((unsigned char) s[i + 3])) {
        iso[3] = '\0';
        c = currency_find(iso);
        if (c != NULL) {
            *code = c->code;
            return 3;
        }
    }
    return 0;
}

const char *
js_currency_code(const char *s)
{
    size_t                i;
    const char           *code;
    const js_currency_t  *c;

    if (s != NULL && strlen(s) == 3) {          /* a code, any case */
        c = currency_find(s);
        if (c != NULL) {
            return c->code;
        }
    }
    for (i = 0; s != NULL && i < JS_SCAN_MAX && s[i] != '\0'; i++) {
        if (currency_at(s, i, &code) > 0) {
            return code;
        }
    }
    return NULL;
}

typedef struct {
    js_salary_period_e   period;
    const char          *words[12];
} js_period_words_t;

static const js_period_words_t  js_period_words[] = {
    { JS_SALARY_HOUR, { "hour", "hours", "hourly", "hr", "hrs", "ph", NULL } },
    { JS_SALARY_DAY, { "day", "days", "daily", "diem", "pd", NULL } },
    { JS_SALARY_WEEK, { "week", "weeks", "weekly", "wk", "wks", "pw", NULL } },
    { JS_SALARY_MONTH, { "month", "months", "monthly", "mo", "mth", "mths",
                         "pm", "pcm", "mon", NULL } },
    { JS_SALARY_YEAR, { "year", "years", "yearly", "annum", "annual",
                        "annually", "yr", "yrs", "pa", "py", NULL } },
};

js_salary_period_e
js_salary_period(const char *s)
{
    size_t               i, k;
    char                *w, key[24], *hit, *best = NULL;
    js_salary_period_e   period = JS_SALARY_UNKNOWN;

    if (s == NULL) {
        return JS_SALARY_UNKNOWN;
    }
    w = words(s, JS_SCAN_MAX);
    if (w == NULL) {
        return JS_SALARY_UNKNOWN;
    }
    /* the earliest period word wins; else "/h", "/m", ... */
    for (i = 0; i < sizeof(js_period_words) / sizeof(js_period_words[0]);
         i++)
    {
        for (k = 0; js_period_words[i].words[k] != NULL; k++) {
            snprintf(key, sizeof(key), " %s ", js_period_words[i].words[k]);
            hit = strstr(w, key);
            if (hit != NULL && (best == NULL || hit < best)) {
                best = hit;
                period = js_period_words[i].period;
            }
        }
    }
    free(w);
    if (period != JS_SALARY_UNKNOWN) {
        return period;
    }
    for (i = 0; i < JS_SCAN_MAX && s[i] != '\0'; i++) {
        if (s[i] == '/' && isalpha((unsigned char) s[i + 1])
            && !isalpha((unsigned char) s[i + 2]))
        {
            for (k = 0; k < sizeof(js_period_words)
                            / sizeof(js_period_words[0]); k++)
            {
                if (tolower((unsigned char) s[i + 1])
                    == js_period_words[k].words[0][0])
                {
                    return js_period_words[k].period;
                }
            }
        }
    }
    return JS_SALARY_UNKNOWN;
}

int
js_salary_set(js_job_t *job, double min, double max, const char *currency,
    js_salary_period_e period)
{
    /* plausible pay in US dollars per period, generous both ways */
    static const double  lo[] = { 0.2, 0.2, 1, 5, 20, 200 };
    static const double  hi[] = { 5e6, 2000, 20000, 1e5, 5e5, 5e6 };
    const js_currency_t  *c;
    const char           *code;
    double                t, smin, smax;

    job->has_salary = 0;
    job->salary_min = 0;
    job->salary_max = 0;
    job->salary_currency[0] = '\0';
    job->salary_period = JS_SALARY_UNKNOWN;

    if ((unsigned) period > JS_SALARY_YEAR) {
        period = JS_SALARY_UNKNOWN;
    }
    if (!isfinite(min) || !isfinite(max)) {
        return 0;
    }
    if (min > max) {
        t = min;
        min = max;
        max = t;
    }
    if (min < 0 || max <= 0 || (min > 0 && max / min > 100)) {
        return 0;
    }
    code = currency ? js_currency_code(currency) : NULL;
    c = code ? currency_find(code) : NULL;
    smin = c ? c->per_usd : 1;
    smax = c ? c->per_usd : 25000;
    if (max > hi[period] * smax || max < lo[period] * smin
        || (min > 0 && min < lo[period] * smin))
    {
        return 0;
    }

    job->has_salary = 1;
    job->salary_min = min;
    job->salary_max = max;
    if (c != NULL) {
        memcpy(job->salary_currency, c->code, 4);
    }
    job->salary_period = period;
    return 1;
}

static int
is_space_sep(const char *s, size_t *n)
{
    if (s[0] == ' ') {
        *n = 1;
        return 1;
    }
    if ((unsigned char) s[0] == 0xC2 && (unsigned char) s[1] == 0xA0) {
        *n = 2;                                 /* no-break space */
        return 1;
    }
    if ((unsigned char) s[0] == 0xE2 && (unsigned char) s[1] == 0x80
        && ((unsigned char) s[2] == 0x89 || (unsigned char) s[2] == 0xAF))
    {
        *n = 3;                                 /* thin spaces */
        return 1;
    }
    return 0;
}

static int
three_digits(const char *s)
{
    return isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[1])
           && isdigit((unsigned char) s[2]) && !isdigit((unsigned char) s[3]);
}

/*
 * A number at s (a digit): "150,000", "150.000", "1 500 000", "50.5",
 * "80k", "1.2m", "3 million".  Returns its length; *mult is the suffix's
 * multiplier, 1 when none.
 */
static size_t
number_at(const char *s, double *v, double *mult)
{
    size_t  i = 0, n;
    double  x = 0, f;
    int     comma = 0;

    for (;;) {
        while (isdigit((unsigned char) s[i])) {
            x = x < 1e15 ? x * 10 + (s[i] - '0') : 1e18;
            i++;
        }
        if (s[i] == ',' && three_digits(s + i + 1)) {
            comma = 1;
            i++;
        } else if (s[i] == '.' && !comma && three_digits(s + i + 1)) {
            i++;
        } else if (is_space_sep(s + i, &n) && three_digits(s + i + n)) {
            i += n;
        } else {
            break;
        }
    }
    if ((s[i] == '.' || s[i] == ',') && isdigit((unsigned char) s[i + 1])) {
        for (i++, f = 0.1; isdigit((unsigned char) s[i]); i++, f /= 10) {
            x += (s[i] - '0') * f;
        }
    }

    *mult = 1;
    if ((s[i] == 'k' || s[i] == 'K') && !isalpha((unsigned char) s[i + 1])) {
        *mult = 1e3;
        i++;
    } else if ((s[i] == 'm' || s[i] == 'M')
               && (!isalpha((unsigned char) s[i + 1])
                   || ((s[i + 1] == 'n' || s[i + 1] == 'N')
                       && !isalpha((unsigned char) s[i + 2]))))
    {
        *mult = 1e6;
        i += isalpha((unsigned char) s[i + 1]) ? 2 : 1;
    } else {
        n = s[i] == ' ' ? 1 : 0;
        if (strncasecmp(s + i + n, "thousand", 8) == 0) {
            *mult = 1e3;
            i += n + 8;
        } else if (strncasecmp(s + i + n, "million", 7) == 0) {
            *mult = 1e6;
            i += n + 7;
        }
    }
    *v = x * *mult;
    return i;
}

/* Skips spaces and a currency at s[i]; returns the new index. */
static size_t
skip_filler(const char *s, size_t i)
{
    size_t       n;
    const char  *code;

    while (is_space_sep(s + i, &n)) {
        i += n;
    }
    n = currency_at(s, i, &code);
    i += n;
    while (is_space_sep(s + i, &n)) {
        i += n;
    }
    return i;
}

/* A number may start at text[i] (a digit): not inside a word or a
 * number, but right after a currency ("R25 000", "KES150,000"). */
static int
number_start(const char *text, size_t i)
{
    size_t       k;
    const char  *code;

    if (i == 0 || !isalnum((unsigned char) text[i - 1])) {
        return 1;
    }
    if (isdigit((unsigned char) text[i - 1])) {
        return 0;
    }
    for (k = i; k > 0 && isalpha((unsigned char) text[k - 1]); k--) {
        /* void */
    }
    return currency_at(text, k, &code) == i - k;
}

int
js_salary_parse(js_job_t *job, const char *text, const char *currency)
{
    static const char *const  upto[] = {
        "up to", "upto", "max", "maximum", "under", "below", "less than",
        NULL
    };
    size_t       i, j, n;
    double       v1, v2, m1, m2;
    int          range = 0, limit;
    char        *prefix, *w;
    const char  *code;

    js_salary_set(job, 0, 0, NULL, JS_SALARY_UNKNOWN);
    if (text == NULL) {
        return 0;
    }
    for (i = 0; i < JS_SCAN_MAX && text[i] != '\0'; i++) {
        if (isdigit((unsigned char) text[i]) && number_start(text, i)) {
            break;
        }
    }
    if (i >= JS_SCAN_MAX || text[i] == '\0') {
        return 0;
    }

    n = number_at(text + i, &v1, &m1);
    v2 = v1;
    m2 = m1;
    j = skip_filler(text, i + n);
    if (text[j] == '-' || text[j] == '~') {
        j++;
        range = 1;
    } else if (strncmp(text + j, "\xE2\x80\x93", 3) == 0
               || strncmp(text + j, "\xE2\x80\x94", 3) == 0)
    {
        j += 3;
        range = 1;
    } else if (strncasecmp(text + j, "to ", 3) == 0
               || strncasecmp(text + j, "and ", 4) == 0)
    {
        j += text[j + 1] == 'o' || text[j + 1] == 'O' ? 2 : 3;
        range = 1;
    }
    if (range) {
        j = skip_filler(text, j);
        if (isdigit((unsigned char) text[j])) {
            number_at(text + j, &v2, &m2);
            /* "80-120k": the suffix counts for both ends */
            if (m1 == 1 && m2 > 1 && v1 < v2 && v1 * m2 <= v2 * 10) {
                v1 *= m2;
            }
        } else {
            range = 0;
        }
    }

    prefix = strndup(text, i);
    w = prefix ? words(prefix, JS_SCAN_MAX) : NULL;
    limit = !range && w != NULL && has_word(w, upto);
    free(prefix);
    free(w);

    code = js_currency_code(text);
    if (code == NULL) {
        code = currency;
    }
    return js_salary_set(job, limit ? 0 : v1, v2, code,
                         js_salary_period(text));
}

int
js_salary_from_text(js_job_t *job, const char *text, const char *currency)
{
    static const char *const  pay[] = {
        "salary", "compensation", "pay", "remuneration", "wage", "stipend",
        "gross", NULL
    };
    const char  *line, *end;
    char        *l, *w;
    int          found = 0;

    for (line = text; line != NULL && *line != '\0' && !found;
         line = end[0] ? end + 1 : end)
    {
        end = strchr(line, '\n');
        if (end == NULL) {
            end = line + strlen(line);
        }
        if (end - line > 300) {
            continue;
        }
        l = strndup(line, (size_t) (end - line));
        w = l ? words(l, JS_SCAN_MAX) : NULL;
        if (w != NULL && has_word(w, pay) && strpbrk(l, "0123456789")) {
            found = js_salary_parse(job, l, currency);
        }
        free(w);
        free(l);
    }
    return job->has_salary;
}

/*
 * Location type and employment type.
 */

static const char *const  js_onsite_negations[] = {
    "not remote", "non remote", "no remote", NULL
};
static const char *const  js_hybrid_words[] = { "hybrid", NULL };
static const char *const  js_remote_words[] = {
    "remote", "anywhere", "wfh", "work from home", "working from home",
    "telecommute", "telecommuting", "home based", "homebased",
    "distributed", "remotely", NULL
};
static const char *const  js_onsite_words[] = {
    "on site", "onsite", "in office", "office based", "in person", NULL
};
/* A provider's own flag may just say "office". */
static const char *const  js_onsite_hint_words[] = {
    "office", "onsite", "on site", "in person", "inoffice", NULL
};

static const char *
location_type_of(const char *s, int hint)
{
    char        *w;
    const char  *r = NULL;

    if (s == NULL || s[0] == '\0') {
        return NULL;
    }
    w = words(s, JS_SCAN_MAX);
    if (w == NULL) {
        return NULL;
    }
    if (has_word(w, js_onsite_negations)) {
        r = "onsite";
    } else if (has_word(w, js_hybrid_words)) {
        r = "hybrid";
    } else if (has_word(w, js_remote_words)) {
        r = "remote";
    } else if (has_word(w, hint ? js_onsite_hint_words : js_onsite_words)) {
        r = "onsite";
    }
    free(w);
    return r;
}

const char *
js_location_type(const char *hint, const char *location, const char *title)
{
    const char  *r;

    r = location_type_of(hint, 1);
    if (r == NULL) {
        r = location_type_of(location, 0);
    }
    if (r == NULL) {
        r = location_type_of(title, 0);
    }
    return r;
}

typedef struct {
    const char         *type;
    const char *const  *words;
} js_employment_words_t;

static const char *const  js_intern_words[] = {
    "intern", "interns", "internship", "internships", "trainee",
    "apprentice", "apprenticeship", "attachment", NULL
};
static const char *const  js_part_words[] = {
    "part time", "parttime", NULL
};
static const char *const  js_temp_words[] = {
    "temporary", "temp", "seasonal", "per diem", "casual", NULL
};
static const char *const  js_contract_words[] = {
    "contract", "contractor", "contractual", "freelance", "freelancer",
    "consultant", "consultancy", "fixed term", NULL
};
static const char *const  js_full_words[] = {
    "full time", "fulltime", "permanent", "regular", NULL
};

/* In this order: "Full-time contract" is a contract. */
static const js_employment_words_t  js_employment_words[] = {
    { "internship", js_intern_words },
    { "part_time", js_part_words },
    { "temporary", js_temp_words },
    { "contract", js_contract_words },
    { "full_time", js_full_words },
};

const char *
js_employment_type(const char *s)
{
    size_t       i;
    char        *w;
    const char  *r = NULL;

    if (s == NULL) {
        return NULL;
    }
    w = words(s, JS_SCAN_MAX);
    if (w == NULL) {
        return NULL;
    }
    for (i = 0; i < sizeof(js_employment_words)
                    / sizeof(js_employment_words[0]); i++)
    {
        if (has_word(w, js_employment_words[i].words)) {
            r = js_employment_words[i].type;
            break;
        }
    }
    free(w);
    return r;
}


/*
 * Dates.
 */

static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Exactly n digits at *p. */
static int
read_digits(const char **p, int n, int *v)
{
    int  i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i])) {
            return -1;
        }
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return 0;
}

static int64_t
civil_time(int y, int mo, int d, int h, int mi, int s, int offset)
{
    static const int  mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31 };
    int64_t           t;

    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]
        || (mo == 2 && d == 29
            && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        || h > 23 || mi > 59 || s > 60)
    {
        return 0;
    }
    if (s == 60) {
        s = 59;
    }
    t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    return t < 631152000 ? 0 : t;       /* before 1990: not a job date */
}

/* "+03:00", "-0400", "+03", "Z", "GMT", "EST": seconds east of UTC, or
 * -1 when not a zone.  p is past it. */
static int
zone_offset(const char **p, int *offset)
{
    static const struct { const char *name; int hours; }  names[] = {
        { "GMT", 0 }, { "UTC", 0 }, { "UT", 0 }, { "Z", 0 },
        { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
        { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
        { "EAT", 3 }, { "WAT", 1 }, { "CAT", 2 }, { "SAST", 2 },
    };
    const char  *s = *p;
    int          sign, h, m = 0;
    size_t       i, n;

    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
        if (read_digits(&s, 2, &h) != 0) {
            return -1;
        }
        if (*s == ':') {
            s++;
        }
        if (isdigit((unsigned char) *s) && read_digits(&s, 2, &m) != 0) {
            return -1;
        }
        if (h > 14 || m > 59) {
            return -1;
        }
        *offset = sign * (h * 3600 + m * 60);
        *p = s;
        return 0;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        n = strlen(names[i].name);
        if (strncasecmp(s, names[i].name, n) == 0
            && !isalpha((unsigned char) s[n]))
        {
            *offset = names[i].hours * 3600;
            *p = s + n;
            return 0;
        }
    }
    return -1;
}

static int64_t
iso_date(const char *s)
{
    int  y, mo, d, h = 0, mi = 0, sec = 0, off = 0;

    if (read_digits(&s, 4, &y) != 0 || *s++ != '-'
        || read_digits(&s, 2, &mo) != 0 || *s++ != '-'
        || read_digits(&s, 2, &d) != 0)
    {
        return 0;
    }
    if ((*s == 'T' || *s == 't' || *s == ' ')
        && isdigit((unsigned char) s[1]))
    {
        s++;
        if (read_digits(&s, 2, &h) != 0 || *s++ != ':'
            || read_digits(&s, 2, &mi) != 0)
        {
            return 0;
        }
        if (*s == ':') {
            s++;
            if (read_digits(&s, 2, &sec) != 0) {
                return 0;
            }
            if ((*s == '.' || *s == ',') && isdigit((unsigned char) s[1])) {
                for (s++; isdigit((unsigned char) *s); s++) { /* void */ }
            }
        }
        while (*s == ' ') {
            s++;
        }
        if (*s != '\0' && zone_offset(&s, &off) != 0) {
            return 0;
        }
    }
    while (isspace((unsigned char) *s)) {
        s++;
    }
    if (*s != '\0') {
        return 0;
    }
    return civil_time(y, mo, d, h, mi, sec, off);
}

static int64_t
rfc822_date(const char *s)
{
    static const char  months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    const char        *m;
    int                y, mo, d, h, mi, sec = 0, off = 0, n;

    while (isspace((unsigned char) *s)) {
        s++;
    }
    if (isalpha((unsigned char) *s)) {          /* "Sun," */
        while (isalpha((unsigned char) *s)) {
            s++;
        }
        if (*s == ',') {
            s++;
        }
        while (*s == ' ') {
            s++;
        }
    }
    if (!isdigit((unsigned char) s[0])
        || read_digits(&s, isdigit((unsigned char) s[1]) ? 2 : 1, &d) != 0)
    {
        return 0;
    }
    while (*s == ' ' || *s == '-') {
        s++;
    }
    for (n = 0, m = NULL; n < 12; n++) {
        if (strncasecmp(s, months + n * 3, 3) == 0) {
            m = s;
            break;
        }
    }
    if (m == NULL) {
        return 0;
    }
    mo = n + 1;
    while (isalpha((unsigned char) *s)) {
        s++;
    }
    while (*s == ' ' || *s == '-') {
        s++;
    }
    for (n = 0; isdigit((unsigned char) s[n]); n++) { /* void */ }
    if ((n != 4 && n != 2) || read_digits(&s, n, &y) != 0) {
        return 0;
    }
    if (n == 2) {
        y += y < 70 ? 2000 : 1900;
    }
    while (*s == ' ') {
        s++;
    }
    if (read_digits(&s, 2, &h) != 0 || *s++ != ':'
        || read_digits(&s, 2, &mi) != 0)
    {
        return 0;
    }
    if (*s == ':') {
        s++;
        if (read_digits(&s, 2, &sec) != 0) {
            return 0;
        }
    }
    while (*s == ' ') {
        s++;
    }
    if (*s != '\0' && zone_offset(&s, &off) != 0) {
        return 0;
    }
    return civil_time(y, mo, d, h, mi, sec, off);
}

int64_t
js_date_parse(const char *s)
{
    if (s == NULL || strlen(s) > 64) {
        return 0;
    }
    while (isspace((unsigned char) *s)) {
        s++;
    }
    if (isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[1])
        && isdigit((unsigned char) s[2]) && isdigit((unsigned char) s[3])
        && s[4] == '-')
    {
        return iso_date(s);
    }
    return rfc822_date(s);
}


/*
 * Keywords and skills.
 */

int
js_keywords_match(const char *text, json_t *kw)
{
    size_t       i;
    json_t      *v;
    char        *w, *k;
    int          hit = 0;

    if (text == NULL || !json_is_array(kw)) {
        return 0;
    }
    w = words(text, JS_SCAN_MAX * 4);
    if (w == NULL) {
        return 0;
    }
    json_array_foreach(kw, i, v) {
        if (!json_is_string(v)) {
            continue;
        }
        k = words(json_string_value(v), 256);
        if (k != NULL && strlen(k) > 1 && strstr(w, k) != NULL) {
            hit = 1;
        }
        free(k);
        if (hit) {
            break;
        }
    }
    free(w);
    return hit;
}

int
js_job_add_skill(js_job_t *job, const char *skill)
{
    char    *t, **skills;
    size_t   i;

    if (skill == NULL || job->nskills >= JS_SKILLS_MAX) {
        return 0;
    }
    t = js_text_line(skill, strlen(skill), JS_SKILL_MAX);
    if (t == NULL) {
        return 0;
    }
    for (i = 0; t[i] != '\0'; i++) {
        t[i] = (char) tolower((unsigned char) t[i]);
    }
    for (i = 0; i < job->nskills; i++) {
        if (strcmp(job->skills[i], t) == 0) {
            free(t);
            return 0;
        }
    }
    skills = realloc(job->skills, (job->nskills + 1) * sizeof(char *));
    if (skills == NULL) {
        free(t);
        return -1;
    }
    job->skills = skills;
    job->skills[job->nskills++] = t;
    return 0;
}


/*
 * Pages.
 */

int
js_page_take(js_page_t *page, const js_source_t *src, js_job_t *job)
{
    size_t       i;
    json_t      *inc, *exc;
    js_job_t    *slot;
    const char  *lt;

    if (job->external_id == NULL || job->external_id[0] == '\0'
        || strlen(job->external_id) > JS_ID_MAX
        || job->title == NULL || job->title[0] == '\0'
        || job->apply_url == NULL
        || (strncasecmp(job->apply_url, "http://", 7) != 0
            && strncasecmp(job->apply_url, "https://", 8) != 0)
        || page->njobs >= JS_PAGE_MAX_JOBS)
    {
        goto skip;
    }
    for (i = 0; i < page->njobs; i++) {
        if (strcmp(page->jobs[i].external_id, job->external_id) == 0) {
            goto skip;
        }
    }

    if (src != NULL && json_is_object(src->config)) {
        inc = json_object_get(src->config, "include_keywords");
        if (inc == NULL) {
            inc = json_object_get(src->config, "keyword_filters");
        }
        exc = json_object_get(src->config, "exclude_keywords");
        if (json_is_array(inc) && json_array_size(inc) > 0
            && !js_keywords_match(job->title, inc))
        {
            goto skip;
        }
        if (js_keywords_match(job->title, exc)) {
            goto skip;
        }
    }

    if (job->location_type == NULL) {
        lt = js_location_type(NULL, job->location, job->title);
        if (lt != NULL && (job->location_type = strdup(lt)) == NULL) {
            goto oom;
        }
    }
    if (!job->has_salary) {
        js_salary_set(job, 0, 0, NULL, JS_SALARY_UNKNOWN);
    }

    slot = js_page_add(page);
    if (slot == NULL) {
        goto oom;
    }
    *slot = *job;
    memset(job, 0, sizeof(js_job_t));
    return 1;

skip:
    js_job_free(job);
    return 0;

oom:
    js_job_free(job);
    return -1;
}

void
js_page_set_next(js_page_t *page, const char *fetched, char *url,
    unsigned max_pages)
{
    page->npages++;
    free(page->next_url);
    page->next_url = NULL;
    if (url == NULL) {
        return;
    }
    if (page->npages >= max_pages
        || (fetched != NULL && strcmp(url, fetched) == 0))
    {
        free(url);
        return;
    }
    page->next_url = url;
}


/*
 * Provider JSON and the source's config.
 */

int
js_json_jobs_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, const char *provider, js_json_job_pt job, js_page_t *page,
    char *err, size_t errlen)
{
    json_t  *root, *jobs, *o;
    size_t   i;

    if (js_json_parse(body, len, JSON_OBJECT, &root, err, errlen) != 0) {
        return -1;
    }
    jobs = json_object_get(root, "jobs");
    if (!json_is_array(jobs)) {
        snprintf(err, errlen, "%s: no \"jobs\" array", provider);
        json_decref(root);
        return -1;
    }
    json_array_foreach(jobs, i, o) {
        if (json_is_object(o) && job(src, url, o, page) < 0) {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    js_page_set_next(page, url, NULL, 1);
    return 0;
}

int
js_json_parse(const char *body, size_t len, json_type type, json_t **root,
    char *err, size_t errlen)
{
    json_error_t  e;

    *root = json_loadb(body, len, 0, &e);
    if (*root == NULL) {
        snprintf(err, errlen, "invalid JSON at line %d: %s", e.line, e.text);
        return -1;
    }
    if (json_typeof(*root) != type) {
        snprintf(err, errlen, "expected a JSON %s",
                 type == JSON_OBJECT ? "object" : "array");
        json_decref(*root);
        *root = NULL;
        return -1;
    }
    return 0;
}

const char *
js_json_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *
js_json_id(json_t *obj, const char *key)
{
    return js_json_id_value(json_object_get(obj, key));
}

char *
js_json_id_value(json_t *v)
{
    char  buf[32];

    if (json_is_string(v) && json_string_length(v) <= JS_ID_MAX) {
        return js_text_line(json_string_value(v), json_string_length(v),
                            JS_ID_MAX);
    }
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        return strdup(buf);
    }
    return NULL;
}

int
js_json_number(json_t *obj, const char *key, double *v)
{
    json_t      *j = json_object_get(obj, key);
    const char  *s;
    char        *end;
    double       d;

    if (json_is_number(j)) {
        d = json_number_value(j);
    } else if (json_is_string(j)) {
        s = json_string_value(j);
        errno = 0;
        d = strtod(s, &end);
        if (end == s || *end != '\0' || errno != 0) {
            return -1;
        }
    } else {
        return -1;
    }
    if (!isfinite(d)) {
        return -1;
    }
    *v = d;
    return 0;
}

char *
js_json_line(json_t *obj, const char *key)
{
    json_t  *v = json_object_get(obj, key);

    if (!json_is_string(v)) {
        return NULL;
    }
    return js_text_line(json_string_value(v), json_string_length(v),
                        JS_FIELD_MAX);
}

const char *
js_config_str(const js_source_t *src, const char *key)
{
    return json_string_value(json_object_get(src->config, key));
}

long
js_config_int(const js_source_t *src, const char *key, long def, long min,
    long max)
{
    json_t      *v = json_object_get(src->config, key);
    json_int_t   n;
    char        *end;
    const char  *s;

    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v)) {
        s = json_string_value(v);
        errno = 0;
        n = strtoll(s, &end, 10);
        if (end == s || *end != '\0' || errno != 0) {
            return def;
        }
    } else {
        return def;
    }
    return n > max ? max : n < min ? min : (long) n;
}

unsigned
js_config_max_pages(const js_source_t *src)
{
    return (unsigned) js_config_int(src, "max_pages", JS_MAX_PAGES, 1, 100);
}

int
js_source_endpoint(const js_source_t *src, const char *default_base,
    const char *prefix, const char *suffix, char **url, char *err,
    size_t errlen)
{
    const char  *token = src->source_url ? src->source_url : "";
    const char  *base;
    size_t       i, n, blen;
    js_buf_t     b = { 0 };
    char        *s;

    *url = NULL;
    while (*token == ' ') {
        token++;
    }
    if (strncasecmp(token, "http://", 7) == 0
        || strncasecmp(token, "https://", 8) == 0)
    {
        *url = js_url_resolve(NULL, token);
        if (*url == NULL) {
            snprintf(err, errlen, "source_url is not a valid http(s) URL");
            return -1;
        }
        return 0;
    }

    n = strlen(token);
    while (n > 0 && token[n - 1] == ' ') {
        n--;
    }
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char) token[i]) && token[i] != '.'
            && token[i] != '_' && token[i] != '-')
        {
            break;
        }
    }
    if (n == 0 || n > 100 || i < n) {
        snprintf(err, errlen,
                 "source_url is neither an http(s) URL nor a board token");
        return -1;
    }

    base = js_config_str(src, "api_base");
    if (base == NULL) {
        base = default_base;
    }
    blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/') {
        blen--;
    }
    js_buf_add(&b, base, blen);
    js_buf_add(&b, prefix, strlen(prefix));
    js_buf_add(&b, token, n);
    js_buf_add(&b, suffix, strlen(suffix));
    s = js_buf_take(&b);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *url = js_url_resolve(NULL, s);
    free(s);
    if (*url == NULL) {
        snprintf(err, errlen, "config api_base is not a valid http(s) URL");
        return -1;
    }
    return 0;
}

/*
 * Boards on a company's own subdomain (ats-feeds: recruitee, personio,
 * teamtailor).
 */

int
js_source_subdomain(const js_source_t *src, const char *domain,
    const char *path, char **url, char *err, size_t errlen)
{
    const char  *name = src->source_url ? src->source_url : "";
    size_t       i, n;
    js_buf_t     b = { 0 };
    char        *s;

    while (*name == ' ') {
        name++;
    }
    n = strlen(name);
    while (n > 0 && name[n - 1] == ' ') {
        n--;
    }
    if (memmem(name, n, "://", 3) != NULL) {
        return js_source_endpoint(src, "", "", "", url, err, errlen);
    }
    *url = NULL;
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char) name[i]) && name[i] != '-'
            && !(name[i] == '.' && i > 0 && i + 1 < n && name[i - 1] != '.'))
        {
            break;
        }
    }
    if (n == 0 || n > 100 || i < n || name[0] == '-') {
        snprintf(err, errlen, "source_url is neither an http(s) URL nor a "
                 "company subdomain");
        return -1;
    }
    js_buf_str(&b, "https://");
    js_buf_add(&b, name, n);
    js_buf_str(&b, domain);
    js_buf_str(&b, path);
    s = js_buf_take(&b);
    *url = s ? js_url_resolve(NULL, s) : NULL;
    free(s);
    if (*url == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
