/*
 * Greenhouse Job Board API:
 *
 *   GET {api_base}/v1/boards/{token}/jobs?content=true&pay_transparency=true
 *
 *   {"jobs": [{"id": 127817, "internal_job_id": 144381, "title": "...",
 *              "updated_at": "2016-01-14T10:55:28-05:00",
 *              "first_published": "...", "requisition_id": "50",
 *              "location": {"name": "NYC"}, "absolute_url": "https://...",
 *              "content": "&lt;p&gt;entity-escaped HTML&lt;/p&gt;",
 *              "metadata": [{"id": 1, "name": "Employment Type",
 *                            "value": "Full-time",
 *                            "value_type": "single_select"}, ...],
 *              "departments": [...], "offices": [...],
 *              "pay_input_ranges": [{"min_cents": 12000000,
 *                                    "max_cents": 15000000,
 *                                    "currency_type": "USD",
 *                                    "title": "Annual base pay",
 *                                    "blurb": "<p>...</p>"}]}, ...],
 *    "meta": {"total": 2}}
 *
 * One page holds the whole board; pay_transparency=true asks for the
 * pay ranges (a source_url given as a URL is fetched as is: it says so
 * itself).  Salaries come from
 * metadata (a "currency_range" value {"min_value", "max_value", "unit"},
 * or a pay text), else the first valid pay_input_ranges entry (cents; the
 * period from its title, "Hourly rate"), else the description's pay
 * line.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapter.h"
#include "normalize.h"

static int
greenhouse_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    return js_source_endpoint(src, "https://boards-api.greenhouse.io",
                              "/v1/boards/",
                              "/jobs?content=true&pay_transparency=true",
                              url, err, errlen);
}

static void
greenhouse_metadata(js_job_t *job, json_t *metadata)
{
    size_t       i;
    json_t      *m, *v;
    const char  *name, *type;
    double       min, max;

    json_array_foreach(metadata, i, m) {
        name = js_json_str(m, "name");
        v = json_object_get(m, "value");
        if (name == NULL || v == NULL) {
            continue;
        }
        if (json_is_object(v) && !job->has_salary
            && js_json_number(v, "min_value", &min) == 0
            && js_json_number(v, "max_value", &max) == 0)
        {
            js_salary_set(job, min, max, js_json_str(v, "unit"),
                          js_salary_period(name));
        } else if (json_is_string(v) && !job->has_salary
                   && (strcasestr(name, "salary") != NULL
                       || strcasestr(name, "compensation") != NULL
                       || strcasestr(name, "pay") != NULL))
        {
            js_salary_parse(job, json_string_value(v), NULL);
        } else if (json_is_string(v) && job->employment_type == NULL
                   && (strcasestr(name, "employment") != NULL
                       || strcasestr(name, "job type") != NULL))
        {
            type = js_employment_type(json_string_value(v));
            job->employment_type = type ? strdup(type) : NULL;
        } else if (json_is_string(v) && job->location_type == NULL
                   && (strcasestr(name, "workplace") != NULL
                       || strcasestr(name, "remote") != NULL))
        {
            type = js_location_type(json_string_value(v), NULL, NULL);
            job->location_type = type ? strdup(type) : NULL;
        }
    }
}

static void
greenhouse_pay_ranges(js_job_t *job, json_t *ranges)
{
    size_t   i;
    json_t  *r;
    double   min, max;

    json_array_foreach(ranges, i, r) {
        if (js_json_number(r, "min_cents", &min) == 0
            && js_json_number(r, "max_cents", &max) == 0
            && js_salary_set(job, min / 100, max / 100,
                             js_json_str(r, "currency_type"),
                             js_salary_period(js_json_str(r, "title"))))
        {
            return;
        }
    }
}

static int
greenhouse_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    const char  *s;
    char        *html;

    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "title");
    job.location = js_json_line(json_object_get(o, "location"), "name");
    job.apply_url = js_url_resolve(url, js_json_str(o, "absolute_url"));

    s = js_json_str(o, "content");
    if (s != NULL) {
        html = js_entities_decode(s, strlen(s));
        job.description = html ? js_html_to_text(html, strlen(html),
                                                 JS_DESCRIPTION_MAX)
                               : NULL;
        free(html);
    }

    s = js_json_str(o, "first_published");
    job.posted_at = js_date_parse(s ? s : js_json_str(o, "updated_at"));

    greenhouse_metadata(&job, json_object_get(o, "metadata"));
    if (!job.has_salary) {
        greenhouse_pay_ranges(&job, json_object_get(o, "pay_input_ranges"));
    }
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, NULL);
    }
    return js_page_take(page, src, &job);
}

static int
greenhouse_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    return js_json_jobs_parse(src, url, body, len, "greenhouse", greenhouse_job,
                              page, err, errlen);
}

const js_adapter_t  js_adapter_greenhouse = {
    "greenhouse",
    greenhouse_first_url,
    greenhouse_parse,
    NULL,
    NULL,
};
