/*
 * SmartRecruiters Posting API (public, no key):
 *
 *   GET {api_base}/v1/companies/{company}/postings?limit=100&offset=0
 *
 *   {"offset": 0, "limit": 100, "totalFound": 2,
 *    "content": [{"id": "744000012345678", "name": "title",
 *                 "uuid": "...", "refNumber": "REF12",
 *                 "company": {"identifier": "Acme", "name": "Acme"},
 *                 "releasedDate": "2025-06-01T10:00:00.000Z",
 *                 "location": {"city": "Nairobi", "region": "...",
 *                              "country": "ke", "remote": false,
 *                              "hybrid": true, "fullLocation": "..."},
 *                 "typeOfEmployment": {"id": "permanent",
 *                                      "label": "Full-time"},
 *                 "department": {...}, "experienceLevel": {...},
 *                 "ref": "https://api.smartrecruiters.com/v1/..."}]}
 *
 * paged by offset until totalFound (config "page_size", at most 100).
 * The list has no description and no public URL: each posting gets a
 * detail call,
 *
 *   GET {api_base}/v1/companies/{company}/postings/{id}
 *
 *   {"id": "...", "name": "...", "postingUrl": "https://jobs.smart...",
 *    "applyUrl": "...", "releasedDate": "...", "location": {...},
 *    "typeOfEmployment": {...},
 *    "compensation": {"min": 100000, "max": 120000, "currency": "USD",
 *                     "period": "YEARLY"},          (on few postings)
 *    "jobAd": {"sections": {"companyDescription": {"title", "text"},
 *                           "jobDescription": {...},
 *                           "qualifications": {...},
 *                           "additionalInformation": {...}}}}
 *
 * Until then (and when it fails, or past max_details) the job links to
 * jobs.smartrecruiters.com/{company}/{id}, which redirects to the
 * posting.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

#define SR_PAGE_SIZE   100                /* the API's maximum limit */
#define SR_JOBS_SITE   "https://jobs.smartrecruiters.com/"

static long
sr_page_size(const js_source_t *src)
{
    return js_config_int(src, "page_size", SR_PAGE_SIZE, 1, SR_PAGE_SIZE);
}

static int
sr_first_url(const js_source_t *src, char **url, char *err, size_t errlen)
{
    char  n[24];

    if (js_source_endpoint(src, "https://api.smartrecruiters.com",
                           "/v1/companies/", "/postings", url, err, errlen)
        != 0)
    {
        return -1;
    }
    snprintf(n, sizeof(n), "%ld", sr_page_size(src));
    if (js_url_param(url, "limit", n) != 0
        || js_url_param(url, "offset", "0") != 0)
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* fullLocation, else "city, region, country". */
static char *
sr_location(json_t *loc)
{
    const char  *parts[3];
    char        *t;

    t = js_json_line(loc, "fullLocation");
    if (t != NULL) {
        return t;
    }
    parts[0] = js_json_str(loc, "city");
    parts[1] = js_json_str(loc, "region");
    parts[2] = js_json_str(loc, "country");
    return js_place_line(parts, 3);
}

/* The provider's flags: "remote" and "hybrid" are booleans of location. */
static const char *
sr_location_hint(json_t *loc)
{
    if (json_is_true(json_object_get(loc, "remote"))) {
        return "remote";
    }
    if (json_is_true(json_object_get(loc, "hybrid"))) {
        return "hybrid";
    }
    return NULL;
}

static const char *
sr_employment(json_t *o)
{
    json_t      *t = json_object_get(o, "typeOfEmployment");
    const char  *s = js_employment_type(js_json_str(t, "label"));

    return s ? s : js_employment_type(js_json_str(t, "id"));
}

static int
sr_job(const js_source_t *src, const char *url, size_t base, json_t *o,
    js_page_t *page)
{
    int          rc;
    char        *id, *company = NULL;
    json_t      *loc;
    js_job_t     job;
    const char  *s;

    memset(&job, 0, sizeof(job));
    loc = json_object_get(o, "location");
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "name");
    job.location = sr_location(loc);
    s = js_location_type(sr_location_hint(loc), job.location, job.title);
    job.location_type = s ? strdup(s) : NULL;
    s = sr_employment(o);
    job.employment_type = s ? strdup(s) : NULL;
    job.posted_at = js_date_parse(js_json_str(o, "releasedDate"));

    id = job.external_id ? js_url_escape(job.external_id) : NULL;
    s = js_json_str(json_object_get(o, "company"), "identifier");
    company = js_url_escape(s ? s : src->company_slug ? src->company_slug
                                                      : "");
    if (id != NULL && company != NULL) {
        job.apply_url = js_url_concat(SR_JOBS_SITE, strlen(SR_JOBS_SITE),
                                      company, "/", id);
    }
    free(company);

    rc = js_page_take_detail(page, src, &job,
                             id ? js_url_concat(url, base, "/", id, NULL)
                                : NULL);
    free(id);
    return rc;
}

static int
sr_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    json_t  *root, *content, *o;
    size_t   i, base;
    long     size = sr_page_size(src);
    double   total;
    char    *next = NULL, n[24];

    content = js_json_list(body, len, "smartrecruiters", "content", &root,
                           err, errlen);
    if (content == NULL) {
        return -1;
    }

    /* the postings' URLs are the list's path, without its query */
    base = strcspn(url, "?#");
    json_array_foreach(content, i, o) {
        if (json_is_object(o) && sr_job(src, url, base, o, page) < 0) {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }

    /* the pages so far held npages + 1 times size, up to totalFound */
    snprintf(n, sizeof(n), "%ld", size * (long) (page->npages + 1));
    if (json_array_size(content) > 0
        && js_json_number(root, "totalFound", &total) == 0
        && size * (double) (page->npages + 1) < total)
    {
        next = js_url_set_param(url, "offset", n);
    }
    json_decref(root);
    js_page_set_next(page, url, next, js_config_max_pages(src));
    return 0;
}

/* The sections of jobAd in the order of the posting's page, as HTML with
 * their titles; NULL when there are none. */
static char *
sr_sections(json_t *sections)
{
    static const char *const  names[] = {
        "companyDescription", "jobDescription", "qualifications",
        "additionalInformation"
    };
    size_t       i;
    json_t      *sec;
    const char  *title, *text;
    char        *html, *t;
    js_buf_t     b = { 0 };

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        sec = json_object_get(sections, names[i]);
        text = js_json_str(sec, "text");
        if (text == NULL || text[0] == '\0') {
            continue;
        }
        if ((title = js_json_str(sec, "title")) != NULL) {
            js_buf_str(&b, "<h3>");
            js_buf_str(&b, title);
            js_buf_str(&b, "</h3>");
        }
        js_buf_str(&b, "<div>");
        js_buf_str(&b, text);
        js_buf_str(&b, "</div>");
    }
    if (b.len == 0 && !b.oom) {
        return NULL;
    }
    html = js_buf_take(&b);
    if (html == NULL) {
        return NULL;
    }
    t = js_html_to_text(html, strlen(html), JS_DESCRIPTION_MAX);
    free(html);
    return t;
}

static int
sr_parse_detail(const js_source_t *src, const char *url, const char *body,
    size_t len, js_job_t *job, char *err, size_t errlen)
{
    json_t      *root, *comp;
    char        *text, *apply;
    double       min, max;
    const char  *currency = js_config_str(src, "currency");

    if (js_json_parse(body, len, JSON_OBJECT, &root, err, errlen) != 0) {
        return -1;
    }
    text = sr_sections(json_object_get(json_object_get(root, "jobAd"),
                                       "sections"));
    if (text == NULL) {
        snprintf(err, errlen, "smartrecruiters: no jobAd sections");
        json_decref(root);
        return -1;
    }
    free(job->description);
    job->description = text;

    apply = js_url_resolve(url, js_json_str(root, "postingUrl"));
    if (apply != NULL) {
        free(job->apply_url);
        job->apply_url = apply;
    }

    comp = json_object_get(root, "compensation");
    if (js_json_number(comp, "min", &min) == 0
        && js_json_number(comp, "max", &max) == 0)
    {
        js_salary_set(job, min, max, js_json_str(comp, "currency"),
                      js_salary_period(js_json_str(comp, "period")));
    }
    if (!job->has_salary) {
        js_salary_from_text(job, job->description, currency);
    }
    json_decref(root);
    return 0;
}

const js_adapter_t  js_adapter_smartrecruiters = {
    "smartrecruiters",
    sr_first_url,
    sr_parse,
    NULL,
    sr_parse_detail,
};
