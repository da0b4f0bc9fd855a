/*
 * Dates (see date.h).
 */

#include <ctype.h>
#include <stddef.h>
#include <strings.h>
#include <string.h>

#include "normalize.h"

static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Exactly n digits at *p. */
static int
read_digits(const char **p, int n, int *v)
{
    int  i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i])) {
            return -1;
        }
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return 0;
}

static int64_t
civil_time(int y, int mo, int d, int h, int mi, int s, int offset)
{
    static const int  mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
                                  30, 31 };
    int64_t           t;

    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]
        || (mo == 2 && d == 29
            && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        || h > 23 || mi > 59 || s > 60)
    {
        return 0;
    }
    if (s == 60) {
        s = 59;
    }
    t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    return t < 631152000 ? 0 : t;       /* before 1990: not a job date */
}

/* "+03:00", "-0400", "+03", "Z", "GMT", "EST": seconds east of UTC, or
 * -1 when not a zone.  p is past it. */
static int
zone_offset(const char **p, int *offset)
{
    static const struct { const char *name; int hours; }  names[] = {
        { "GMT", 0 }, { "UTC", 0 }, { "UT", 0 }, { "Z", 0 },
        { "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
        { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
        { "EAT", 3 }, { "WAT", 1 }, { "CAT", 2 }, { "SAST", 2 },
    };
    const char  *s = *p;
    int          sign, h, m = 0;
    size_t       i, n;

    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
        if (read_digits(&s, 2, &h) != 0) {
            return -1;
        }
        if (*s == ':') {
            s++;
        }
        if (isdigit((unsigned char) *s) && read_digits(&s, 2, &m) != 0) {
            return -1;
        }
        if (h > 14 || m > 59) {
            return -1;
        }
        *offset = sign * (h * 3600 + m * 60);
        *p = s;
        return 0;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        n = strlen(names[i].name);
        if (strncasecmp(s, names[i].name, n) == 0
            && !isalpha((unsigned char) s[n]))
        {
            *offset = names[i].hours * 3600;
            *p = s + n;
            return 0;
        }
    }
    return -1;
}

static int64_t
iso_date(const char *s)
{
    int  y, mo, d, h = 0, mi = 0, sec = 0, off = 0;

    if (read_digits(&s, 4, &y) != 0 || *s++ != '-'
        || read_digits(&s, 2, &mo) != 0 || *s++ != '-'
        || read_digits(&s, 2, &d) != 0)
    {
        return 0;
    }
    if ((*s == 'T' || *s == 't' || *s == ' ')
        && isdigit((unsigned char) s[1]))
    {
        s++;
        if (read_digits(&s, 2, &h) != 0 || *s++ != ':'
            || read_digits(&s, 2, &mi) != 0)
        {
            return 0;
        }
        if (*s == ':') {
            s++;
            if (read_digits(&s, 2, &sec) != 0) {
                return 0;
            }
            if ((*s == '.' || *s == ',') && isdigit((unsigned char) s[1])) {
                for (s++; isdigit((unsigned char) *s); s++) { /* void */ }
            }
        }
        while (*s == ' ') {
            s++;
        }
        if (*s != '\0' && zone_offset(&s, &off) != 0) {
            return 0;
        }
    }
    while (isspace((unsigned char) *s)) {
        s++;
    }
    if (*s != '\0') {
        return 0;
    }
    return civil_time(y, mo, d, h, mi, sec, off);
}

static int64_t
rfc822_date(const char *s)
{
    static const char  months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    const char        *m;
    int                y, mo, d, h, mi, sec = 0, off = 0, n;

    while (isspace((unsigned char) *s)) {
        s++;
    }
    if (isalpha((unsigned char) *s)) {          /* "Sun," */
        while (isalpha((unsigned char) *s)) {
            s++;
        }
        if (*s == ',') {
            s++;
        }
        while (*s == ' ') {
            s++;
        }
    }
    if (!isdigit((unsigned char) s[0])
        || read_digits(&s, isdigit((unsigned char) s[1]) ? 2 : 1, &d) != 0)
    {
        return 0;
    }
    while (*s == ' ' || *s == '-') {
        s++;
    }
    for (n = 0, m = NULL; n < 12; n++) {
        if (strncasecmp(s, months + n * 3, 3) == 0) {
            m = s;
            break;
        }
    }
    if (m == NULL) {
        return 0;
    }
    mo = n + 1;
    while (isalpha((unsigned char) *s)) {
        s++;
    }
    while (*s == ' ' || *s == '-') {
        s++;
    }
    for (n = 0; isdigit((unsigned char) s[n]); n++) { /* void */ }
    if ((n != 4 && n != 2) || read_digits(&s, n, &y) != 0) {
        return 0;
    }
    if (n == 2) {
        y += y < 70 ? 2000 : 1900;
    }
    while (*s == ' ') {
        s++;
    }
    if (read_digits(&s, 2, &h) != 0 || *s++ != ':'
        || read_digits(&s, 2, &mi) != 0)
    {
        return 0;
    }
    if (*s == ':') {
        s++;
        if (read_digits(&s, 2, &sec) != 0) {
            return 0;
        }
    }
    while (*s == ' ') {
        s++;
    }
    if (*s != '\0' && zone_offset(&s, &off) != 0) {
        return 0;
    }
    return civil_time(y, mo, d, h, mi, sec, off);
}

int64_t
js_date_parse(const char *s)
{
    if (s == NULL || strlen(s) > 64) {
        return 0;
    }
    while (isspace((unsigned char) *s)) {
        s++;
    }
    if (isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[1])
        && isdigit((unsigned char) s[2]) && isdigit((unsigned char) s[3])
        && s[4] == '-')
    {
        return iso_date(s);
    }
    return rfc822_date(s);
}
