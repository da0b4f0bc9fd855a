/*
 * Source adapters: one file per job_sources.scraper_class, each turning
 * the bodies the scraper fetched into normalized jobs.  Adapters never do
 * I/O: the scraper (workers/scraper.c) fetches with libcurl multi, obeys
 * robots.txt and per-host delays, and hands every body to the adapter;
 * the adapter says what to fetch next (pagination) through next_url.
 *
 *   const js_adapter_t  *a = js_adapter_find(src.scraper_class);
 *
 *   a->first_url(&src, &url, err, sizeof(err));
 *   while (url != NULL) {
 *       ... fetch url (200) ...
 *       a->parse(&src, url, body, len, &page, err, sizeof(err));
 *       ... page.jobs, then url = page.next_url ...
 *   }
 *
 * Two optional extensions, for providers whose list is not enough:
 *
 * - A request may be a POST of a JSON body (Workday's search endpoint):
 *   first_body gives the first URL's, page->next_body the next page's
 *   (js_page_set_next_post); NULL is a GET.
 *
 * - Detail calls: a job whose list entry lacks the description is
 *   taken with its detail URL (js_page_take_detail).  Once the list is
 *   done, the scraper GETs those URLs in order, through the same fetch
 *   path (robots.txt, the host's budget or gap, the same timeouts), and
 *   hands each 200 body to parse_detail with the job.  At most
 *   js_source_t.max_details per run (jobscoutd.conf scrape_max_details,
 *   lowered by a source's config "max_details"): the rest are not asked
 *   for, their jobs keep what the list gave.  A detail that fails (an
 *   HTTP error, a timeout, robots.txt, a body parse_detail refuses) fails
 *   nothing either: the job is stored as the list gave it.
 *
 *   a->first_url(&src, &url, ...);  body = a->first_body ? ... : NULL;
 *   while (url != NULL) {
 *       ... fetch url (POST body when set) ...
 *       a->parse(...); url = page.next_url; body = page.next_body;
 *   }
 *   for (i = 0; i < page.ndetails; i++) {
 *       ... GET page.details[i].url (200) ...
 *       a->parse_detail(&src, url, body, len,
 *                       &page.jobs[page.details[i].job], err, ...);
 *   }
 *
 * All strings are UTF-8, malloc'ed, owned by the job or page, freed by
 * js_job_free() / js_page_free().  Normalization (salary, location type,
 * clean text, absolute URLs) is done by the adapter through the shared
 * helpers of workers/adapters/normalize.h, so that the scraper stores
 * what it gets.
 */

#ifndef JS_ADAPTER_H
#define JS_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A job_sources row, as the scraper read it. */
typedef struct {
    const char     *id;             /* uuid */
    const char     *company_id;     /* uuid */
    const char     *company_name;
    const char     *company_slug;
    const char     *scraper_class;  /* "greenhouse", "lever", ... */
    const char     *source_url;
    json_t         *config;         /* job_sources.config, an object */
    /* from jobscoutd.conf, for adapters that need keys (adzuna) */
    const char     *adzuna_app_id;
    const char     *adzuna_app_key;
    const char     *adzuna_base_url;
    /* detail calls per run at most (scrape_max_details) */
    long            max_details;
} js_source_t;

typedef enum {
    JS_SALARY_UNKNOWN = 0,
    JS_SALARY_HOUR,
    JS_SALARY_DAY,
    JS_SALARY_WEEK,
    JS_SALARY_MONTH,
    JS_SALARY_YEAR
} js_salary_period_e;

typedef struct {
    char               *external_id;     /* required, stable per source */
    char               *title;           /* required */
    /* the hiring company when a board lists many (remotive, adzuna),
     * NULL when it is the source's own company */
    char               *company;
    char               *location;        /* as written, trimmed */
    char               *location_type;   /* "remote" "hybrid" "onsite" | NULL */
    char               *employment_type; /* "full_time" "part_time" "contract"
                                            "internship" "temporary" | NULL */
    char               *apply_url;       /* absolute http(s) URL */
    char               *description;     /* plain text, length-capped */
    /* salary: has_salary = 0 when absent or nonsense; min <= max */
    int                 has_salary;
    double              salary_min;
    double              salary_max;
    char                salary_currency[4];  /* ISO 4217, upper case */
    js_salary_period_e  salary_period;
    int64_t             posted_at;       /* Unix seconds, 0 = unknown */
    int64_t             valid_through;   /* offered until (Unix seconds),
                                            0 = unknown */
    char              **skills;          /* lower-case tags, may be empty */
    size_t              nskills;
} js_job_t;

/*
 * Keep one page for a whole run of a source: parse appends its jobs,
 * counts the bodies in npages (adapters stop offering a next_url at
 * their max_pages) and replaces next_url.
 */
typedef struct {
    char           *url;            /* GET */
    size_t          job;            /* its job: page->jobs[job] */
} js_detail_t;

typedef struct {
    js_job_t       *jobs;
    size_t          njobs;
    size_t          cap;
    char           *next_url;       /* the next page, NULL when done */
    char           *next_body;      /* POSTed to next_url; NULL: a GET */
    unsigned        npages;         /* bodies parsed so far */
    js_detail_t    *details;        /* detail calls asked for, in order */
    size_t          ndetails;
    char            unread[160];    /* why a part was not read; "" */
} js_page_t;

typedef struct {
    const char     *name;           /* the scraper_class it serves */

    /* The first URL to fetch for src: from source_url and config. */
    int           (*first_url)(const js_source_t *src, char **url,
                               char *err, size_t errlen);

    /* Parse one 200 body fetched from url into page (appending jobs);
     * 0 on success, -1 with err set when the body is not what the
     * provider documents (the run is then a failure, nothing stored). */
    int           (*parse)(const js_source_t *src, const char *url,
                           const char *body, size_t len, js_page_t *page,
                           char *err, size_t errlen);

    /* Optional (NULL: the first request is a GET): the JSON body to POST
     * to the first URL, malloc'ed; 0, or -1 with err set. */
    int           (*first_body)(const js_source_t *src, char **body,
                                char *err, size_t errlen);

    /* Optional, for adapters that call js_page_take_detail: completes
     * job from the 200 body of its detail URL; 0, or -1 with err set when
     * the body is not what the provider documents (the job is then kept
     * as the list gave it, and job left as it was). */
    int           (*parse_detail)(const js_source_t *src, const char *url,
                                  const char *body, size_t len,
                                  js_job_t *job, char *err, size_t errlen);
} js_adapter_t;

const js_adapter_t *js_adapter_find(const char *scraper_class);
/* The table in order: the i-th adapter, NULL past the last. */
const js_adapter_t *js_adapter_nth(size_t i);

js_job_t *js_page_add(js_page_t *page);

/*
 * The next page is a POST of body (owned, like url; NULL: a GET) to url:
 * counts the page, replaces next_url and next_body, or frees both when
 * the page was the max_pages-th.  The URL may be the one just fetched (a
 * search endpoint): the body must then move on (its offset).
 */
void js_page_set_next_post(js_page_t *page, char *url, char *body,
    unsigned max_pages);

/*
 * js_page_take (normalize.h) of job, then, when the page kept it, a
 * detail call to detail (owned; NULL: none), unless the page has its
 * max_details already (config "max_details", at most src->max_details).
 * js_page_take's answer: 1 taken, 0 skipped, -1 out of memory.
 */
int js_page_take_detail(js_page_t *page, const js_source_t *src,
    js_job_t *job, char *detail);

/*
 * The job as JSON, every normalized field, null when unknown:
 *
 *   {"external_id", "title", "company", "location", "location_type",
 *    "employment_type", "apply_url", "description",
 *    "salary_min", "salary_max", "salary_currency", "salary_period",
 *    "posted_at": "2025-06-01T10:00:00Z", "valid_through": "...",
 *    "skills": ["go", ...]}
 *
 * The salary as it is stored: only with a known currency, salary_min
 * null for "up to salary_max", salary_period null when unknown.  NULL
 * when out of memory.
 */
json_t *js_job_json(const js_job_t *job);
void js_job_free(js_job_t *job);
void js_page_free(js_page_t *page);

/*
 * A part of a body the adapter could not read (a JSON-LD block that is
 * not JSON): the run is partial, and none of the source's jobs counts as
 * missed by it.  The first reason is kept (page->unread).
 */
void js_page_unread(js_page_t *page, const char *why);

#endif /* JS_ADAPTER_H */
