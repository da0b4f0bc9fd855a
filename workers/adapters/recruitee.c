/*
 * Recruitee Careers Site API, public (no key):
 *
 *   GET https://{company}.recruitee.com/api/offers/
 *
 *   {"offers": [{"id": 1234567, "slug": "backend-engineer",
 *                "title": "...", "status": "published",
 *                "description": "<p>...</p>", "requirements": "<ul>...",
 *                "location": "Nairobi, Kenya", "city": "Nairobi",
 *                "country": "Kenya", "country_code": "KE",
 *                "remote": false, "hybrid": true, "on_site": false,
 *                "employment_type_code": "fulltime_permanent",
 *                "salary": {"min": "150000.0", "max": "200000.0",
 *                           "period": "month", "currency": "KES"},
 *                "tags": ["Go", "PostgreSQL"],
 *                "careers_url": "https://acme.recruitee.com/o/...",
 *                "careers_apply_url": "https://acme.recruitee.com/o/.../c/new",
 *                "published_at": "2025-06-01 10:00:00 UTC",
 *                "created_at": "2025-05-30 08:00:00 UTC"}, ...]}
 *
 * One answer holds the whole board (the endpoint has no pages); its
 * size is bounded by the scraper's body limit and the page's
 * JS_PAGE_MAX_JOBS.  source_url is the subdomain, or the offers URL of
 * a custom career domain.  The remote / hybrid / on_site flags give the
 * location type, employment_type_code the employment type ("..._fixed_
 * term" is a contract), the salary object the salary, tags the skills.
 * Offers whose status is not "published" are skipped.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

static int
recruitee_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    return js_source_subdomain(src, ".recruitee.com", "/api/offers/", url,
                               err, errlen);
}

static char *
recruitee_description(json_t *o)
{
    const char  *s;
    char        *html, *t;
    js_buf_t     b = { 0 };

    js_buf_str(&b, js_json_str(o, "description"));
    if ((s = js_json_str(o, "requirements")) != NULL && s[0] != '\0') {
        js_buf_str(&b, "<div>");
        js_buf_str(&b, s);
        js_buf_str(&b, "</div>");
    }
    html = js_buf_take(&b);
    if (html == NULL) {
        return NULL;
    }
    t = js_html_to_text(html, strlen(html), JS_DESCRIPTION_MAX);
    free(html);
    return t;
}

/* The work-mode flags as a location type hint. */
static const char *
recruitee_mode(json_t *o)
{
    int  remote = json_is_true(json_object_get(o, "remote"));
    int  hybrid = json_is_true(json_object_get(o, "hybrid"));
    int  onsite = json_is_true(json_object_get(o, "on_site"));

    if (hybrid || (remote && onsite)) {
        return "hybrid";
    }
    return remote ? "remote" : onsite ? "onsite" : NULL;
}

static int
recruitee_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    json_t      *sal, *tag;
    const char  *s, *currency = js_config_str(src, "currency");
    double       min, max;
    size_t       i;
    char         place[2 * JS_FIELD_MAX];

    s = js_json_str(o, "status");
    if (s != NULL && strcmp(s, "published") != 0) {
        return 0;
    }
    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "title");
    job.location = js_json_line(o, "location");
    if (job.location == NULL && js_json_str(o, "city") != NULL) {
        s = js_json_str(o, "country");
        snprintf(place, sizeof(place), "%s%s%s", js_json_str(o, "city"),
                 s ? ", " : "", s ? s : "");
        job.location = js_text_line(place, strlen(place), JS_FIELD_MAX);
    }
    s = js_json_str(o, "careers_url");
    job.apply_url = js_url_resolve(url, s ? s : js_json_str(o,
                                                "careers_apply_url"));
    job.description = recruitee_description(o);

    s = js_json_str(o, "published_at");
    job.posted_at = js_date_parse(s ? s : js_json_str(o, "created_at"));

    s = js_employment_type(js_json_str(o, "employment_type_code"));
    job.employment_type = s ? strdup(s) : NULL;
    s = js_location_type(recruitee_mode(o), job.location, job.title);
    job.location_type = s ? strdup(s) : NULL;

    sal = json_object_get(o, "salary");
    if (js_json_number(sal, "min", &min) != 0) {
        min = -1;
    }
    if (js_json_number(sal, "max", &max) != 0) {
        max = -1;
    }
    if (min >= 0 || max >= 0) {
        s = js_json_str(sal, "currency");
        js_salary_set(&job, min < 0 ? max : min, max < 0 ? min : max,
                      s ? s : currency,
                      js_salary_period(js_json_str(sal, "period")));
    }
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, currency);
    }

    json_array_foreach(json_object_get(o, "tags"), i, tag) {
        if (json_is_string(tag)
            && js_job_add_skill(&job, json_string_value(tag)) != 0)
        {
            js_job_free(&job);
            return -1;
        }
    }
    return js_page_take(page, src, &job);
}

static int
recruitee_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    return js_json_list_parse(src, url, body, len, "recruitee", "offers",
                              recruitee_job, page, err, errlen);
}

const js_adapter_t  js_adapter_recruitee = {
    "recruitee",
    recruitee_first_url,
    recruitee_parse,
    NULL,
    NULL,
};
