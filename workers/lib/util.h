/*
 * Small helpers shared by the master, the workers and the roles.
 */

#ifndef JS_UTIL_H
#define JS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define JS_ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))

/*
 * FNV-1a over n bytes, from h: JS_FNV1A_BASIS for a new hash, or the
 * hash of what came before, to extend it.  For hash tables and SimHash
 * (whose stored fingerprints depend on it: it never changes).
 */
#define JS_FNV1A_BASIS  14695981039346656037ULL

static inline uint64_t
js_fnv1a(uint64_t h, const char *s, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char) s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Monotonic milliseconds: for deadlines, immune to clock steps. */
int64_t js_msec(void);

/* Unix time in milliseconds: for what is stored or compared elsewhere. */
int64_t js_wall_msec(void);

/* Wall clock as "2025-06-01T10:00:00.123Z" (UTC); returns buf. */
char *js_iso_time(char *buf, size_t len);

/*
 * A UUIDv7 (RFC 9562) as text into buf (37 bytes): Unix milliseconds, a
 * 42-bit counter (the RFC's method 1) started at a random value each
 * millisecond, 32 random bits.  Each one greater than the process's last,
 * so that rows keyed by them go to the right edge of their index; a
 * clock stepped back keeps the last millisecond.  0, or -1 without
 * randomness (getrandom() failed).
 */
#define JS_UUID_LEN  36

int js_uuid7(char *buf);

/* Whether s is a UUID in text form: 8-4-4-4-12 hex digits, any case. */
int js_uuid_valid(const char *s);

/* snprintf that reports truncation as -1 instead of a length. */
int js_snprintf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
