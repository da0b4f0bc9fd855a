/*
 * The scraper role's runs (scraper.c), shared with its dry runs
 * (scrape_test.c): a run fetches and parses a source's pages; a dry run
 * is a run with a "test" that answers on Redis instead of storing.
 */

#ifndef JS_SCRAPER_H
#define JS_SCRAPER_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "adapter.h"
#include "http.h"
#include "jobstore.h"
#include "queue.h"
#include "skills.h"
#include "worker.h"

typedef struct js_scraper_s     js_scraper_t;
typedef struct js_scrape_test_s js_scrape_test_t;

typedef struct {
    js_scraper_t         *s;
    int                   in_use;
    js_task_t             task;
    js_source_row_t       row;
    const js_adapter_t   *adapter;
    js_page_t             page;
    char                 *url;            /* being fetched */
    char                 *body;           /* POSTed to url; NULL: GET */
    size_t                detail;         /* detail calls started */
    size_t                details_read;   /* ... and parsed */
    js_http_req_t         req;
    int64_t               started_at;     /* Unix ms */
    int64_t               started;        /* monotonic ms */
    char                 *etag;           /* of the first page */
    char                 *last_modified;
    int                   not_modified;
    const char           *trigger;        /* what queued it */
    int                   pages;          /* page fetches answered */
    long                  http_status;    /* the last one's */
    int64_t               fetch_started;  /* monotonic ms, of this page */
    js_scrape_test_t     *test;           /* a dry run: NULL for a run */

    /* politeness: the robots.txt rules of origin, the wait for a slot */
    char                  origin[300];
    char                  host[260];
    char                 *rules;
    char                  robots_url[320];
    char                  fetch_host[260];  /* the first page's host */
    int64_t               host_gap;       /* ms, its gap then */
    int64_t               bytes;          /* read, all pages */
    int                   waiting;        /* JS_SCRAPE_WAIT_* */
    int64_t               not_before;     /* monotonic ms */
} js_scrape_run_t;

enum {
    JS_SCRAPE_WAIT_NONE = 0,
    JS_SCRAPE_WAIT_PAGE,
    JS_SCRAPE_WAIT_ROBOTS,
    JS_SCRAPE_WAIT_RULES         /* another fetches robots.txt */
};

struct js_scraper_s {
    js_worker_t          *w;
    js_queue_t            q;
    js_http_t            *http;
    PGconn               *pg;
    js_skills_t          *skills;          /* loaded with the first run */
    int                   backfill_done;   /* for skills' version */
    int64_t               backfill_at;     /* ms: not before, after errors */
    char                  user_agent[600];
    js_scrape_run_t      *runs;
    int                   nruns;
    int                   active;
};

/* Frees what the run holds; the slot is free again. */
void js_scrape_run_free(js_scrape_run_t *r);

/* Redis failed us, not the source: the task is retried later. */
void js_scrape_abort(js_scrape_run_t *r, const char *err);

/*
 * Dry runs (scrape_test.c), tasks of kind JOBSCOUT_TASK_SCRAPE_TEST.
 *
 * js_scrape_test_load: the run's source from the task's args: 1 when it
 * may start; 0 when the task is over (past its deadline, or no reply
 * key to answer on: acked or failed, the run freed); -1 with err when
 * the answer is that error.
 */
int js_scrape_test_load(js_scrape_run_t *r, char *err, size_t errlen);

/* A page fetched (req answered) with error, NULL when parsed. */
void js_scrape_test_page(js_scrape_run_t *r, const js_http_req_t *req,
    const char *error);

/* 1 when the dry run has parsed its max_pages and more follow: warned,
 * the caller finishes the run. */
int js_scrape_test_enough(js_scrape_run_t *r);

void js_scrape_test_warn(js_scrape_run_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The run is over (error NULL: a success): LPUSH the answer to the
 * reply key, EXPIRE it, ack the task, free the run. */
void js_scrape_test_answer(js_scrape_run_t *r, const char *error);

void js_scrape_test_free(js_scrape_test_t *t);

#endif /* JS_SCRAPER_H */
