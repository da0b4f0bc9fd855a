/*
 * Adzuna search API (keys from jobscoutd.conf, never from the source):
 *
 *   GET {adzuna_base_url}/v1/api/jobs/{country}/search/{page}
 *       ?app_id=&app_key=&results_per_page=&what=&where=...
 *
 *   {"count": 1234, "mean": 43210.5,
 *    "results": [{"id": "4123456789", "title": "<strong>Go</strong> ...",
 *                 "description": "snippet...",
 *                 "created": "2025-06-01T10:00:00Z",
 *                 "redirect_url": "https://www.adzuna.co.uk/jobs/land/ad/...",
 *                 "company": {"display_name": "..."},
 *                 "location": {"display_name": "...", "area": [...]},
 *                 "category": {"tag": "it-jobs", "label": "IT Jobs"},
 *                 "salary_min": 50000, "salary_max": 60000,
 *                 "salary_is_predicted": "0",
 *                 "contract_time": "full_time", "contract_type": "permanent",
 *                 "latitude": 51.5, "longitude": -0.1}, ...]}
 *
 * source_url is the country ("gb", "za", ...) or a full search URL;
 * config "what", "what_and", "what_or", "what_exclude", "what_phrase",
 * "where", "distance", "category", "sort_by", "salary_min",
 * "max_days_old", "full_time", "permanent" ... (strings or numbers) are
 * passed on, "results_per_page" (default 50) and "max_pages" (default 5:
 * Adzuna counts calls) page through the results.  Salaries are yearly,
 * in the country's currency; predicted salaries are left out.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

#define ADZUNA_PER_PAGE   50
#define ADZUNA_MAX_PAGES  5

static const char  *adzuna_params[] = {
    "what", "what_and", "what_or", "what_exclude", "what_phrase", "where",
    "distance", "category", "sort_by", "sort_dir", "salary_min",
    "salary_max", "salary_include_unknown", "max_days_old", "full_time",
    "part_time", "contract", "permanent", "company",
};

/* Adzuna's countries and their currencies. */
static const char  *adzuna_currencies[][2] = {
    { "gb", "GBP" }, { "us", "USD" }, { "za", "ZAR" }, { "in", "INR" },
    { "au", "AUD" }, { "ca", "CAD" }, { "nz", "NZD" }, { "sg", "SGD" },
    { "br", "BRL" }, { "mx", "MXN" }, { "pl", "PLN" }, { "ch", "CHF" },
    { "de", "EUR" }, { "fr", "EUR" }, { "nl", "EUR" }, { "it", "EUR" },
    { "es", "EUR" }, { "at", "EUR" }, { "be", "EUR" },
};

static long
adzuna_per_page(const js_source_t *src)
{
    return js_config_int(src, "results_per_page", ADZUNA_PER_PAGE, 1, 50);
}

static int
adzuna_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    json_t       *v;
    const char   *base;
    char          n[32];
    size_t        i;
    int           rc = 0;

    if (src->adzuna_app_id == NULL || src->adzuna_app_id[0] == '\0'
        || src->adzuna_app_key == NULL || src->adzuna_app_key[0] == '\0')
    {
        snprintf(err, errlen, "adzuna: adzuna_app_id and adzuna_app_key "
                 "are not configured");
        return -1;
    }
    base = src->adzuna_base_url ? src->adzuna_base_url
                                : "https://api.adzuna.com";
    if (js_source_endpoint(src, base, "/v1/api/jobs/", "/search/1", url,
                           err, errlen) != 0)
    {
        return -1;
    }
    snprintf(n, sizeof(n), "%ld", adzuna_per_page(src));
    if (js_url_param(url, "app_id", src->adzuna_app_id) != 0
        || js_url_param(url, "app_key", src->adzuna_app_key) != 0
        || js_url_param(url, "results_per_page", n) != 0
        || js_url_param(url, "content-type", "application/json") != 0)
    {
        rc = -1;
    }
    for (i = 0; rc == 0 && i < sizeof(adzuna_params) / sizeof(char *); i++)
    {
        v = json_object_get(src->config, adzuna_params[i]);
        if (json_is_integer(v)) {
            snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
            rc = js_url_param(url, adzuna_params[i], n);
        } else if (json_is_string(v)) {
            rc = js_url_param(url, adzuna_params[i], json_string_value(v));
        }
    }
    if (rc != 0) {
        free(*url);
        *url = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* The country of a search URL ".../jobs/{cc}/search/..." as a currency. */
static const char *
adzuna_currency(const char *url)
{
    const char  *p = strstr(url, "/search/");
    size_t       i;

    if (p == NULL || p - url < 3 || p[-3] != '/') {
        return NULL;
    }
    for (i = 0; i < sizeof(adzuna_currencies) / sizeof(adzuna_currencies[0]);
         i++)
    {
        if (strncmp(p - 2, adzuna_currencies[i][0], 2) == 0) {
            return adzuna_currencies[i][1];
        }
    }
    return NULL;
}

/* url with its "/search/{n}" page replaced by n + 1, and n itself. */
static char *
adzuna_next_url(const char *url, long *n)
{
    const char  *p = strstr(url, "/search/"), *rest;
    char        *end, num[24];
    js_buf_t     b = { 0 };

    if (p == NULL) {
        return NULL;
    }
    p += 8;
    *n = strtol(p, &end, 10);
    if (end == p || *n < 1 || *n > 1000) {
        return NULL;
    }
    rest = end;
    js_buf_add(&b, url, (size_t) (p - url));
    snprintf(num, sizeof(num), "%ld", *n + 1);
    js_buf_str(&b, num);
    js_buf_str(&b, rest);
    return js_buf_take(&b);
}

static int
adzuna_job(const js_source_t *src, const char *url, json_t *o,
    const char *currency, js_page_t *page)
{
    js_job_t     job;
    json_t      *pred;
    const char  *s;
    double       min, max;

    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "title");
    job.company = js_json_line(json_object_get(o, "company"), "display_name");
    job.location = js_json_line(json_object_get(o, "location"),
                                "display_name");
    job.apply_url = js_url_resolve(url, js_json_str(o, "redirect_url"));
    s = js_json_str(o, "description");
    job.description = s ? js_html_to_text(s, strlen(s), JS_DESCRIPTION_MAX)
                        : NULL;
    job.posted_at = js_date_parse(js_json_str(o, "created"));

    s = js_employment_type(js_json_str(o, "contract_type"));
    if (s == NULL || strcmp(s, "full_time") == 0) {
        s = js_employment_type(js_json_str(o, "contract_time"));
    }
    if (s == NULL) {
        s = js_employment_type(js_json_str(o, "contract_type"));
    }
    job.employment_type = s ? strdup(s) : NULL;

    pred = json_object_get(o, "salary_is_predicted");
    if (!(json_is_string(pred) && strcmp(json_string_value(pred), "1") == 0)
        && !(json_is_integer(pred) && json_integer_value(pred) == 1)
        && !json_is_true(pred))
    {
        if (js_json_number(o, "salary_min", &min) != 0) {
            min = -1;
        }
        if (js_json_number(o, "salary_max", &max) != 0) {
            max = -1;
        }
        if (min >= 0 || max >= 0) {
            js_salary_set(&job, min < 0 ? max : min, max < 0 ? min : max,
                          currency, JS_SALARY_YEAR);
        }
    }
    return js_page_take(page, src, &job);
}

static int
adzuna_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    json_t      *root, *results, *o;
    size_t       i;
    long         n = 0, per = adzuna_per_page(src);
    double       count;
    char        *next = NULL;
    const char  *currency = adzuna_currency(url), *why;

    if (js_json_parse(body, len, JSON_OBJECT, &root, err, errlen) != 0) {
        return -1;
    }
    results = json_object_get(root, "results");
    if (!json_is_array(results)) {
        why = js_json_str(root, "display");
        snprintf(err, errlen, "adzuna: no \"results\" array%s%.100s",
                 why ? ": " : "", why ? why : "");
        json_decref(root);
        return -1;
    }
    json_array_foreach(results, i, o) {
        if (json_is_object(o) && adzuna_job(src, url, o, currency, page) < 0)
        {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }
    if (json_array_size(results) >= (size_t) per) {
        next = adzuna_next_url(url, &n);
        if (next != NULL && js_json_number(root, "count", &count) == 0
            && count <= (double) n * (double) per)
        {
            free(next);
            next = NULL;
        }
    }
    json_decref(root);
    js_page_set_next(page, url, next,
                     (unsigned) js_config_int(src, "max_pages",
                                              ADZUNA_MAX_PAGES, 1, 100));
    return 0;
}

const js_adapter_t  js_adapter_adzuna = {
    "adzuna",
    adzuna_first_url,
    adzuna_parse,
    NULL,
    NULL,
};
