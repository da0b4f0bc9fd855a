/*
 * Shared by the libFuzzer targets (workers/fuzz/fuzz_*.c, "make fuzz"):
 * the parsers take C strings, libFuzzer gives bytes.
 */

#ifndef JS_FUZZ_H
#define JS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a malloc'ed NUL-terminated string (cut at an inner NUL by
 * whoever reads it as a C string); aborts when out of memory, which
 * libFuzzer reports. */
static inline char *
js_fuzz_str(const uint8_t *data, size_t size)
{
    char  *s = malloc(size + 1);

    if (s == NULL) {
        abort();
    }
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The next '\n'-terminated field of *s (the line break replaced by
 * NUL), "" once *s is used up: splits one input into several fields. */
static inline char *
js_fuzz_field(char **s)
{
    char  *f = *s, *nl;

    nl = strchr(f, '\n');
    if (nl == NULL) {
        *s = f + strlen(f);
        return f;
    }
    *nl = '\0';
    *s = nl + 1;
    return f;
}

#endif
