/*
 * Remotive's public API (remote jobs only; poll at most a few times a
 * day, and credit Remotive with a link where jobs are shown):
 *
 *   GET {api_base}/api/remote-jobs?category={source_url}&search=&limit=
 *
 *   {"0-legal-notice": "...", "job-count": 2,
 *    "jobs": [{"id": 1234, "url": "https://remotive.com/remote-jobs/...",
 *              "title": "...", "company_name": "...", "company_logo": "...",
 *              "category": "Software Development", "tags": ["go", "aws"],
 *              "job_type": "full_time",
 *              "publication_date": "2025-06-01T10:00:00",
 *              "candidate_required_location": "Africa",
 *              "salary": "$40k - $60k", "description": "<p>...</p>"}]}
 *
 * source_url is an http(s) URL, or a category slug ("software-dev");
 * config "search", "company_name" and "limit" are added as parameters.
 * Every job is remote; tags become skills.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

static int
remotive_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    const char  *search = js_config_str(src, "search");
    const char  *company = js_config_str(src, "company_name");
    long         limit = js_config_int(src, "limit", 0, 1, 10000);
    char         n[24];

    if (js_source_endpoint(src, "https://remotive.com",
                           "/api/remote-jobs?category=", "", url, err,
                           errlen) != 0)
    {
        return -1;
    }
    snprintf(n, sizeof(n), "%ld", limit);
    if ((search != NULL && js_url_param(url, "search", search) != 0)
        || (company != NULL
            && js_url_param(url, "company_name", company) != 0)
        || (limit > 0 && js_url_param(url, "limit", n) != 0))
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int
remotive_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    json_t      *tag;
    const char  *s;
    size_t       i;

    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "title");
    job.company = js_json_line(o, "company_name");
    job.location = js_json_line(o, "candidate_required_location");
    job.apply_url = js_url_resolve(url, js_json_str(o, "url"));
    s = js_json_str(o, "description");
    job.description = s ? js_html_to_text(s, strlen(s), JS_DESCRIPTION_MAX)
                        : NULL;
    job.posted_at = js_date_parse(js_json_str(o, "publication_date"));

    s = js_employment_type(js_json_str(o, "job_type"));
    job.employment_type = s ? strdup(s) : NULL;
    s = js_location_type("remote", NULL, NULL);
    job.location_type = strdup(s);

    js_salary_parse(&job, js_json_str(o, "salary"),
                    js_config_str(src, "currency"));
    json_array_foreach(json_object_get(o, "tags"), i, tag) {
        if (js_job_add_skill(&job, json_string_value(tag)) < 0) {
            js_job_free(&job);
            return -1;
        }
    }
    return js_page_take(page, src, &job);
}

static int
remotive_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    return js_json_jobs_parse(src, url, body, len, "remotive", remotive_job,
                              page, err, errlen);
}

const js_adapter_t  js_adapter_remotive = {
    "remotive",
    remotive_first_url,
    remotive_parse,
    NULL,
    NULL,
};
