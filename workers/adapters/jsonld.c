/*
 * schema.org JobPosting in any page: every <script
 * type="application/ld+json"> block, an object, an array or an @graph
 * (and ItemList elements), holding JobPostings:
 *
 *   {"@type": "JobPosting", "title": "...", "description": "<p>...",
 *    "datePosted": "2025-06-01", "employmentType": ["FULL_TIME"],
 *    "identifier": {"@type": "PropertyValue", "value": "J-42"},
 *    "hiringOrganization": {"@type": "Organization", "name": "..."},
 *    "jobLocation": {"@type": "Place", "address": {"addressLocality":
 *        "Nairobi", "addressCountry": "KE"}},
 *    "jobLocationType": "TELECOMMUTE",
 *    "applicantLocationRequirements": {"@type": "Country", "name": "..."},
 *    "baseSalary": {"@type": "MonetaryAmount", "currency": "KES",
 *        "value": {"@type": "QuantitativeValue", "minValue": 150000,
 *                  "maxValue": 200000, "unitText": "MONTH"}},
 *    "url": "/jobs/42", "skills": "Go, SQL",
 *    "validThrough": "2025-07-31T23:59"}
 *
 * source_url is the page; config "next" and "max_pages" paginate as in
 * the html adapter, "currency" is the default currency.  A block that is
 * not JSON is skipped; a page without any JobPosting gives no job (not
 * an error).  The id is "identifier", else the posting's "url", else the
 * page URL (one posting per page).
 *
 * validThrough: a posting past it is no longer offered, so it is left
 * out and closes as a posting gone from the board does (the scraper's
 * missed-scrape rule); a later one is the job's valid_through.  A date
 * without a time is valid through the end of that day.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/xpath.h>

#include "adapter.h"
#include "markup.h"
#include "normalize.h"

/* How deep @graph / arrays / ItemLists are followed. */
#define JSONLD_DEPTH  6

static int
jsonld_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    *url = js_url_resolve(NULL, src->source_url);
    if (*url == NULL) {
        snprintf(err, errlen, "jsonld: source_url is not an http(s) URL");
        return -1;
    }
    return 0;
}

static int
is_type(json_t *o, const char *type)
{
    json_t  *t = json_object_get(o, "@type"), *v;
    size_t   i;

    if (json_is_string(t)) {
        return strcasecmp(json_string_value(t), type) == 0;
    }
    json_array_foreach(t, i, v) {
        if (json_is_string(v) && strcasecmp(json_string_value(v), type) == 0)
        {
            return 1;
        }
    }
    return 0;
}

/* A string, or the "name" of an object; the first of an array. */
static const char *
name_of(json_t *v)
{
    if (json_is_array(v)) {
        v = json_array_get(v, 0);
    }
    if (json_is_string(v)) {
        return json_string_value(v);
    }
    return js_json_str(v, "name");
}

static char *
jsonld_location(json_t *loc)
{
    json_t      *addr;
    const char  *parts[3], *text;
    char        *s, *t;
    size_t       i;
    js_buf_t     b = { 0 };

    if (json_is_array(loc)) {
        loc = json_array_get(loc, 0);
    }
    addr = json_object_get(loc, "address");
    if (json_is_string(loc) || json_is_string(addr)) {
        text = json_string_value(json_is_string(loc) ? loc : addr);
        return js_text_line(text, strlen(text), JS_FIELD_MAX);
    }
    if (!json_is_object(addr)) {
        return js_json_line(loc, "name");
    }
    parts[0] = js_json_str(addr, "addressLocality");
    parts[1] = js_json_str(addr, "addressRegion");
    parts[2] = name_of(json_object_get(addr, "addressCountry"));
    for (i = 0; i < 3; i++) {
        if (parts[i] == NULL || parts[i][0] == '\0'
            || (i == 1 && parts[0] && strcmp(parts[0], parts[1]) == 0))
        {
            continue;
        }
        js_buf_str(&b, b.len ? ", " : "");
        js_buf_str(&b, parts[i]);
    }
    s = js_buf_take(&b);
    t = s ? js_text_line(s, strlen(s), JS_FIELD_MAX) : NULL;
    free(s);
    return t;
}

/*
 * An amount at key: a number, or a string with a currency sign or
 * separators ("$100,000", "KES 150,000", "100.000,00 EUR") as
 * js_salary_amount reads it; a currency it names goes to cur.  -1 when
 * there is none.
 */
static int
jsonld_amount(json_t *o, const char *key, double *amount, char *cur)
{
    const char  *named = NULL;

    if (js_json_number(o, key, amount) == 0) {
        return 0;
    }
    if (js_salary_amount(js_json_str(o, key), amount, &named) != 0) {
        return -1;
    }
    if (named != NULL && strlen(named) == 3) {
        memcpy(cur, named, 4);
    }
    return 0;
}

/*
 * baseSalary: a text, or a MonetaryAmount whose value is an amount or a
 * QuantitativeValue {minValue, maxValue, value, unitText}; amounts as
 * jsonld_amount reads them.  The currency is the MonetaryAmount's, else
 * one an amount names, else the config's.
 */
static void
jsonld_salary(js_job_t *job, json_t *s, const char *currency)
{
    json_t      *v, *unit;
    double       min = -1, max = -1;
    const char  *cur;
    char         named[4] = "";

    if (json_is_string(s)) {
        js_salary_parse(job, json_string_value(s), currency);
        return;
    }
    if (!json_is_object(s)) {
        return;
    }
    v = json_object_get(s, "value");
    unit = s;
    if (json_is_object(v)) {
        unit = v;
        if (jsonld_amount(v, "minValue", &min, named) != 0) {
            min = -1;
        }
        if (jsonld_amount(v, "maxValue", &max, named) != 0) {
            max = -1;
        }
        if (min < 0 && max < 0
            && jsonld_amount(v, "value", &min, named) != 0)
        {
            return;
        }
    } else if (jsonld_amount(s, "value", &min, named) != 0) {
        cur = js_json_str(s, "currency");
        /* a range or words ("100,000 - 120,000 a year"): a pay text */
        js_salary_parse(job, json_string_value(v), cur ? cur : currency);
        return;
    }
    if (min < 0) {
        min = max;
    }
    if (max < 0) {
        max = min;
    }
    cur = js_json_str(s, "currency");
    if (cur == NULL) {
        cur = named[0] ? named : currency;
    }
    js_salary_set(job, min, max, cur,
                  js_salary_period(js_json_str(unit, "unitText")));
}

/* identifier: a PropertyValue, a string or a number, or an array of
 * them. */
static char *
jsonld_id(json_t *id)
{
    if (json_is_array(id)) {
        id = json_array_get(id, 0);
    }
    if (json_is_object(id)) {
        id = json_object_get(id, "value");
    }
    return js_json_id_value(id);
}

static int
jsonld_job(const js_source_t *src, const char *url, json_t *o,
    js_page_t *page)
{
    js_job_t     job;
    json_t      *v, *e;
    const char  *s, *currency = js_config_str(src, "currency");
    char        *hint = NULL, *p, *q;
    size_t       i;
    int64_t      valid;

    s = js_json_str(o, "validThrough");
    valid = js_date_parse(s);
    if (valid > 0 && strlen(s) == 10) {
        valid += 86400;                         /* "2025-07-31" */
    }
    if (valid > 0 && valid <= (int64_t) time(NULL)) {
        return 0;
    }

    memset(&job, 0, sizeof(job));
    job.valid_through = valid;
    job.title = js_json_line(o, "title");
    if (job.title == NULL) {
        job.title = js_json_line(o, "name");
    }
    job.apply_url = js_url_resolve(url, js_json_str(o, "url"));
    job.external_id = jsonld_id(json_object_get(o, "identifier"));
    if (job.external_id == NULL) {
        job.external_id = strdup(job.apply_url ? job.apply_url : url);
    }
    if (job.apply_url == NULL) {
        job.apply_url = js_url_resolve(NULL, url);
    }

    s = js_json_str(o, "description");
    if (s != NULL && strchr(s, '<') == NULL && strstr(s, "&lt;") != NULL) {
        p = js_entities_decode(s, strlen(s));       /* escaped HTML */
        job.description = p ? js_html_to_text(p, strlen(p),
                                              JS_DESCRIPTION_MAX)
                            : NULL;
        free(p);
    } else if (s != NULL) {
        job.description = js_html_to_text(s, strlen(s), JS_DESCRIPTION_MAX);
    }
    job.posted_at = js_date_parse(js_json_str(o, "datePosted"));

    s = name_of(json_object_get(o, "hiringOrganization"));
    if (s != NULL && (src->company_name == NULL
                      || strcasecmp(s, src->company_name) != 0))
    {
        job.company = js_text_line(s, strlen(s), JS_FIELD_MAX);
    }

    job.location = jsonld_location(json_object_get(o, "jobLocation"));
    if (job.location == NULL) {
        s = name_of(json_object_get(o, "applicantLocationRequirements"));
        job.location = s ? js_text_line(s, strlen(s), JS_FIELD_MAX) : NULL;
    }

    v = json_object_get(o, "employmentType");
    if (json_is_string(v)) {
        s = js_employment_type(json_string_value(v));
        job.employment_type = s ? strdup(s) : NULL;
    }
    json_array_foreach(v, i, e) {
        s = js_employment_type(json_string_value(e));
        if (s != NULL) {
            job.employment_type = strdup(s);
            break;
        }
    }

    v = json_object_get(o, "jobLocationType");
    if (json_is_array(v)) {
        v = json_array_get(v, 0);
    }
    if (json_is_string(v)) {
        hint = strdup(json_string_value(v));
    }
    s = js_location_type(hint, job.location, job.title);
    job.location_type = s ? strdup(s) : NULL;
    free(hint);

    jsonld_salary(&job, json_object_get(o, "baseSalary"), currency);
    if (!job.has_salary) {
        jsonld_salary(&job, json_object_get(o, "estimatedSalary"), currency);
    }
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, currency);
    }

    v = json_object_get(o, "skills");
    if (json_is_string(v)) {
        p = strdup(json_string_value(v));
        for (q = p ? strtok(p, ",;") : NULL; q; q = strtok(NULL, ",;")) {
            js_job_add_skill(&job, q);
        }
        free(p);
    }
    json_array_foreach(v, i, e) {
        js_job_add_skill(&job, name_of(e));
    }
    return js_page_take(page, src, &job);
}

/* Finds the JobPostings in v: -1 only when out of memory. */
static int
jsonld_walk(const js_source_t *src, const char *url, json_t *v, int depth,
    js_page_t *page)
{
    json_t  *e;
    size_t   i;

    if (depth > JSONLD_DEPTH) {
        return 0;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (jsonld_walk(src, url, e, depth + 1, page) < 0) {
                return -1;
            }
        }
        return 0;
    }
    if (!json_is_object(v)) {
        return 0;
    }
    if (is_type(v, "JobPosting")) {
        return jsonld_job(src, url, v, page) < 0 ? -1 : 0;
    }
    if (jsonld_walk(src, url, json_object_get(v, "@graph"), depth + 1, page)
        < 0)
    {
        return -1;
    }
    if (is_type(v, "ListItem")) {
        return jsonld_walk(src, url, json_object_get(v, "item"), depth + 1,
                           page);
    }
    return jsonld_walk(src, url, json_object_get(v, "itemListElement"),
                       depth + 1, page);
}

/* The block's JSON without the comment or CDATA wrappers some CMSes put
 * around it; NULL when it is not JSON. */
static json_t *
jsonld_block(const char *s)
{
    const char  *end;
    size_t       len;

    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    if (strncmp(s, "<!--", 4) == 0) {
        s += 4;
    } else if (strncmp(s, "//<![CDATA[", 11) == 0) {
        s += 11;
    } else if (strncmp(s, "<![CDATA[", 9) == 0) {
        s += 9;
    }
    len = strlen(s);
    end = s + len;
    while (end > s && strchr(" \t\r\n", end[-1]) != NULL) {
        end--;
    }
    if (end - s >= 3 && strncmp(end - 3, "-->", 3) == 0) {
        end -= 3;
    } else if (end - s >= 5 && strncmp(end - 5, "//]]>", 5) == 0) {
        end -= 5;
    } else if (end - s >= 3 && strncmp(end - 3, "]]>", 3) == 0) {
        end -= 3;
    }
    return json_loadb(s, (size_t) (end - s),
                      JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static int
jsonld_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    htmlDocPtr          doc;
    xmlXPathContextPtr  ctx = NULL;
    xmlXPathObjectPtr   r = NULL;
    xmlChar            *text;
    json_t             *v;
    int                 i, rc = -1;
    char                e[200];

    doc = js_markup_html(body, len, url, e, sizeof(e));
    if (doc == NULL) {
        snprintf(err, errlen, "jsonld: %s", e);
        return -1;
    }
    ctx = xmlXPathNewContext(doc);
    r = ctx ? xmlXPathEvalExpression((const xmlChar *)
              "//script[contains(translate(@type, 'LDJSON', 'ldjson'),"
              " 'ld+json')]", ctx)
            : NULL;
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (i = 0; r->nodesetval != NULL && i < r->nodesetval->nodeNr; i++) {
        text = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
        v = text ? jsonld_block((const char *) text) : NULL;
        if (text != NULL && v == NULL) {
            js_page_unread(page, "jsonld: a JSON-LD block is not JSON:"
                           " its postings, if any, were not read");
        }
        xmlFree(text);
        if (v != NULL && jsonld_walk(src, url, v, 0, page) < 0) {
            json_decref(v);
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        json_decref(v);
    }
    if (js_markup_next(src, doc, url, page, e, sizeof(e)) != 0) {
        snprintf(err, errlen, "jsonld: next: %s", e);
        goto done;
    }
    rc = 0;

done:
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}

const js_adapter_t  js_adapter_jsonld = {
    "jsonld",
    jsonld_first_url,
    jsonld_parse,
    NULL,
    NULL,
};
