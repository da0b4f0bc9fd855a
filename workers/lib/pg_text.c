/*
 * PostgreSQL's text output read back (pg_text.h): arrays and decimals.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pg_text.h"

int
js_pg_text_array(const char *s, char ***elems, char **buf)
{
    int          n = 0, size = 8, quoted;
    char        *base, *out, **e;
    const char  *p;

    *elems = NULL;
    *buf = NULL;
    errno = 0;

    if (s == NULL || s[0] != '{') {
        errno = EINVAL;
        return -1;
    }

    base = out = malloc(strlen(s) + 1);
    e = malloc(size * sizeof(char *));
    if (base == NULL || e == NULL) {
        goto failed;
    }

    p = s + 1;
    if (*p == '}') {
        if (p[1] != '\0') {
            goto failed;
        }
        *elems = e;
        *buf = base;
        return 0;
    }

    for ( ;; ) {
        char  *start = out;

        if (n == size) {
            char  **more = realloc(e, 2 * size * sizeof(char *));
            if (more == NULL) {
                goto failed;
            }
            e = more;
            size *= 2;
        }

        quoted = *p == '"';
        if (quoted) {
            for (p++; *p != '"'; p++) {
                if (*p == '\\') {
                    p++;
                }
                if (*p == '\0') {
                    goto failed;
                }
                *out++ = *p;
            }
            p++;
        } else {
            while (*p != ',' && *p != '}') {
                if (*p == '\0' || *p == '{' || *p == '"') {
                    goto failed;
                }
                *out++ = *p++;
            }
            /* PostgreSQL quotes an empty string */
            if (out == start) {
                goto failed;
            }
        }
        *out++ = '\0';

        e[n++] = !quoted && strcmp(start, "NULL") == 0 ? NULL : start;

        if (*p == '}') {
            break;
        }
        if (*p != ',') {
            goto failed;
        }
        p++;
    }

    if (p[1] != '\0') {
        goto failed;
    }

    *elems = e;
    *buf = base;
    return n;

failed:

    if (errno != ENOMEM) {
        errno = EINVAL;
    }
    free(e);
    free(base);
    return -1;
}

/* A plain decimal's sign, integer digits and fraction digits (their
 * leading and trailing zeros left out). */
int
js_decimal_parse(const char *s, int *neg, const char **ip, size_t *il,
    const char **fp, size_t *fl)
{
    size_t  digits;

    *neg = *s == '-';
    if (*s == '-' || *s == '+') {
        s++;
    }
    for (*ip = s; **ip == '0'; (*ip)++) { /* void */ }
    for (*il = 0; (*ip)[*il] >= '0' && (*ip)[*il] <= '9'; (*il)++) {
        /* void */
    }
    digits = (*ip - s) + *il;
    s = *ip + *il;

    *fp = s;
    *fl = 0;
    if (*s == '.') {
        *fp = ++s;
        for ( ; s[*fl] >= '0' && s[*fl] <= '9'; (*fl)++) { /* void */ }
        s += *fl;
        digits += *fl;
    }
    while (*fl > 0 && (*fp)[*fl - 1] == '0') {
        (*fl)--;
    }
    return *s == '\0' && digits > 0 ? 0 : -1;
}

int
js_decimal_cmp(const char *a, const char *b)
{
    int          na, nb, c, sign;
    size_t       ial, fal, ibl, fbl, i;
    const char  *ia, *fa, *ib, *fb;

    if (js_decimal_parse(a, &na, &ia, &ial, &fa, &fal) != 0
        || js_decimal_parse(b, &nb, &ib, &ibl, &fb, &fbl) != 0)
    {
        return strcmp(a, b);
    }

    /* -0 is 0 */
    na = na && (ial > 0 || fal > 0);
    nb = nb && (ibl > 0 || fbl > 0);
    if (na != nb) {
        return na ? -1 : 1;
    }
    sign = na ? -1 : 1;

    if (ial != ibl) {
        return ial < ibl ? -sign : sign;
    }
    c = memcmp(ia, ib, ial);
    if (c != 0) {
        return c < 0 ? -sign : sign;
    }
    for (i = 0; i < fal || i < fbl; i++) {
        char  da = i < fal ? fa[i] : '0', db = i < fbl ? fb[i] : '0';
        if (da != db) {
            return da < db ? -sign : sign;
        }
    }
    return 0;
}
