/*
 * A growable string (see buf.h).
 */

#include <stdlib.h>
#include <string.h>

#include "buf.h"

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

void
js_buf_addc(js_buf_t *b, char c)
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

int
js_buf_add_capped(js_buf_t *b, const char *s, size_t n, size_t max)
{
    if (b->len >= max) {
        return 0;
    }
    js_buf_add(b, s, n < max - b->len ? n : max - b->len);
    return b->oom ? -1 : 0;
}
