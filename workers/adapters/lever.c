/*
 * Lever postings API:
 *
 *   GET {api_base}/v0/postings/{site}?mode=json[&skip=N&limit=M]
 *
 *   [{"id": "uuid", "text": "title", "createdAt": 1700000000000,
 *     "categories": {"location": "...", "commitment": "Full-time",
 *                    "team": "...", "department": "...",
 *                    "allLocations": [...]},
 *     "country": "KE", "workplaceType": "remote|hybrid|on-site|unspecified",
 *     "description": "<div>...</div>", "descriptionPlain": "...",
 *     "lists": [{"text": "Requirements", "content": "<li>...</li>"}],
 *     "additional": "<div>...</div>",
 *     "hostedUrl": "https://jobs.lever.co/acme/uuid",
 *     "applyUrl": "https://jobs.lever.co/acme/uuid/apply",
 *     "salaryRange": {"currency": "USD", "interval": "per-year-salary",
 *                     "min": 100000, "max": 150000},
 *     "salaryDescriptionPlain": "..."}, ...]
 *
 * A bare array: the whole board in one answer, unless config
 * "page_size" asks for pages of that many (skip/limit).  The EU site is
 * config "api_base": "https://api.eu.lever.co".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

static int
lever_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    long   size = js_config_int(src, "page_size", 0, 0, 1000);
    char   n[24];

    if (js_source_endpoint(src, "https://api.lever.co", "/v0/postings/",
                           "?mode=json", url, err, errlen) != 0)
    {
        return -1;
    }
    snprintf(n, sizeof(n), "%ld", size);
    if (size > 0 && (js_url_param(url, "skip", "0") != 0
                     || js_url_param(url, "limit", n) != 0))
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* description, then each list as a heading and its items, then
 * "additional", as one HTML text; "additionalPlain" when Lever sent it
 * without its HTML twin (some postings hold all their text there). */
static char *
lever_description(json_t *o)
{
    json_t      *l;
    const char  *s, *plain;
    size_t       i;
    char        *html, *t, *joined;
    js_buf_t     b = { 0 }, all = { 0 };

    s = js_json_str(o, "description");
    js_buf_str(&b, s ? s : js_json_str(o, "descriptionPlain"));
    json_array_foreach(json_object_get(o, "lists"), i, l) {
        if ((s = js_json_str(l, "text")) != NULL) {
            js_buf_str(&b, "<h3>");
            js_buf_str(&b, s);
            js_buf_str(&b, "</h3>");
        }
        if ((s = js_json_str(l, "content")) != NULL) {
            js_buf_str(&b, "<ul>");
            js_buf_str(&b, s);
            js_buf_str(&b, "</ul>");
        }
    }
    if ((s = js_json_str(o, "additional")) != NULL) {
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
    s = js_json_str(o, "additional");
    plain = js_json_str(o, "additionalPlain");
    if (t == NULL || (s != NULL && s[0] != '\0') || plain == NULL) {
        return t;
    }
    js_buf_str(&all, t);
    js_buf_str(&all, t[0] ? "\n\n" : "");
    js_buf_str(&all, plain);
    free(t);
    joined = js_buf_take(&all);
    t = joined ? js_plain_to_text(joined, strlen(joined), JS_DESCRIPTION_MAX)
               : NULL;
    free(joined);
    return t;
}

static int
lever_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    json_t      *cat, *sal, *created;
    const char  *s;
    double       min, max;

    memset(&job, 0, sizeof(job));
    cat = json_object_get(o, "categories");
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "text");
    job.location = js_json_line(cat, "location");
    s = js_json_str(o, "hostedUrl");
    job.apply_url = js_url_resolve(url, s ? s : js_json_str(o, "applyUrl"));
    job.description = lever_description(o);

    s = js_employment_type(js_json_str(cat, "commitment"));
    job.employment_type = s ? strdup(s) : NULL;
    s = js_location_type(js_json_str(o, "workplaceType"), job.location,
                         job.title);
    job.location_type = s ? strdup(s) : NULL;

    created = json_object_get(o, "createdAt");
    if (json_is_integer(created) && json_integer_value(created) > 0) {
        job.posted_at = json_integer_value(created) / 1000;
    }

    sal = json_object_get(o, "salaryRange");
    if (js_json_number(sal, "min", &min) == 0
        && js_json_number(sal, "max", &max) == 0)
    {
        js_salary_set(&job, min, max, js_json_str(sal, "currency"),
                      js_salary_period(js_json_str(sal, "interval")));
    }
    if (!job.has_salary) {
        js_salary_parse(&job, js_json_str(o, "salaryDescriptionPlain"),
                        js_config_str(src, "currency"));
    }
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description,
                            js_config_str(src, "currency"));
    }
    return js_page_take(page, src, &job);
}

static int
lever_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    json_t  *root, *o;
    size_t   i;
    long     size = js_config_int(src, "page_size", 0, 0, 1000);
    char    *next = NULL, n[24];

    if (js_json_parse(body, len, JSON_ARRAY, &root, err, errlen) != 0) {
        return -1;
    }
    json_array_foreach(root, i, o) {
        if (json_is_object(o) && lever_job(src, url, o, page) < 0) {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }
    /* a full page may have a next one: skip what the pages so far held */
    if (size > 0 && json_array_size(root) >= (size_t) size) {
        snprintf(n, sizeof(n), "%ld", size * (long) (page->npages + 1));
        next = js_url_set_param(url, "skip", n);
    }
    json_decref(root);
    js_page_set_next(page, url, next, js_config_max_pages(src));
    return 0;
}

const js_adapter_t  js_adapter_lever = {
    "lever",
    lever_first_url,
    lever_parse,
    NULL,
    NULL,
};
