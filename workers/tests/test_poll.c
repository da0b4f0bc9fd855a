/*
 * The polling estimator (lib/polling.h): simulated boards whose postings
 * arrive at random (Poisson) are polled at the intervals it chooses.  A
 * busy board converges to the floor, a quiet one to the ceiling, a
 * moderate one in between; never beyond either, never sooner than the
 * host allows; failures back off; a set interval wins.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "polling.h"
#include "tap.h"

#define MIN   60000LL
#define HOUR  3600000LL

static uint64_t  rng = 88172645463325252ULL;

/* xorshift64: the same figures on every run */
static double
uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (rng >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct {
    int64_t  min, max, total, polls, found;
    int64_t  last;          /* the last interval */
    int      outside;       /* intervals beyond the limits */
} sim_t;

/*
 * Polls a board whose changes arrive every mean_gap ms on average for
 * duration ms; the figures of the second half (after convergence) go
 * to out.
 */
static void
simulate(const js_poll_limits_t *lim, double mean_gap, int64_t duration,
    sim_t *out)
{
    char             why[256];
    int64_t          now = 0, next_change, interval, prev = 0, low, high;
    js_poll_state_t  st;
    int              outcome;

    memset(&st, 0, sizeof(st));
    memset(out, 0, sizeof(*out));
    out->min = INT64_MAX;

    low = lim->pinned > 0 ? lim->pinned : lim->floor;
    high = lim->pinned > 0 ? lim->pinned : lim->ceiling;
    if (low < lim->host) {
        low = lim->host;
    }
    if (high < low) {
        high = low;
    }

    next_change = mean_gap > 0 ? (int64_t) (-log(1 - uniform()) * mean_gap)
                               : INT64_MAX;

    while (now < duration) {
        outcome = JS_POLL_UNCHANGED;
        if (next_change <= now) {
            outcome = JS_POLL_CHANGED;
            while (next_change <= now) {
                next_change += (int64_t) (-log(1 - uniform()) * mean_gap);
            }
        }

        interval = js_poll_interval(&st, outcome, prev ? now - prev : 0, 0,
                                    lim, why, sizeof(why));
        interval = js_poll_spread(interval, uniform(), lim);

        if (interval < low || interval > high || why[0] == '\0') {
            out->outside++;
        }
        if (now >= duration / 2) {
            out->polls++;
            out->found += outcome == JS_POLL_CHANGED;
            out->total += interval;
            out->min = interval < out->min ? interval : out->min;
            out->max = interval > out->max ? interval : out->max;
        }
        out->last = interval;
        prev = now;
        now += interval;
    }
}

int
main(void)
{
    int               i, ok_all;
    char              why[256], msg[128];
    sim_t             s;
    int64_t           iv, prev;
    js_poll_state_t   st;
    js_poll_limits_t  high = { 60000, 30 * MIN, 0, 0 };
    js_poll_limits_t  normal = { 5 * MIN, 2 * HOUR, 0, 0 };
    js_poll_limits_t  lim;

    /* a board posting every 2 minutes: at the floor, about */
    simulate(&high, 2 * MIN, 48 * HOUR, &s);
    is_int(s.outside, 0, "busy: no interval beyond the limits");
    ok(s.polls > 0 && s.total / s.polls < 90000, "busy: converges to the floor "
       "(mean interval under 1.5 x the floor of 60s)");
    ok(s.found * 4 > s.polls, "busy: more than 1 poll in 4 finds a change");

    /* a board that never changes: drifts to the ceiling and stays */
    simulate(&high, 0, 7 * 24 * HOUR, &s);
    is_int(s.outside, 0, "quiet: no interval beyond the limits");
    ok(s.min >= 27 * MIN, "quiet: held near the ceiling of 30m (spread "
       "10% below at most)");
    is_int(s.max, 30 * MIN, "quiet: never above the ceiling");

    /* a board posting once an hour, normal priority: between */
    simulate(&normal, HOUR, 14 * 24 * HOUR, &s);
    is_int(s.outside, 0, "moderate: no interval beyond the limits");
    ok(s.polls > 0 && s.total / s.polls > 5 * MIN
       && s.total / s.polls < 15 * MIN,
       "moderate (one change an hour): between floor and ceiling, near "
       "the 6m that finds a change in 1 poll in 10");
    sprintf(msg, "moderate: 1 poll in 10 finds a change (%lld of %lld)",
            (long long) s.found, (long long) s.polls);
    ok(s.found * 20 > s.polls && s.found * 5 < s.polls, msg);

    /* a busy board on a host shared by 30 boards at one request per 6s */
    lim = high;
    lim.host = 30 * 6000;
    simulate(&lim, 2 * MIN, 24 * HOUR, &s);
    is_int(s.outside, 0, "host: never sooner than the host allows");
    is_int(s.min, 180000, "host: the busy board is held at the host's 3m");

    /* the host's limit beyond the ceiling wins over the ceiling */
    lim = high;
    lim.host = 2 * HOUR;
    simulate(&lim, 0, 48 * HOUR, &s);
    is_int(s.min, 2 * HOUR, "host beyond the ceiling: the host wins");
    is_int(s.max, 2 * HOUR, "host beyond the ceiling: exactly it");

    /* an interval set on the source replaces the estimate */
    lim = high;
    lim.pinned = 20000;
    simulate(&lim, 2 * MIN, 6 * HOUR, &s);
    ok(s.min == 20000 && s.max == 20000, "pinned: every 20s, below the "
       "floor and unspread");
    lim.host = 45000;
    simulate(&lim, 2 * MIN, 6 * HOUR, &s);
    ok(s.min == 45000 && s.max == 45000, "pinned: the host still limits");

    /* a change brings the floor back; quiet polls double it */
    memset(&st, 0, sizeof(st));
    iv = js_poll_interval(&st, JS_POLL_CHANGED, 10 * MIN, 0, &high, why,
                          sizeof(why));
    is_int(iv, 60000, "a change: the floor");
    is_str(why, "changed at this poll: the floor of 60s",
           "a change: why");
    iv = js_poll_interval(&st, JS_POLL_NOT_MODIFIED, 60000, 0, &high, why,
                          sizeof(why));
    is_int(iv, 120000, "a 304 after it: doubled");
    is_str(why, "changed 2 polls ago: 2m, doubling from the floor of 60s",
           "a 304 after it: why");
    iv = js_poll_interval(&st, JS_POLL_UNCHANGED, 120000, 0, &high, why,
                          sizeof(why));
    is_int(iv, 240000, "an unchanged body counts as no change too");

    for (i = 0, ok_all = 1, prev = 0; i < 12; i++) {
        iv = js_poll_interval(&st, JS_POLL_UNCHANGED, iv, 0, &high, why,
                              sizeof(why));
        ok_all = ok_all && iv >= prev && iv <= 30 * MIN;
        prev = iv;
    }
    ok(ok_all, "quiet polls: never shorter, never past the ceiling");
    is_int(iv, 30 * MIN, "quiet polls: the ceiling");
    ok(strncmp(why, "no change in 14 polls, changes about every ", 43) == 0
       && strstr(why, ": the ceiling of 30m") != NULL,
       "at the ceiling: why says so");
    diag(why);

    /* failures back off from the floor, without touching the estimate */
    memset(&st, 0, sizeof(st));
    st.changes = 5;
    st.hours = 10;
    iv = js_poll_interval(&st, JS_POLL_FAILED, 10 * MIN, 1, &high, why,
                          sizeof(why));
    is_int(iv, 60000, "first failure: the floor");
    iv = js_poll_interval(&st, JS_POLL_FAILED, 10 * MIN, 4, &high, why,
                          sizeof(why));
    is_int(iv, 8 * MIN, "fourth failure: 8 x the floor");
    is_str(why, "failed 4 times in a row: 8m, doubling from the floor of "
           "60s", "failures: why");
    iv = js_poll_interval(&st, JS_POLL_FAILED, 10 * MIN, 40, &high, why,
                          sizeof(why));
    is_int(iv, 30 * MIN, "many failures: the ceiling");
    ok(st.changes == 5 && st.hours == 10, "failures leave the estimate");

    /* the rate: decayed evidence */
    memset(&st, 0, sizeof(st));
    ok(fabs(js_poll_rate(&st) - 1.0 / 24) < 1e-9, "no evidence: the prior, "
       "one change a day");
    for (i = 0; i < 7 * 24 * 10; i++) {
        (void) js_poll_interval(&st, JS_POLL_CHANGED, 6 * MIN, 0, &normal,
                                why, sizeof(why));
    }
    ok(js_poll_rate(&st) > 9 && js_poll_rate(&st) < 10.5,
       "a change every 6 minutes for a week: about 10 an hour");
    for (i = 0; i < 7 * 24; i++) {
        (void) js_poll_interval(&st, JS_POLL_UNCHANGED, HOUR, 0, &normal,
                                why, sizeof(why));
    }
    ok(js_poll_rate(&st) < 5, "then a quiet week: the rate halves at "
       "least (a week's half-life)");

    /* spreading stays within the limits */
    ok(js_poll_spread(60000, 0, &high) == 60000, "spread: never below "
       "the floor");
    ok(js_poll_spread(30 * MIN, 0.999, &high) == 30 * MIN, "spread: never "
       "above the ceiling");
    ok(js_poll_spread(10 * MIN, 0, &high) == 9 * MIN
       && js_poll_spread(10 * MIN, 0.5, &high) == 10 * MIN,
       "spread: 10% either way");

    is_str(js_poll_outcome_name(JS_POLL_NOT_MODIFIED), "not_modified",
           "outcome names");

    return done_testing();
}
