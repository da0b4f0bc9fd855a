#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include "util.h"

static int64_t
js_clock_msec(clockid_t clock)
{
    struct timespec  ts;

    clock_gettime(clock, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
js_msec(void)
{
    return js_clock_msec(CLOCK_MONOTONIC);
}

int64_t
js_wall_msec(void)
{
    return js_clock_msec(CLOCK_REALTIME);
}

char *
js_iso_time(char *buf, size_t len)
{
    struct timespec  ts;
    struct tm        tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    return buf;
}

/* getrandom() a page at a time: an id costs 4 bytes of it */
static int
js_random32(uint32_t *r)
{
    ssize_t          n;
    static uint32_t  pool[1024];
    static size_t    left;

    if (left == 0) {
        n = getrandom(pool, sizeof(pool), 0);
        if (n != (ssize_t) sizeof(pool)) {
            return -1;
        }
        left = JS_ARRAY_SIZE(pool);
    }
    *r = pool[--left];
    return 0;
}

int
js_uuid7(char *buf)
{
    int       i, j;
    uint8_t   b[16];
    uint32_t  hi, lo, tail;
    uint64_t  ms;

    static const char  hex[] = "0123456789abcdef";
    static uint64_t    last_ms, counter;

    ms = (uint64_t) js_wall_msec();

    if (ms > last_ms) {
        /* 41 random bits: the top one clear, room to count up */
        if (js_random32(&hi) != 0 || js_random32(&lo) != 0) {
            return -1;
        }
        last_ms = ms;
        counter = (uint64_t) (hi & 0x1ff) << 32 | lo;

    } else if (++counter > 0x3ffffffffffULL) {
        last_ms++;
        counter = 0;
    }

    if (js_random32(&tail) != 0) {
        return -1;
    }

    for (i = 0; i < 6; i++) {
        b[i] = (uint8_t) (last_ms >> (40 - 8 * i));
    }
    b[6] = (uint8_t) (0x70 | (counter >> 38));
    b[7] = (uint8_t) (counter >> 30);
    b[8] = (uint8_t) (0x80 | ((counter >> 24) & 0x3f));
    b[9] = (uint8_t) (counter >> 16);
    b[10] = (uint8_t) (counter >> 8);
    b[11] = (uint8_t) counter;
    memcpy(&b[12], &tail, 4);

    for (i = 0, j = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            buf[j++] = '-';
        }
        buf[j++] = hex[b[i] >> 4];
        buf[j++] = hex[b[i] & 0xf];
    }
    buf[j] = '\0';
    return 0;
}

int
js_uuid_valid(const char *s)
{
    int  i;

    for (i = 0; i < JS_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        } else if (!((s[i] >= '0' && s[i] <= '9')
                     || (s[i] >= 'a' && s[i] <= 'f')
                     || (s[i] >= 'A' && s[i] <= 'F')))
        {
            return 0;
        }
    }
    return s[JS_UUID_LEN] == '\0';
}

int
js_snprintf(char *buf, size_t len, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    va_start(ap, fmt);
    n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);

    if (n < 0 || (size_t) n >= len) {
        return -1;
    }
    return n;
}
