/*
 * Workable's public widget API (www.workable.com/api/accounts/{sub}
 * redirects there):
 *
 *   GET {api_base}/api/v1/widget/accounts/{subdomain}?details=true
 *
 *   {"name": "Acme", "description": "...",
 *    "jobs": [{"title": "...", "shortcode": "A1B2C3D4E5", "code": "",
 *              "employment_type": "Full-time", "telecommuting": false,
 *              "department": "...", "url": "https://apply.workable.com/j/...",
 *              "shortlink": "...", "application_url": ".../apply",
 *              "published_on": "2025-06-01", "created_at": "2025-05-30",
 *              "country": "Kenya", "city": "Nairobi", "state": "...",
 *              "locations": [{"country": "Kenya", "countryCode": "KE",
 *                             "city": "Nairobi", "region": "...",
 *                             "hidden": false}],
 *              "description": "<p>...</p>"}, ...]}
 *
 * One page holds the whole account.  The SPI-style "location" object
 * ({"city", "region", "country", "location_str", "telecommuting",
 * "workplace_type"}) and "salary" ({"salary_from", "salary_to",
 * "salary_currency"}) are read too when present.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

static int
workable_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    return js_source_endpoint(src, "https://apply.workable.com",
                              "/api/v1/widget/accounts/", "?details=true",
                              url, err, errlen);
}

/* "City, Region, Country" from an object with those keys. */
static char *
workable_place(json_t *o, const char *region_key)
{
    const char  *parts[3], *s;

    s = js_json_str(o, "location_str");
    if (s != NULL && s[0] != '\0') {
        return js_text_line(s, strlen(s), JS_FIELD_MAX);
    }
    parts[0] = js_json_str(o, "city");
    parts[1] = js_json_str(o, region_key);
    parts[2] = js_json_str(o, "country");
    return js_place_line(parts, 3);
}

static int
workable_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    json_t      *loc, *sal;
    const char  *s, *hint, *currency = js_config_str(src, "currency");
    double       min, max;

    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "shortcode");
    job.title = js_json_line(o, "title");
    s = js_json_str(o, "url");
    if (s == NULL) {
        s = js_json_str(o, "shortlink");
    }
    job.apply_url = js_url_resolve(url, s ? s
                                        : js_json_str(o, "application_url"));

    loc = json_object_get(o, "location");
    job.location = json_is_object(loc) ? workable_place(loc, "region")
                                       : workable_place(o, "state");

    s = js_json_str(o, "description");
    job.description = s ? js_html_to_text(s, strlen(s), JS_DESCRIPTION_MAX)
                        : NULL;
    s = js_json_str(o, "published_on");
    job.posted_at = js_date_parse(s ? s : js_json_str(o, "created_at"));

    s = js_employment_type(js_json_str(o, "employment_type"));
    job.employment_type = s ? strdup(s) : NULL;

    hint = js_json_str(loc, "workplace_type");
    if (hint == NULL && (json_is_true(json_object_get(o, "telecommuting"))
                         || json_is_true(json_object_get(loc,
                                                         "telecommuting"))))
    {
        hint = "remote";
    }
    s = js_location_type(hint, job.location, job.title);
    job.location_type = s ? strdup(s) : NULL;

    sal = json_object_get(o, "salary");
    if (js_json_number(sal, "salary_from", &min) == 0
        && js_json_number(sal, "salary_to", &max) == 0)
    {
        js_salary_set(&job, min, max, js_json_str(sal, "salary_currency"),
                      JS_SALARY_UNKNOWN);
    }
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, currency);
    }
    return js_page_take(page, src, &job);
}

static int
workable_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    return js_json_jobs_parse(src, url, body, len, "workable", workable_job,
                              page, err, errlen);
}

const js_adapter_t  js_adapter_workable = {
    "workable",
    workable_first_url,
    workable_parse,
    NULL,
    NULL,
};
