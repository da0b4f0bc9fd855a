/*
 * What the scraper reads and writes in PostgreSQL (libpq, synchronous,
 * parameterized statements only).
 *
 * One run of a source is stored in one transaction: the hiring companies
 * of an aggregator's jobs found or created by slug, every job upserted by
 * (source_id, external_id) (last_seen_at touched, missed_scrapes reset,
 * an expired job revived), the source's jobs that this successful run
 * did not list counted as missed and expired at expire_after, one
 * scrape_logs row (counts, pages, the last HTTP status, what triggered
 * the run, what the poll saw, the bytes read), and the source's health
 * (seed 000 §4.4: healthy, degraded after a failure, failing after 3 in
 * a row), validators and next check (lib/polling.h).
 *
 * After the commit the caller queues the new jobs for matching with
 * js_jobstore_queue_matches(): a crash in between only means the next
 * run queues them.
 */

#ifndef JS_JOBSTORE_H
#define JS_JOBSTORE_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "adapter.h"
#include "polling.h"
#include "skills.h"

/* A job_sources row and its company; strings owned. */
typedef struct {
    js_source_t       src;            /* points into the strings below */
    char             *strings[8];
    char             *etag;
    char             *last_modified;
    int               is_active;
    int               high;           /* priority */
    int64_t           pinned;         /* ms, scrape_interval_seconds; 0 */
    js_poll_state_t   poll;
    int64_t           since_success;  /* ms since the last success; 0 */
    int               failures;       /* consecutive, before this run */
} js_source_row_t;

typedef struct {
    const char       *source_id;
    const char       *company_name;   /* the source's, for dedup keys */
    const char       *error;          /* non-NULL: the run failed */
    int               not_modified;   /* 304: nothing changed */
    const js_page_t  *page;           /* the jobs, on success */
    const char       *etag;           /* validators of the first page */
    const char       *last_modified;
    int64_t           started_at;     /* Unix ms */
    int64_t           duration_ms;
    int               expire_after;   /* missed successful runs */
    int               pages;          /* page fetches answered */
    long              http_status;    /* the last one's, 0: none */
    const char       *trigger;        /* "schedule", "manual", "webhook" */
    int64_t           bytes;          /* read, decoded, all pages */
    const char       *fetch_host;     /* of the first fetch; NULL: none */
    int64_t           host_gap;       /* ms between two requests to it */
    js_poll_limits_t  limits;         /* floor, ceiling, pinned */
    js_poll_state_t   poll;           /* the source's, before the run */
    int64_t           since_success;  /* ms since the last success; 0 */
    int               failures;       /* consecutive, this run's too */
    const js_skills_t *skills;        /* tags the jobs (lib/jobskills.h) */
} js_store_run_t;

typedef struct {
    long  jobs_found;
    long  new_jobs;
    long  updated;       /* listed before, content changed */
    long  expired;       /* went inactive in this run */
    long  duplicates;    /* new, and stored as duplicate_of another */
    long     discovery_p50;    /* s, posted -> discovered, new jobs; */
    long     discovery_max;    /* -1: no posted_at among them */
    int      outcome;          /* JS_POLL_* */
    int64_t  next_check;       /* ms from now */
    char     reason[256];      /* why then */
} js_store_stats_t;

/* A connection to conninfo, or NULL with err set. */
PGconn *js_jobstore_connect(const char *conninfo, char *err, size_t errlen);

/* 1 with row filled, 0 when there is no such source, -1 on error. */
int js_jobstore_source(PGconn *pg, const char *id, js_source_row_t *row,
    char *err, size_t errlen);
void js_source_row_free(js_source_row_t *row);

int js_jobstore_save(PGconn *pg, const js_store_run_t *run,
    js_store_stats_t *st, char *err, size_t errlen);

/*
 * The source's new, non-duplicate jobs not yet queued for matching, in
 * match tasks of chunk jobs, into the task outbox (sql/migrations/0014),
 * marked queued in the same statement; *n: how many jobs.
 */
int js_jobstore_queue_matches(PGconn *pg, const char *source_id, int chunk,
    long *n, char *err, size_t errlen);

/*
 * Runs sql with its n text parameters v; 0 when the result has status
 * want (kept in *out when out is not NULL), else -1 with err set to
 * "what: <PostgreSQL's message>".
 */
int js_jobstore_exec(PGconn *pg, const char *sql, int n, const char *const *v,
    ExecStatusType want, PGresult **out, const char *what, char *err,
    size_t errlen);

/* "Acme Kenya Ltd." -> "acme-kenya-ltd"; "" when nothing is left.
 * out has room for len bytes. */
void js_slug(const char *name, char *out, size_t len);

#endif
