/*
 * Adaptive polling: when to check a source next, from what its polls
 * have shown.  Pure arithmetic (the scraper stores the state with the
 * run, the scheduler queues what is due).
 *
 * Changes are taken to arrive at a rate (per hour) estimated from the
 * polls: a poll that found new, updated or expired jobs counts one
 * change over the hours since the previous successful poll; an
 * unchanged body or a 304 counts none over those hours.  Both sums decay
 * with a half-life of JS_POLL_HALF_LIFE hours of observation, so a board
 * that grows busy or quiet is followed, and start from a prior of one
 * change a day, so a new board is neither trusted to be busy nor to be
 * dead.
 *
 * The interval is the one in which a change is expected with
 * probability JS_POLL_TARGET (about 1 poll in 10 finds something), but
 *
 *   - a board that just changed is checked at the floor, and each quiet
 *     poll since doubles that (postings come in bursts);
 *   - a failing board backs off the same way, from the floor;
 *   - never below the floor nor above the ceiling of its priority;
 *   - never sooner than its host allows: the host's gap between two
 *     requests times the boards sharing the host;
 *   - an interval set on the source itself (scrape_interval_seconds)
 *     replaces the estimate, the host's limit still applying;
 *   - spread by up to JS_POLL_SPREAD either way, so that boards due
 *     together do not stay bunched.
 */

#ifndef JS_POLLING_H
#define JS_POLLING_H

#include <stddef.h>
#include <stdint.h>

#define JS_POLL_HALF_LIFE   168.0     /* hours of observation: a week */
#define JS_POLL_PRIOR_RATE  (1.0 / 24)   /* changes per hour: one a day */
#define JS_POLL_PRIOR_HOURS 6.0       /* the prior weighs as 6h seen */
#define JS_POLL_TARGET      0.1       /* chance a poll finds a change */
#define JS_POLL_SPREAD      0.1       /* +-10% */

enum {
    JS_POLL_CHANGED = 0,
    JS_POLL_UNCHANGED,
    JS_POLL_NOT_MODIFIED,
    JS_POLL_FAILED
};

typedef struct {
    double   changes;     /* decayed polls that found a change */
    double   hours;       /* decayed hours observed */
    int      quiet;       /* successful polls since the last change */
} js_poll_state_t;

typedef struct {
    int64_t  floor;       /* ms, of the source's priority */
    int64_t  ceiling;     /* ms */
    int64_t  host;        /* ms: host gap x boards on the host; 0: none */
    int64_t  pinned;      /* ms: scrape_interval_seconds; 0: none */
} js_poll_limits_t;

/*
 * Updates st with a poll's outcome (elapsed: ms since the previous
 * successful poll, 0 when none; failures: consecutive, this one
 * included) and returns the interval (ms) until the next check, before
 * spreading; why gets a sentence for people ("changed 2 polls ago: 4m,
 * doubling from the floor of 1m").
 */
int64_t js_poll_interval(js_poll_state_t *st, int outcome, int64_t elapsed,
    int failures, const js_poll_limits_t *lim, char *why, size_t len);

/* Changes per hour the state estimates. */
double js_poll_rate(const js_poll_state_t *st);

/* interval spread by u in [0, 1): interval * (1 - SPREAD + 2 SPREAD u),
 * kept within the floor, the ceiling and the host's limit. */
int64_t js_poll_spread(int64_t interval, double u,
    const js_poll_limits_t *lim);

const char *js_poll_outcome_name(int outcome);

#endif
