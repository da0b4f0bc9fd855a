/*
 * The hooks of lib/metrics.h: a few relaxed atomic adds each, on the
 * segment every process of jobscoutd shares.
 */

#include <string.h>
#include <strings.h>

#include "metrics.h"

js_metrics_t  *js_metrics;

/* a scrape run, s */
const int64_t  js_metrics_duration_bounds[JS_METRICS_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000
};

/* a job's posting -> its discovery: minutes to days */
const int64_t  js_metrics_discovery_bounds[JS_METRICS_BUCKETS] = {
    60000, 300000, 900000, 1800000, 3600000, 10800000, 21600000,
    43200000, 86400000, 259200000
};

/* one job matched in memory: milliseconds, a slow one a second */
const int64_t  js_metrics_match_bounds[JS_METRICS_BUCKETS] = {
    1, 2, 5, 10, 20, 50, 100, 250, 500, 1000
};

/* a job's commit -> FCM's acceptance of its push */
const int64_t  js_metrics_latency_bounds[JS_METRICS_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000
};

static void
js_metrics_inc(uint64_t *c, uint64_t n)
{
    __atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static void
js_metrics_observe(js_metrics_hist_t *h, const int64_t *bounds, int64_t ms)
{
    int  b;

    if (ms < 0) {
        ms = 0;
    }

    for (b = 0; b < JS_METRICS_BUCKETS && ms > bounds[b]; b++) {
        /* void */
    }

    js_metrics_inc(&h->buckets[b], 1);
    js_metrics_inc(&h->sum_ms, (uint64_t) ms);
}

void
js_metrics_add(int counter, long n)
{
    if (js_metrics != NULL && n > 0) {
        js_metrics_inc(&js_metrics->counters[counter], (uint64_t) n);
    }
}

void
js_metrics_task(const char *role, int outcome)
{
    int  i;

    if (js_metrics == NULL) {
        return;
    }

    for (i = 0; i < js_metrics->nroles; i++) {
        if (strcmp(js_metrics->roles[i], role) == 0) {
            js_metrics_inc(&js_metrics->tasks[i][outcome], 1);
            return;
        }
    }
}

void
js_metrics_restart(int role)
{
    if (js_metrics != NULL && role >= 0 && role < js_metrics->nroles) {
        js_metrics_inc(&js_metrics->restarts[role], 1);
    }
}

void
js_metrics_scrape(const char *adapter, const char *error, int64_t ms,
    long new_jobs, long updated, long expired, long duplicates,
    long discovery_s)
{
    int                    i;
    js_metrics_adapter_t  *a;

    if (js_metrics == NULL) {
        return;
    }

    /* unknown classes share the last slot, "other" */
    for (i = 0; i < js_metrics->nadapters; i++) {
        if (strcasecmp(js_metrics->adapters[i], adapter) == 0) {
            break;
        }
    }

    a = &js_metrics->scrapes[i];
    js_metrics_inc(&a->outcomes[error != NULL], 1);
    js_metrics_observe(&a->duration, js_metrics_duration_bounds, ms);

    js_metrics_add(JS_METRICS_JOBS_NEW, new_jobs);
    js_metrics_add(JS_METRICS_JOBS_UPDATED, updated);
    js_metrics_add(JS_METRICS_JOBS_EXPIRED, expired);
    js_metrics_add(JS_METRICS_JOBS_DUPLICATE, duplicates);

    if (error == NULL && new_jobs > 0 && discovery_s >= 0) {
        js_metrics_observe(&js_metrics->discovery,
                           js_metrics_discovery_bounds,
                           (int64_t) discovery_s * 1000);
    }
}

void
js_metrics_push(const char *status, int64_t latency_ms)
{
    if (js_metrics == NULL) {
        return;
    }

    if (strcmp(status, "accepted") == 0) {
        js_metrics_add(JS_METRICS_PUSHES_ACCEPTED, 1);
        js_metrics_observe(&js_metrics->push_latency,
                           js_metrics_latency_bounds, latency_ms);

    } else if (strcmp(status, "unregistered") == 0) {
        js_metrics_add(JS_METRICS_PUSHES_UNREGISTERED, 1);

    } else if (strcmp(status, "pending") == 0) {
        js_metrics_add(JS_METRICS_PUSHES_RETRIED, 1);

    } else {
        js_metrics_add(JS_METRICS_PUSHES_FAILED, 1);
    }
}

void
js_metrics_match(int64_t ms)
{
    if (js_metrics != NULL) {
        js_metrics_observe(&js_metrics->match, js_metrics_match_bounds, ms);
    }
}
