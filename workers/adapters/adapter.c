/*
 * The table of source adapters, and the jobs and pages they fill.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapter.h"

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
    free(page->jobs);
    free(page->next_url);
    memset(page, 0, sizeof(js_page_t));
}
