/*
 * Ashby posting API:
 *
 *   GET {api_base}/posting-api/job-board/{board}?includeCompensation=true
 *
 *   {"apiVersion": "1",
 *    "jobs": [{"id": "uuid", "title": "...", "department": "...",
 *              "team": "...", "employmentType": "FullTime",
 *              "location": "Nairobi", "secondaryLocations": [...],
 *              "isRemote": false, "workplaceType": "Hybrid",
 *              "publishedAt": "2025-06-01T10:00:00.000+00:00",
 *              "isListed": true,
 *              "jobUrl": "https://jobs.ashbyhq.com/acme/uuid",
 *              "applyUrl": "https://jobs.ashbyhq.com/acme/uuid/application",
 *              "descriptionHtml": "<p>...</p>", "descriptionPlain": "...",
 *              "compensation": {
 *                  "compensationTierSummary": "$81K – $87K • Equity",
 *                  "summaryComponents": [{"compensationType": "Salary",
 *                      "interval": "1 YEAR", "currencyCode": "USD",
 *                      "minValue": 81000, "maxValue": 87000}]}}]}
 *
 * One page holds the whole board; unlisted postings are skipped.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapter.h"
#include "normalize.h"

static int
ashby_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    return js_source_endpoint(src, "https://api.ashbyhq.com",
                              "/posting-api/job-board/",
                              "?includeCompensation=true", url, err, errlen);
}

static void
ashby_salary(js_job_t *job, json_t *comp, const char *currency)
{
    json_t      *c;
    size_t       i;
    double       min, max;
    const char  *type;

    json_array_foreach(json_object_get(comp, "summaryComponents"), i, c) {
        type = js_json_str(c, "compensationType");
        if (type == NULL || strcasecmp(type, "Salary") != 0) {
            continue;
        }
        if (js_json_number(c, "minValue", &min) != 0) {
            min = -1;
        }
        if (js_json_number(c, "maxValue", &max) != 0) {
            max = -1;
        }
        if (min < 0 && max < 0) {
            continue;
        }
        if (js_salary_set(job, min < 0 ? max : min, max < 0 ? min : max,
                          js_json_str(c, "currencyCode"),
                          js_salary_period(js_json_str(c, "interval"))))
        {
            return;
        }
    }
    js_salary_parse(job, js_json_str(comp, "compensationTierSummary"),
                    currency);
}

static int
ashby_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    json_t      *v;
    const char  *s, *hint, *currency = js_config_str(src, "currency");

    v = json_object_get(o, "isListed");
    if (json_is_false(v)) {
        return 0;
    }
    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "title");
    job.location = js_json_line(o, "location");
    s = js_json_str(o, "jobUrl");
    job.apply_url = js_url_resolve(url, s ? s : js_json_str(o, "applyUrl"));

    s = js_json_str(o, "descriptionHtml");
    if (s != NULL) {
        job.description = js_html_to_text(s, strlen(s), JS_DESCRIPTION_MAX);
    } else if ((s = js_json_str(o, "descriptionPlain")) != NULL) {
        job.description = js_plain_to_text(s, strlen(s), JS_DESCRIPTION_MAX);
    }
    job.posted_at = js_date_parse(js_json_str(o, "publishedAt"));

    s = js_employment_type(js_json_str(o, "employmentType"));
    job.employment_type = s ? strdup(s) : NULL;

    hint = js_json_str(o, "workplaceType");
    if (hint == NULL && json_is_true(json_object_get(o, "isRemote"))) {
        hint = "remote";
    }
    s = js_location_type(hint, job.location, job.title);
    job.location_type = s ? strdup(s) : NULL;

    ashby_salary(&job, json_object_get(o, "compensation"), currency);
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, currency);
    }
    return js_page_take(page, src, &job);
}

static int
ashby_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    return js_json_jobs_parse(src, url, body, len, "ashby", ashby_job,
                              page, err, errlen);
}

const js_adapter_t  js_adapter_ashby = {
    "ashby",
    ashby_first_url,
    ashby_parse,
    NULL,
    NULL,
};
