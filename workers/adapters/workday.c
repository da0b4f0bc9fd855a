/*
 * Workday career sites' public jobs search (the "CXS" endpoint their
 * pages call):
 *
 *   POST https://{host}/wday/cxs/{tenant}/{site}/jobs
 *   {"appliedFacets": {}, "limit": 20, "offset": 0, "searchText": ""}
 *
 *   {"total": 42,
 *    "jobPostings": [{"title": "...",
 *                     "externalPath": "/job/Nairobi/Title_JR-0001",
 *                     "locationsText": "Nairobi, Kenya",
 *                     "remoteType": "Hybrid",          (on some sites)
 *                     "postedOn": "Posted 2 Days Ago",
 *                     "bulletFields": ["JR-0001"]}, ...],
 *    "facets": [...]}
 *
 * paged by offset (config "page_size", at most 20, Workday's own page);
 * "total" is only reliable on the first page (later ones may say 0), so
 * a full page is followed unless total says it was the last.  The list
 * has no description: each posting gets a detail call,
 *
 *   GET https://{host}/wday/cxs/{tenant}/{site}{externalPath}
 *
 *   {"jobPostingInfo": {"id": "...", "title": "...",
 *                       "jobDescription": "<p>...</p>",
 *                       "location": "Nairobi, Kenya",
 *                       "timeType": "Full time",
 *                       "remoteType": "Fully Remote",   (on some sites)
 *                       "jobReqId": "JR-0001", "startDate": "2025-06-01",
 *                       "externalUrl": "https://{host}/{site}/job/..."},
 *    "hiringOrganization": {"name": "Acme", "url": ""}}
 *
 * Workday has no salary field: pay comes from the description's pay
 * line.  "postedOn" is relative text ("Posted 30+ Days Ago") and
 * "startDate" is not the posting's date, so posted_at stays unknown.
 *
 * source_url: the career site ("https://acme.wd3.myworkdayjobs.com/en-US/
 * External": tenant "acme" from the host, or config "tenant"; the locale
 * segment is skipped), or the CXS jobs URL itself.  Jobs link to the
 * career site: https://{host}/{site}{externalPath}.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapter.h"
#include "normalize.h"

#define WD_CXS        "/wday/cxs/"
#define WD_PAGE_SIZE  20

static long
wd_page_size(const js_source_t *src)
{
    return js_config_int(src, "page_size", WD_PAGE_SIZE, 1, WD_PAGE_SIZE);
}

/* n bytes of a tenant or site name: [A-Za-z0-9._-]. */
static int
wd_name(const char *s, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char) s[i]) && s[i] != '.' && s[i] != '_'
            && s[i] != '-')
        {
            return 0;
        }
    }
    return n > 0 && n <= 100;
}

/* "en-US", "fr-FR", "en": a locale segment of a career site's path. */
static int
wd_locale(const char *s, size_t n)
{
    return (n == 2 || (n == 5 && s[2] == '-'))
           && islower((unsigned char) s[0]) && islower((unsigned char) s[1]);
}

static int
wd_first_url(const js_source_t *src, char **url, char *err, size_t errlen)
{
    size_t       hlen, n, tlen;
    const char  *u = src->source_url ? src->source_url : "", *host, *p;
    const char  *tenant = js_config_str(src, "tenant");
    char        *s;
    js_buf_t     b = { 0 };

    *url = NULL;
    if (strstr(u, WD_CXS) != NULL) {
        *url = js_url_concat(u, strcspn(u, "?#"), NULL, NULL, NULL);
        if (*url == NULL) {
            snprintf(err, errlen, "source_url is not a valid http(s) URL");
            return -1;
        }
        return 0;
    }

    host = strstr(u, "://");
    if (host == NULL || (strncasecmp(u, "http://", 7) != 0
                         && strncasecmp(u, "https://", 8) != 0))
    {
        snprintf(err, errlen, "source_url is not a Workday career site URL");
        return -1;
    }
    host += 3;
    hlen = strcspn(host, "/?#");

    /* the path's first segment, unless a locale, is the site */
    p = host + hlen;
    while (*p == '/') {
        p++;
    }
    n = strcspn(p, "/?#");
    if (wd_locale(p, n)) {
        p += n;
        while (*p == '/') {
            p++;
        }
        n = strcspn(p, "/?#");
    }
    if (!wd_name(p, n)) {
        snprintf(err, errlen, "source_url names no career site "
                 "(https://{tenant}.wd3.myworkdayjobs.com/{site})");
        return -1;
    }

    /* acme.wd3.myworkdayjobs.com: the tenant is the host's first label */
    tlen = tenant != NULL ? strlen(tenant) : strcspn(host, ".:/?#");
    if (tenant == NULL) {
        tenant = host;
    }
    if (!wd_name(tenant, tlen)) {
        snprintf(err, errlen, "the Workday tenant is not a name: set config "
                 "\"tenant\"");
        return -1;
    }

    js_buf_add(&b, u, (size_t) (host - u) + hlen);
    js_buf_str(&b, WD_CXS);
    js_buf_add(&b, tenant, tlen);
    js_buf_str(&b, "/");
    js_buf_add(&b, p, n);
    js_buf_str(&b, "/jobs");
    s = js_buf_take(&b);
    *url = s ? js_url_resolve(NULL, s) : NULL;
    free(s);
    if (*url == NULL) {
        snprintf(err, errlen, "source_url is not a valid http(s) URL");
        return -1;
    }
    return 0;
}

/* {"appliedFacets": {}, "limit": N, "offset": offset, "searchText": ""} */
static char *
wd_body(const js_source_t *src, long offset)
{
    char        *body;
    json_t      *o;
    const char  *search = js_config_str(src, "search");

    o = json_pack("{s:{}, s:I, s:I, s:s}", "appliedFacets",
                  "limit", (json_int_t) wd_page_size(src),
                  "offset", (json_int_t) offset,
                  "searchText", search ? search : "");
    body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return body;
}

static int
wd_first_body(const js_source_t *src, char **body, char *err,
    size_t errlen)
{
    *body = wd_body(src, 0);
    if (*body == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/*
 * The parts of a CXS jobs URL: its length without "/jobs" (the base of
 * the detail URLs), the origin's length, and the site; -1 unless
 * "{origin}/wday/cxs/{tenant}/{site}/jobs".
 */
static int
wd_url_parts(const char *url, size_t *base, size_t *origin,
    const char **site, size_t *slen)
{
    const char  *cxs = strstr(url, WD_CXS), *t, *end;

    end = url + strcspn(url, "?#");
    if (cxs == NULL || end - url < 5 || strncmp(end - 5, "/jobs", 5) != 0) {
        return -1;
    }
    t = cxs + sizeof(WD_CXS) - 1;
    t += strcspn(t, "/");
    if (*t != '/' || t + 1 >= end - 5) {
        return -1;
    }
    *site = t + 1;
    *slen = (size_t) (end - 5 - *site);
    *base = (size_t) (end - 5 - url);
    *origin = (size_t) (cxs - url);
    return memchr(*site, '/', *slen) == NULL ? 0 : -1;
}

static int
wd_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    char        *site;
    size_t       base, origin, slen;
    js_job_t     job;
    const char  *path, *s, *sitep;

    path = js_json_str(o, "externalPath");
    if (path == NULL || path[0] != '/'
        || wd_url_parts(url, &base, &origin, &sitep, &slen) != 0)
    {
        return 0;
    }

    memset(&job, 0, sizeof(job));
    job.external_id = js_json_id(o, "externalPath");
    job.title = js_json_line(o, "title");
    job.location = js_json_line(o, "locationsText");
    s = js_location_type(js_json_str(o, "remoteType"), job.location,
                         job.title);
    job.location_type = s ? strdup(s) : NULL;

    site = strndup(sitep, slen);
    job.apply_url = site ? js_url_concat(url, origin, "/", site, path)
                         : NULL;
    free(site);

    return js_page_take_detail(page, src, &job,
                               js_url_concat(url, base, path, NULL, NULL));
}

static int
wd_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    json_t      *root, *postings, *o;
    size_t       i, base, origin, slen;
    long         size = wd_page_size(src);
    long         offset = size * (long) (page->npages + 1);
    double       total;
    const char  *site;
    char        *next = NULL, *next_body = NULL;

    if (wd_url_parts(url, &base, &origin, &site, &slen) != 0) {
        snprintf(err, errlen, "workday: not a /wday/cxs/{tenant}/{site}/jobs "
                 "URL");
        return -1;
    }
    postings = js_json_list(body, len, "workday", "jobPostings", &root, err,
                            errlen);
    if (postings == NULL) {
        return -1;
    }
    json_array_foreach(postings, i, o) {
        if (json_is_object(o) && wd_job(src, url, o, page) < 0) {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }

    /* a full page is followed, unless total (when given) was reached */
    if (json_array_size(postings) >= (size_t) size
        && (js_json_number(root, "total", &total) != 0 || total <= 0
            || (double) offset < total))
    {
        next = strdup(url);
        next_body = wd_body(src, offset);
        if (next == NULL || next_body == NULL) {
            free(next);
            free(next_body);
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    js_page_set_next_post(page, next, next_body, js_config_max_pages(src));
    return 0;
}

static int
wd_parse_detail(const js_source_t *src, const char *url, const char *body,
    size_t len, js_job_t *job, char *err, size_t errlen)
{
    json_t      *root, *info;
    char        *apply;
    const char  *s, *html;

    if (js_json_parse(body, len, JSON_OBJECT, &root, err, errlen) != 0) {
        return -1;
    }
    info = json_object_get(root, "jobPostingInfo");
    html = js_json_str(info, "jobDescription");
    if (html == NULL) {
        snprintf(err, errlen, "workday: no jobPostingInfo.jobDescription");
        json_decref(root);
        return -1;
    }
    free(job->description);
    job->description = js_html_to_text(html, strlen(html),
                                       JS_DESCRIPTION_MAX);

    s = js_employment_type(js_json_str(info, "timeType"));
    if (s != NULL && job->employment_type == NULL) {
        job->employment_type = strdup(s);
    }
    s = js_location_type(js_json_str(info, "remoteType"), NULL, NULL);
    if (s != NULL) {
        free(job->location_type);
        job->location_type = strdup(s);
    }
    if (job->location == NULL) {
        job->location = js_json_line(info, "location");
    }
    apply = js_url_resolve(url, js_json_str(info, "externalUrl"));
    if (apply != NULL) {
        free(job->apply_url);
        job->apply_url = apply;
    }
    if (!job->has_salary && job->description != NULL) {
        js_salary_from_text(job, job->description,
                            js_config_str(src, "currency"));
    }
    json_decref(root);
    return 0;
}

const js_adapter_t  js_adapter_workday = {
    "workday",
    wd_first_url,
    wd_parse,
    wd_first_body,
    wd_parse_detail,
};
