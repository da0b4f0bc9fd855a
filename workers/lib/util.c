#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "util.h"

int64_t
js_msec(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
