/*
 * jobscoutd's Prometheus metrics: counters in one shared segment
 * (mmap MAP_SHARED, made by the master before its first fork, as nginx
 * makes its zones), which every worker adds to with atomic adds; the
 * master serves them, summed by nature, on "metrics_listen" (lib/
 * metrics_http.c).  Each hook is one call from a role; without the
 * segment (metrics_listen not set, unit tests) every hook is a no-op.
 */

#ifndef JS_METRICS_H
#define JS_METRICS_H

#include <stdint.h>

#include "config.h"

#define JS_METRICS_NAME       32
#define JS_METRICS_ADAPTERS   48    /* and one more: "other" */
#define JS_METRICS_BUCKETS    10    /* and +Inf */

/* plain counters */
enum {
    JS_METRICS_JOBS_NEW = 0,
    JS_METRICS_JOBS_UPDATED,
    JS_METRICS_JOBS_EXPIRED,
    JS_METRICS_JOBS_DUPLICATE,
    JS_METRICS_ROBOTS_BLOCKED,
    JS_METRICS_ALERTS_CREATED,
    JS_METRICS_MAILS_SENT,
    JS_METRICS_MAILS_FAILED,
    JS_METRICS_PUSHES_ACCEPTED,
    JS_METRICS_PUSHES_UNREGISTERED,
    JS_METRICS_PUSHES_RETRIED,
    JS_METRICS_PUSHES_FAILED,
    JS_METRICS_N
};

/* what became of a task (js_metrics_task) */
enum {
    JS_METRICS_TASK_DONE = 0,
    JS_METRICS_TASK_RETRIED,
    JS_METRICS_TASK_FAILED,
    JS_METRICS_TASK_N
};

/* bucket counts (not cumulative) and the sum, in ms */
typedef struct {
    uint64_t  buckets[JS_METRICS_BUCKETS + 1];
    uint64_t  sum_ms;
} js_metrics_hist_t;

typedef struct {
    uint64_t           outcomes[2];   /* success, failure */
    js_metrics_hist_t  duration;
} js_metrics_adapter_t;

typedef struct {
    char                  roles[JS_CONF_MAX_ROLES][JS_METRICS_NAME];
    int                   nroles;
    char                  adapters[JS_METRICS_ADAPTERS][JS_METRICS_NAME];
    int                   nadapters;

    uint64_t              counters[JS_METRICS_N];
    uint64_t              tasks[JS_CONF_MAX_ROLES][JS_METRICS_TASK_N];
    uint64_t              restarts[JS_CONF_MAX_ROLES];
    js_metrics_adapter_t  scrapes[JS_METRICS_ADAPTERS + 1];
    js_metrics_hist_t     discovery;     /* s as ms: a run's median */
    js_metrics_hist_t     push_latency;  /* commit -> FCM accepted */
    js_metrics_hist_t     match;         /* a job against every profile */
} js_metrics_t;

/* NULL: nothing is counted */
extern js_metrics_t  *js_metrics;

/* upper bounds, ms, of each histogram's buckets */
extern const int64_t  js_metrics_duration_bounds[JS_METRICS_BUCKETS];
extern const int64_t  js_metrics_discovery_bounds[JS_METRICS_BUCKETS];
extern const int64_t  js_metrics_latency_bounds[JS_METRICS_BUCKETS];
extern const int64_t  js_metrics_match_bounds[JS_METRICS_BUCKETS];

void js_metrics_add(int counter, long n);
/* role: its name, as in js_roles[] */
void js_metrics_task(const char *role, int outcome);
void js_metrics_restart(int role);
/*
 * A scrape run ended (error NULL: a success) after ms; its jobs new,
 * updated, expired, duplicate, and the median discovery delay of the new
 * ones in s (-1: none known).
 */
void js_metrics_scrape(const char *adapter, const char *error, int64_t ms,
    long new_jobs, long updated, long expired, long duplicates,
    long discovery_s);
/* FCM's answer to a push: "accepted" (latency_ms counted), "unregistered",
 * "pending" (retried) or "failed" */
void js_metrics_push(const char *status, int64_t latency_ms);
/* the notifier's matcher took ms for a job */
void js_metrics_match(int64_t ms);

#endif
