/*
 * The table of source adapters, and the jobs and pages they fill.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "adapter.h"
#include "normalize.h"

extern const js_adapter_t  js_adapter_greenhouse;
extern const js_adapter_t  js_adapter_lever;
extern const js_adapter_t  js_adapter_ashby;
extern const js_adapter_t  js_adapter_workable;
extern const js_adapter_t  js_adapter_remotive;
extern const js_adapter_t  js_adapter_adzuna;
extern const js_adapter_t  js_adapter_jsonld;
extern const js_adapter_t  js_adapter_html;
extern const js_adapter_t  js_adapter_rss;
extern const js_adapter_t  js_adapter_atom;
extern const js_adapter_t  js_adapter_smartrecruiters;
extern const js_adapter_t  js_adapter_workday;
extern const js_adapter_t  js_adapter_bamboohr;
extern const js_adapter_t  js_adapter_recruitee;
extern const js_adapter_t  js_adapter_personio;
extern const js_adapter_t  js_adapter_teamtailor;

static const js_adapter_t  *js_adapters[] = {
    &js_adapter_greenhouse,
    &js_adapter_lever,
    &js_adapter_ashby,
    &js_adapter_workable,
    &js_adapter_remotive,
    &js_adapter_adzuna,
    &js_adapter_jsonld,
    &js_adapter_html,
    &js_adapter_rss,
    &js_adapter_atom,
    &js_adapter_smartrecruiters,
    &js_adapter_workday,
    &js_adapter_bamboohr,
    &js_adapter_recruitee,
    &js_adapter_personio,
    &js_adapter_teamtailor,
};

const js_adapter_t *
js_adapter_find(const char *scraper_class)
{
    size_t  i;

    if (scraper_class == NULL) {
        return NULL;
    }
    for (i = 0; i < sizeof(js_adapters) / sizeof(js_adapters[0]); i++) {
        if (strcasecmp(js_adapters[i]->name, scraper_class) == 0) {
            return js_adapters[i];
        }
    }
    return NULL;
}

const js_adapter_t *
js_adapter_nth(size_t i)
{
    return i < sizeof(js_adapters) / sizeof(js_adapters[0]) ? js_adapters[i]
                                                            : NULL;
}

js_job_t *
js_page_add(js_page_t *page)
{
    size_t     cap;
    js_job_t  *jobs;

    if (page->njobs == page->cap) {
        cap = page->cap ? page->cap * 2 : 16;
        jobs = realloc(page->jobs, cap * sizeof(js_job_t));
        if (jobs == NULL) {
            return NULL;
        }
        page->jobs = jobs;
        page->cap = cap;
    }
    memset(&page->jobs[page->njobs], 0, sizeof(js_job_t));
    return &page->jobs[page->njobs++];
}

void
js_page_set_next_post(js_page_t *page, char *url, char *body,
    unsigned max_pages)
{
    page->npages++;
    free(page->next_url);
    free(page->next_body);
    page->next_url = NULL;
    page->next_body = NULL;
    if (url == NULL || page->npages >= max_pages) {
        free(url);
        free(body);
        return;
    }
    page->next_url = url;
    page->next_body = body;
}

int
js_page_take_detail(js_page_t *page, const js_source_t *src, js_job_t *job,
    char *detail)
{
    int           rc;
    long          max;
    js_detail_t  *d;

    rc = js_page_take(page, src, job);
    max = js_config_int(src, "max_details", src->max_details, 0,
                        src->max_details);
    if (rc != 1 || detail == NULL || page->ndetails >= (size_t) max) {
        free(detail);
        return rc;
    }
    /* grows one at a time: max_details is small (1,000 at most) */
    d = realloc(page->details, (page->ndetails + 1) * sizeof(js_detail_t));
    if (d == NULL) {
        free(detail);
        return -1;
    }
    page->details = d;
    d[page->ndetails].url = detail;
    d[page->ndetails].job = page->njobs - 1;
    page->ndetails++;
    return 1;
}

static json_t *
js_job_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* Unix seconds as "2025-06-01T10:00:00Z", null when unknown. */
static json_t *
js_job_time(int64_t at)
{
    char        s[32];
    time_t      t = (time_t) at;
    struct tm   tm;

    if (at <= 0 || gmtime_r(&t, &tm) == NULL) {
        return json_null();
    }
    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(s);
}

json_t *
js_job_json(const js_job_t *job)
{
    static const char *const  periods[] = {
        NULL, "hour", "day", "week", "month", "year"
    };
    size_t      i;
    json_t     *o, *skills;
    int         salary = job->has_salary && job->salary_currency[0] != '\0';

    skills = json_array();
    for (i = 0; skills != NULL && i < job->nskills; i++) {
        if (json_array_append_new(skills, json_string(job->skills[i])) != 0) {
            json_decref(skills);
            return NULL;
        }
    }
    o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                  " s:o, s:o, s:o, s:o}",
                  "external_id", js_job_str(job->external_id),
                  "title", js_job_str(job->title),
                  "company", js_job_str(job->company),
                  "location", js_job_str(job->location),
                  "location_type", js_job_str(job->location_type),
                  "employment_type", js_job_str(job->employment_type),
                  "apply_url", js_job_str(job->apply_url),
                  "description", js_job_str(job->description),
                  "salary_min", salary && job->salary_min > 0
                                ? json_real(job->salary_min) : json_null(),
                  "salary_max", salary ? json_real(job->salary_max)
                                       : json_null(),
                  "salary_currency", js_job_str(salary ? job->salary_currency
                                                       : NULL),
                  "salary_period", js_job_str(salary
                                              ? periods[job->salary_period]
                                              : NULL),
                  "posted_at", js_job_time(job->posted_at),
                  "valid_through", js_job_time(job->valid_through),
                  "skills", skills);
    return o;
}

void
js_job_free(js_job_t *job)
{
    size_t  i;

    free(job->external_id);
    free(job->title);
    free(job->company);
    free(job->location);
    free(job->location_type);
    free(job->employment_type);
    free(job->apply_url);
    free(job->description);
    for (i = 0; i < job->nskills; i++) {
        free(job->skills[i]);
    }
    free(job->skills);
    memset(job, 0, sizeof(js_job_t));
}

void
js_page_free(js_page_t *page)
{
    size_t  i;

    for (i = 0; i < page->njobs; i++) {
        js_job_free(&page->jobs[i]);
    }
    for (i = 0; i < page->ndetails; i++) {
        free(page->details[i].url);
    }
    free(page->details);
    free(page->jobs);
    free(page->next_url);
    free(page->next_body);
    memset(page, 0, sizeof(js_page_t));
}

void
js_page_unread(js_page_t *page, const char *why)
{
    if (page->unread[0] == '\0') {
        snprintf(page->unread, sizeof(page->unread), "%s", why);
    }
}
