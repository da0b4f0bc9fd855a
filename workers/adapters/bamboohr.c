/*
 * BambooHR's public careers site (no key):
 *
 *   GET https://{company}.bamboohr.com/careers/list
 *
 *   {"meta": {"totalCount": 2},
 *    "result": [{"id": "12", "jobOpeningName": "...",
 *                "departmentId": "...", "departmentLabel": "...",
 *                "employmentStatusLabel": "Full-Time",
 *                "location": {"city": "...", "state": "..."},
 *                "atsLocation": {"country": "Kenya", "state": null,
 *                                "province": null, "city": "Nairobi"},
 *                "isRemote": null, "locationType": "1"}, ...]}
 *
 * One answer holds the whole board, without descriptions, dates or pay:
 * each opening gets a detail call,
 *
 *   GET https://{company}.bamboohr.com/careers/{id}/detail
 *
 *   {"meta": {...},
 *    "result": {"jobOpening": {"jobOpeningName": "...",
 *                              "jobOpeningStatus": "Open",
 *                              "description": "<p>...</p>",
 *                              "compensation": "$90,000 - $110,000",
 *                              "datePosted": "2025-06-01",
 *                              "employmentStatusLabel": "Full-Time",
 *                              "locationType": "2",
 *                              "jobOpeningShareUrl": "https://..."}}}
 *
 * locationType is BambooHR's flag: "0" on-site, "1" remote, "2" hybrid
 * (isRemote true is remote too).  Jobs link to
 * https://{company}.bamboohr.com/careers/{id}.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "normalize.h"

#define BAMBOO_LIST  "/careers/list"

static int
bamboo_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    /* "https:" + "//" + company + ".bamboohr.com/careers/list" */
    return js_source_endpoint(src, "https:", "//", ".bamboohr.com"
                              BAMBOO_LIST, url, err, errlen);
}

static const char *
bamboo_location_hint(json_t *o)
{
    static const char *const  types[] = { "onsite", "remote", "hybrid" };
    const char               *t = js_json_str(o, "locationType");

    if (json_is_true(json_object_get(o, "isRemote"))) {
        return "remote";
    }
    if (t != NULL && t[0] >= '0' && t[0] <= '2' && t[1] == '\0') {
        return types[t[0] - '0'];
    }
    return NULL;
}

/* "city, state, country": atsLocation, else location. */
static char *
bamboo_location(json_t *o)
{
    const char  *parts[3];
    json_t      *loc = json_object_get(o, "atsLocation");

    if (js_json_str(loc, "city") == NULL
        && js_json_str(loc, "country") == NULL)
    {
        loc = json_object_get(o, "location");
    }
    parts[0] = js_json_str(loc, "city");
    parts[1] = js_json_str(loc, "state");
    if (parts[1] == NULL) {
        parts[1] = js_json_str(loc, "province");
    }
    parts[2] = js_json_str(loc, "country");
    if (parts[2] == NULL) {
        parts[2] = js_json_str(loc, "addressCountry");
    }
    return js_place_line(parts, 3);
}

static int
bamboo_job(const js_source_t *src, const char *url, size_t base, json_t *o,
    js_page_t *page)
{
    int          rc;
    char        *id;
    js_job_t     job;
    const char  *s;

    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "id");
    job.title = js_json_line(o, "jobOpeningName");
    job.location = bamboo_location(o);
    s = js_location_type(bamboo_location_hint(o), job.location, job.title);
    job.location_type = s ? strdup(s) : NULL;
    s = js_employment_type(js_json_str(o, "employmentStatusLabel"));
    job.employment_type = s ? strdup(s) : NULL;

    id = job.external_id ? js_url_escape(job.external_id) : NULL;
    if (id != NULL) {
        job.apply_url = js_url_concat(url, base, "/", id, NULL);
    }
    rc = js_page_take_detail(page, src, &job,
                             id ? js_url_concat(url, base, "/", id,
                                                "/detail")
                                : NULL);
    free(id);
    return rc;
}

static int
bamboo_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    json_t  *root, *result, *o;
    size_t   i, base;

    result = js_json_list(body, len, "bamboohr", "result", &root, err,
                          errlen);
    if (result == NULL) {
        return -1;
    }

    /* .../careers/list: the openings are .../careers/{id} */
    base = strcspn(url, "?#");
    if (base >= sizeof(BAMBOO_LIST) - 1
        && strncmp(url + base - (sizeof(BAMBOO_LIST) - 1), BAMBOO_LIST,
                   sizeof(BAMBOO_LIST) - 1) == 0)
    {
        base -= sizeof("/list") - 1;
    }
    json_array_foreach(result, i, o) {
        if (json_is_object(o) && bamboo_job(src, url, base, o, page) < 0) {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    js_page_set_next(page, url, NULL, 1);
    return 0;
}

static int
bamboo_parse_detail(const js_source_t *src, const char *url,
    const char *body, size_t len, js_job_t *job, char *err, size_t errlen)
{
    json_t      *root, *o;
    char        *apply;
    const char  *s, *currency = js_config_str(src, "currency");

    if (js_json_parse(body, len, JSON_OBJECT, &root, err, errlen) != 0) {
        return -1;
    }
    o = json_object_get(json_object_get(root, "result"), "jobOpening");
    s = js_json_str(o, "description");
    if (s == NULL) {
        snprintf(err, errlen, "bamboohr: no result.jobOpening.description");
        json_decref(root);
        return -1;
    }
    free(job->description);
    job->description = js_html_to_text(s, strlen(s), JS_DESCRIPTION_MAX);
    job->posted_at = js_date_parse(js_json_str(o, "datePosted"));

    s = bamboo_location_hint(o);
    if (s != NULL) {
        free(job->location_type);
        job->location_type = strdup(s);
    }
    apply = js_url_resolve(url, js_json_str(o, "jobOpeningShareUrl"));
    if (apply != NULL) {
        free(job->apply_url);
        job->apply_url = apply;
    }
    js_salary_parse(job, js_json_str(o, "compensation"), currency);
    if (!job->has_salary && job->description != NULL) {
        js_salary_from_text(job, job->description, currency);
    }
    json_decref(root);
    return 0;
}

const js_adapter_t  js_adapter_bamboohr = {
    "bamboohr",
    bamboo_first_url,
    bamboo_parse,
    NULL,
    bamboo_parse_detail,
};
