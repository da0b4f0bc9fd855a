/*
 * Any careers page, read with the selectors of the source's config
 * (seed 004's scraper_config):
 *
 *   {"list":   "div.job",                     one element per job
 *    "fields": {"title": "h2",                required
 *               "url": "a::attr(href)",       default: the item's own
 *                                             href, else its first link
 *               "id", "location", "company", "description", "salary",
 *               "employment_type", "posted_at", "remote": optional},
 *    "next":   "a[rel=next]",                 the next page's link
 *    "max_pages": 5, "currency": "KES",
 *    "include_keywords": [...], "exclude_keywords": [...]}
 *
 * Selectors are XPath or simple CSS (markup.h); "fields" selectors run
 * from the list item.  "selectors" is read as "fields".  A job's id is
 * its "id" field, else its absolute URL without tracking parameters
 * (utm_*, gh_src, ...: js_url_strip_tracking), the same from run to
 * run.  "remote" is any text that says remote/hybrid/on-site (a badge).
 * An item without a title or a valid URL is skipped.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "adapter.h"
#include "markup.h"
#include "normalize.h"

enum {
    F_TITLE,
    F_URL,
    F_ID,
    F_LOCATION,
    F_COMPANY,
    F_DESCRIPTION,
    F_SALARY,
    F_EMPLOYMENT,
    F_POSTED,
    F_REMOTE,
    F_COUNT
};

static const char  *html_fields[F_COUNT] = {
    "title", "url", "id", "location", "company", "description", "salary",
    "employment_type", "posted_at", "remote",
};

static int
html_first_url(const js_source_t *src, char **url, char *err, size_t errlen)
{
    *url = js_url_resolve(NULL, src->source_url);
    if (*url == NULL) {
        snprintf(err, errlen, "html: source_url is not an http(s) URL");
        return -1;
    }
    return 0;
}

static char *
html_field(xmlXPathContextPtr ctx, xmlXPathCompExprPtr *sel, int f,
    xmlNodePtr item, js_text_mode_e mode)
{
    return sel[f] ? js_selector_text(ctx, sel[f], item, mode) : NULL;
}

static int
html_item(const js_source_t *src, const char *url, xmlXPathContextPtr ctx,
    xmlXPathCompExprPtr *sel, xmlNodePtr item, js_page_t *page)
{
    js_job_t     job;
    char        *s;
    const char  *t, *currency = js_config_str(src, "currency");

    memset(&job, 0, sizeof(job));
    job.title = html_field(ctx, sel, F_TITLE, item, JS_TEXT_LINE);
    s = html_field(ctx, sel, F_URL, item, JS_TEXT_RAW);
    job.apply_url = js_url_resolve(url, s);
    free(s);
    job.external_id = html_field(ctx, sel, F_ID, item, JS_TEXT_LINE);
    if (job.external_id == NULL && job.apply_url != NULL) {
        job.external_id = js_url_strip_tracking(job.apply_url);
    }
    job.location = html_field(ctx, sel, F_LOCATION, item, JS_TEXT_LINE);
    job.company = html_field(ctx, sel, F_COMPANY, item, JS_TEXT_LINE);
    job.description = html_field(ctx, sel, F_DESCRIPTION, item,
                                 JS_TEXT_BLOCK);

    s = html_field(ctx, sel, F_SALARY, item, JS_TEXT_LINE);
    js_salary_parse(&job, s, currency);
    free(s);
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, currency);
    }

    s = html_field(ctx, sel, F_EMPLOYMENT, item, JS_TEXT_LINE);
    t = js_employment_type(s);
    free(s);
    job.employment_type = t ? strdup(t) : NULL;

    s = html_field(ctx, sel, F_POSTED, item, JS_TEXT_RAW);
    job.posted_at = js_date_parse(s);
    free(s);

    s = html_field(ctx, sel, F_REMOTE, item, JS_TEXT_LINE);
    t = js_location_type(s, job.location, job.title);
    free(s);
    job.location_type = t ? strdup(t) : NULL;

    return js_page_take(page, src, &job);
}

static int
html_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    json_t               *fields;
    const char           *s;
    htmlDocPtr            doc = NULL;
    xmlXPathContextPtr    ctx = NULL;
    xmlXPathCompExprPtr   list = NULL, sel[F_COUNT];
    xmlXPathObjectPtr     items = NULL;
    int                   f, i, rc = -1;
    char                  e[200];

    memset(sel, 0, sizeof(sel));
    fields = json_object_get(src->config, "fields");
    if (fields == NULL) {
        fields = json_object_get(src->config, "selectors");
    }
    if (js_config_str(src, "list") == NULL
        || js_json_str(fields, "title") == NULL)
    {
        snprintf(err, errlen, "html: config needs \"list\" and "
                 "\"fields\": {\"title\"} selectors");
        return -1;
    }

    list = js_selector_compile(js_config_str(src, "list"), 0, e, sizeof(e));
    if (list == NULL) {
        snprintf(err, errlen, "html: list: %s", e);
        return -1;
    }
    for (f = 0; f < F_COUNT; f++) {
        s = js_json_str(fields, html_fields[f]);
        if (s == NULL && f == F_URL) {
            s = "(@href | .//a/@href)[1]";
        }
        if (s != NULL && (sel[f] = js_selector_compile(s, 1, e, sizeof(e)))
                         == NULL)
        {
            snprintf(err, errlen, "html: %s: %s", html_fields[f], e);
            goto done;
        }
    }

    doc = js_markup_html(body, len, url, e, sizeof(e));
    if (doc == NULL) {
        snprintf(err, errlen, "html: %s", e);
        goto done;
    }
    ctx = xmlXPathNewContext(doc);
    if (ctx == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    items = js_selector_nodes(ctx, list, xmlDocGetRootElement(doc));
    if (items != NULL && items->type == XPATH_NODESET
        && items->nodesetval != NULL)
    {
        for (i = 0; i < items->nodesetval->nodeNr; i++) {
            if (html_item(src, url, ctx, sel, items->nodesetval->nodeTab[i],
                          page) < 0)
            {
                snprintf(err, errlen, "out of memory");
                goto done;
            }
        }
    }
    if (js_markup_next(src, doc, url, page, e, sizeof(e)) != 0) {
        snprintf(err, errlen, "html: next: %s", e);
        goto done;
    }
    rc = 0;

done:
    xmlXPathFreeObject(items);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    xmlXPathFreeCompExpr(list);
    for (f = 0; f < F_COUNT; f++) {
        xmlXPathFreeCompExpr(sel[f]);
    }
    return rc;
}

const js_adapter_t  js_adapter_html = {
    "html",
    html_first_url,
    html_parse,
    NULL,
    NULL,
};
