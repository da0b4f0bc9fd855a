#include <string.h>
#include <strings.h>

#include "simhash.h"
#include "util.h"

#define JS_SIMHASH_WORD     64     /* bytes of a word kept */

/* Letters, digits and any non-ASCII byte (UTF-8 letters) make words. */
static int
js_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c >= 0x80;
}

/* The next word of *p, lower-cased into w; 0 when none is left. */
static size_t
js_next_word(const char **p, char *w)
{
    size_t               n = 0;
    const unsigned char *s = (const unsigned char *) *p;

    while (*s != '\0' && !js_word_byte(*s)) {
        s++;
    }
    while (*s != '\0' && js_word_byte(*s)) {
        if (n < JS_SIMHASH_WORD) {
            w[n++] = (char) (*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
        }
        s++;
    }
    *p = (const char *) s;
    return n;
}

uint64_t
js_simhash(const char *text)
{
    int          b, weights[64];
    char         w[JS_SIMHASH_WORD];
    size_t       n, count = 0;
    uint64_t     h, out = 0;
    const char  *p = text;

    memset(weights, 0, sizeof(weights));

    while ((n = js_next_word(&p, w)) > 0) {
        h = js_fnv1a(JS_FNV1A_BASIS, w, n);
        for (b = 0; b < 64; b++) {
            weights[b] += (h >> b) & 1 ? 1 : -1;
        }
        count++;
    }

    if (count == 0) {
        return 0;
    }

    for (b = 0; b < 64; b++) {
        if (weights[b] > 0) {
            out |= 1ULL << b;
        }
    }
    return out;
}

int
js_hamming(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}

static const char *const  js_company_suffixes[] = {
    "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "gmbh",
    "ag", "sa", "sas", "bv", "nv", "co", "corp", "corporation", "company",
    "pty", "pvt", NULL
};

static int
js_is_suffix(const char *w, size_t n)
{
    int  i;

    for (i = 0; js_company_suffixes[i] != NULL; i++) {
        if (strlen(js_company_suffixes[i]) == n
            && strncmp(js_company_suffixes[i], w, n) == 0)
        {
            return 1;
        }
    }
    return 0;
}

/* Appends the words of s (company: without legal suffixes) to out. */
static size_t
js_key_part(const char *s, int company, char *out, size_t off, size_t len)
{
    int          first = 1;
    char         w[JS_SIMHASH_WORD];
    size_t       n;
    const char  *p = s ? s : "";

    while ((n = js_next_word(&p, w)) > 0) {
        if (company && js_is_suffix(w, n)) {
            continue;
        }
        if (!first && off + 1 < len) {
            out[off++] = ' ';
        }
        first = 0;
        if (off + n >= len) {
            n = len - off - 1;
        }
        memcpy(out + off, w, n);
        off += n;
    }
    out[off] = '\0';
    return off;
}

void
js_canonical_key(const char *title, const char *company,
    const char *location, char *out, size_t len)
{
    size_t  off;

    if (len == 0) {
        return;
    }
    off = js_key_part(title, 0, out, 0, len);
    if (off + 1 < len) {
        out[off++] = '|';
    }
    off = js_key_part(company, 1, out, off, len);
    if (off + 1 < len) {
        out[off++] = '|';
    }
    js_key_part(location, 0, out, off, len);
}
