/*
 * js_uuid7(): the text form PostgreSQL's uuid_in reads, version 7 and
 * the RFC variant, the Unix milliseconds of now, strictly increasing
 * over many ids in one millisecond and across milliseconds, and random
 * bits that differ.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"

#define N  100000

/* lower-case, version 7, the RFC variant */
static int
well_formed(const char *s)
{
    return js_uuid_valid(s) && strpbrk(s, "ABCDEF") == NULL
           && s[14] == '7' && strchr("89ab", s[19]) != NULL;
}

static unsigned long long
ms_of(const char *s)
{
    char  h[13];

    memcpy(h, s, 8);
    memcpy(h + 8, s + 9, 4);
    h[12] = '\0';
    return strtoull(h, NULL, 16);
}

int
main(void)
{
    int                 i, formed = 1, increasing = 1, same_tail = 0;
    char               *ids;
    unsigned long long  now, ms;

    ids = malloc((size_t) N * (JS_UUID_LEN + 1));
    if (ids == NULL) {
        return 1;
    }

    now = (unsigned long long) js_wall_msec();

    for (i = 0; i < N; i++) {
        if (js_uuid7(ids + (size_t) i * (JS_UUID_LEN + 1)) != 0) {
            break;
        }
    }
    is_int(i, N, "100000 ids made");

    for (i = 0; i < N; i++) {
        char  *s = ids + (size_t) i * (JS_UUID_LEN + 1);

        formed &= well_formed(s);
        if (i > 0) {
            /* uuid's order is its bytes', which is the text's */
            increasing &= strcmp(s - (JS_UUID_LEN + 1), s) < 0;
            same_tail += strcmp(s + 28, s - (JS_UUID_LEN + 1) + 28) == 0;
        }
    }
    ok(formed, "each is 8-4-4-4-12 lower-case hex, version 7, RFC variant");
    ok(increasing, "each is greater than the one before");
    ok(same_tail < 10, "the random tails differ from one id to the next");

    ms = ms_of(ids);
    ok(ms >= now && ms <= now + 1000,
       "the first one carries the Unix milliseconds of now");
    ms = ms_of(ids + (size_t) (N - 1) * (JS_UUID_LEN + 1));
    ok(ms >= now && ms <= now + 60000, "the last one too");

    free(ids);
    return done_testing();
}
