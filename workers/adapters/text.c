/*
 * Text (see text.h): UTF-8, entities, clean text from HTML or plain text,
 * and word lists.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "normalize.h"

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
    int       item;           /* in a list item: paragraphs are lines */
    int       marker;         /* an item's "-" has no text yet */
} js_text_t;

static void
text_break(js_text_t *t, int n)
{
    if (t->line || t->marker) {
        t->space = 1;           /* "<li><p>text": the text follows its "-" */
        return;
    }
    if (t->item && n > 1) {
        n = 1;
    }
    if (n > t->breaks) {
        t->breaks = n > 2 ? 2 : n;
    }
}

/* Appends one character (UTF-8 bytes) that is not white space. */
static void
text_put(js_text_t *t, const char *s, size_t n)
{
    t->marker = 0;
    if (t->full) {
        return;
    }
    if (t->b.len > 0) {
        if (t->breaks) {
            js_buf_add(&t->b, "\n\n", (size_t) t->breaks);
        } else if (t->space) {
            js_buf_addc(&t->b, ' ');
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
        || cp == 0xA0 || cp == 0x2002 || cp == 0x2003 || cp == 0x2009
        || cp == 0x2028 || cp == 0x2029)
    {
        t->space = 1;
        return;
    }
    /*
     * Controls, invisible characters, and the bidi embeddings, overrides
     * and isolates (U+202A-202E, U+2066-2069): one left unclosed in a
     * title would turn what follows it around, ours too ("... at Acme"
     * of a push, a mail's subject).  Their own direction marks (U+200E,
     * U+200F) stay: they turn nothing beyond a character.
     */
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xAD
        || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF
        || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
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
        if (strcmp(name, "li") == 0 || strcmp(name, "ul") == 0
            || strcmp(name, "ol") == 0)
        {
            t->item = 0;        /* lists and items break as they are */
            t->marker = 0;
        }
        if (js_blocks[k].breaks == 0) {
            t->space = 1;
        } else {
            text_break(t, js_blocks[k].breaks);
        }
        if (!closing && !t->line && strcmp(name, "li") == 0) {
            text_put(t, "-", 1);
            t->space = 1;
            t->marker = 1;
            t->item = 1;
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
 * Words: a copy of s, lower case, " word word ... " with single spaces,
 * so that phrases are found with strstr(" work from home ").  Word
 * characters are ASCII letters and digits, '+', '#' and non-ASCII bytes.
 */
char *
js_words(const char *s, size_t max)
{
    size_t    i;
    int       in = 0;
    js_buf_t  b = { 0 };

    js_buf_addc(&b, ' ');
    for (i = 0; s != NULL && s[i] != '\0' && i < max; i++) {
        unsigned char  c = (unsigned char) s[i];

        /* no-break space, hyphens and dashes U+2010 to U+2015 part
         * words, as ' ' and '-' do: "Full\u2011time", "Remote\u2013EU" */
        if (c == 0xC2 && (unsigned char) s[i + 1] == 0xA0) {
            i++;
            c = ' ';
        } else if (c == 0xE2 && (unsigned char) s[i + 1] == 0x80
                   && (unsigned char) s[i + 2] >= 0x90
                   && (unsigned char) s[i + 2] <= 0x95)
        {
            i += 2;
            c = '-';
        }
        if (isalnum(c) || c == '+' || c == '#' || c >= 0x80) {
            js_buf_addc(&b, (char) tolower(c));
            in = 1;
        } else if (c == '.' && in && isalpha((unsigned char) s[i + 1])
                   && (i < 2 || !isalpha((unsigned char) s[i - 2])))
        {
            continue;               /* "p.a." reads "pa" */
        } else if (in) {
            js_buf_addc(&b, ' ');
            in = 0;
        }
    }
    if (in) {
        js_buf_addc(&b, ' ');
    }
    return js_buf_take(&b);
}

int
js_has_word(const char *w, const char *const *list)
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
