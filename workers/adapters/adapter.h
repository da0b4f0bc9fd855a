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
    js_job_t       *jobs;
    size_t          njobs;
    size_t          cap;
    char           *next_url;       /* the next page, NULL when done */
    unsigned        npages;         /* bodies parsed so far */
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
} js_adapter_t;

const js_adapter_t *js_adapter_find(const char *scraper_class);
/* The table in order: the i-th adapter, NULL past the last. */
const js_adapter_t *js_adapter_nth(size_t i);

js_job_t *js_page_add(js_page_t *page);

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

#endif /* JS_ADAPTER_H */
