#include <math.h>
#include <stdio.h>

#include "polling.h"

#define JS_POLL_MAX_SHIFT  20        /* floor << 20: far past any ceiling */

static const char  *js_poll_outcomes[] = {
    "changed", "unchanged", "not_modified", "failed"
};

const char *
js_poll_outcome_name(int outcome)
{
    return js_poll_outcomes[outcome];
}

/* "45s", "4m", "2h30m": durations the way the configuration says them. */
static const char *
js_poll_fmt(char *buf, size_t len, int64_t ms)
{
    int64_t  s = (ms + 500) / 1000;

    if (s < 120) {
        snprintf(buf, len, "%llds", (long long) s);
    } else if (s < 7200) {
        snprintf(buf, len, "%lldm", (long long) (s + 30) / 60);
    } else if ((s + 30) / 60 % 60 == 0) {
        snprintf(buf, len, "%lldh", (long long) (s + 30) / 3600);
    } else {
        snprintf(buf, len, "%lldh%02lldm", (long long) (s + 30) / 3600,
                 (long long) (s + 30) / 60 % 60);
    }
    return buf;
}

double
js_poll_rate(const js_poll_state_t *st)
{
    return (st->changes + JS_POLL_PRIOR_RATE * JS_POLL_PRIOR_HOURS)
           / (st->hours + JS_POLL_PRIOR_HOURS);
}

static int64_t
js_poll_doubled(int64_t floor, int times)
{
    return floor << (times < JS_POLL_MAX_SHIFT ? times : JS_POLL_MAX_SHIFT);
}

int64_t
js_poll_interval(js_poll_state_t *st, int outcome, int64_t elapsed,
    int failures, const js_poll_limits_t *lim, char *why, size_t len)
{
    int      n;
    char     a[32], b[32];
    double   h, decay, rate;
    int64_t  interval, by_rate, burst;

    if (outcome != JS_POLL_FAILED && elapsed > 0) {
        h = elapsed / 3600000.0;
        decay = exp2(-h / JS_POLL_HALF_LIFE);
        st->changes = st->changes * decay + (outcome == JS_POLL_CHANGED);
        st->hours = st->hours * decay + h;
    }
    if (outcome == JS_POLL_CHANGED) {
        st->quiet = 0;
    } else if (outcome != JS_POLL_FAILED && st->quiet < 1000) {
        st->quiet++;
    }

    rate = js_poll_rate(st);
    by_rate = (int64_t) (-log(1 - JS_POLL_TARGET) / rate * 3600000.0);

    if (lim->pinned > 0) {
        interval = lim->pinned;
        n = snprintf(why, len, "set on the source: every %s",
                     js_poll_fmt(a, sizeof(a), interval));

    } else if (outcome == JS_POLL_FAILED) {
        interval = js_poll_doubled(lim->floor, failures - 1);
        n = snprintf(why, len, "failed %d time%s in a row: %s, doubling from"
                     " the floor of %s", failures, failures == 1 ? "" : "s",
                     js_poll_fmt(a, sizeof(a), interval),
                     js_poll_fmt(b, sizeof(b), lim->floor));

    } else {
        burst = js_poll_doubled(lim->floor, st->quiet);
        interval = burst < by_rate ? burst : by_rate;
        js_poll_fmt(b, sizeof(b), (int64_t) (3600000.0 / rate));

        if (interval >= lim->ceiling) {
            interval = lim->ceiling;
            n = snprintf(why, len, "no change in %d poll%s, changes about"
                         " every %s: the ceiling of %s", st->quiet,
                         st->quiet == 1 ? "" : "s", b,
                         js_poll_fmt(a, sizeof(a), interval));

        } else if (interval <= lim->floor) {
            interval = lim->floor;
            js_poll_fmt(a, sizeof(a), interval);
            n = st->quiet == 0
                ? snprintf(why, len, "changed at this poll: the floor of %s",
                           a)
                : snprintf(why, len, "changes about every %s: the floor of"
                           " %s", b, a);

        } else if (interval == burst) {
            n = snprintf(why, len, "changed %d polls ago: %s, doubling from"
                         " the floor of %s", st->quiet + 1,
                         js_poll_fmt(a, sizeof(a), interval),
                         js_poll_fmt(b, sizeof(b), lim->floor));

        } else {
            n = snprintf(why, len, "changes about every %s: every %s finds"
                         " one in 10 polls", b,
                         js_poll_fmt(a, sizeof(a), interval));
        }
    }

    if (n < 0 || (size_t) n >= len) {
        n = (int) len - 1;
    }

    if (outcome == JS_POLL_FAILED && lim->pinned <= 0
        && interval > lim->ceiling)
    {
        interval = lim->ceiling;
        n += snprintf(why + n, len - n, "; held at the ceiling of %s",
                      js_poll_fmt(a, sizeof(a), interval));
        if (n < 0 || (size_t) n >= len) {
            n = (int) len - 1;
        }
    }

    if (interval < lim->host) {
        interval = lim->host;
        (void) snprintf(why + n, len - n, "; its host allows no sooner than"
                        " %s", js_poll_fmt(a, sizeof(a), interval));
    }

    return interval;
}

int64_t
js_poll_spread(int64_t interval, double u, const js_poll_limits_t *lim)
{
    int64_t  spread, low, high;

    if (lim->pinned > 0 && interval == lim->pinned) {
        return interval;
    }

    spread = (int64_t) (interval * (1 - JS_POLL_SPREAD
                                    + 2 * JS_POLL_SPREAD * u));

    low = lim->pinned > 0 ? lim->pinned : lim->floor;
    high = lim->pinned > 0 ? interval : lim->ceiling;
    if (low < lim->host) {
        low = lim->host;
    }
    if (high < low) {
        high = low;
    }
    return spread < low ? low : spread > high ? high : spread;
}
