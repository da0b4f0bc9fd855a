/*
 * A growable string (buf.c), always NUL-terminated: page text, JSON
 * being built, the answers of HTTP exchanges.
 */

#ifndef JS_BUF_H
#define JS_BUF_H

#include <stddef.h>

/*
 * Errors stick (oom): js_buf_take returns the string ("" when nothing
 * was added) or NULL when out of memory, and frees it then.  Start from
 * js_buf_t b = { 0 }; js_buf_clear empties it for reuse.
 */
typedef struct {
    char    *p;
    size_t   len;
    size_t   cap;
    int      oom;
} js_buf_t;

void js_buf_add(js_buf_t *b, const char *s, size_t n);
void js_buf_addc(js_buf_t *b, char c);
void js_buf_str(js_buf_t *b, const char *s);      /* s may be NULL */
char *js_buf_take(js_buf_t *b);

static inline void
js_buf_clear(js_buf_t *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->p != NULL) {
        b->p[0] = '\0';
    }
}

/*
 * Adds at most what keeps b within max bytes, the rest dropped: the
 * start of an absurd answer is kept for the log.  0, or -1 out of
 * memory.
 */
int js_buf_add_capped(js_buf_t *b, const char *s, size_t n, size_t max);

#endif
