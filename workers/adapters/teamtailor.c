/*
 * Teamtailor career sites: the public RSS feed every career site
 * publishes (no key; the JSON API needs one):
 *
 *   GET https://{company}.teamtailor.com/jobs.rss?per_page=N&offset=M
 *
 *   <rss version="2.0" xmlns:tt="https://teamtailor.com/locations">
 *     <channel> ...
 *       <item>
 *         <title>Backend Engineer</title>
 *         <description>&lt;p&gt;escaped HTML&lt;/p&gt;</description>
 *         <pubDate>Mon, 02 Jun 2025 10:00:00 +0200</pubDate>
 *         <link>https://acme.teamtailor.com/jobs/123456-backend-engineer</link>
 *         <guid>0b5f...</guid>
 *         <remoteStatus>hybrid</remoteStatus>
 *         <tt:locations>
 *           <tt:location><tt:name>HQ</tt:name><tt:city>Nairobi</tt:city>
 *             <tt:country>Kenya</tt:country></tt:location>
 *         </tt:locations>
 *         <tt:department>Engineering</tt:department>
 *         <tt:role>Backend</tt:role>
 *       </item> ...
 *
 * The item is read as the rss adapter reads one (feed.h), then:
 * remoteStatus "fully" is remote, "hybrid" and "temporary" (remote for
 * a while) hybrid, "none" on-site; the location is each tt:location's
 * city and country (else its name), "; " between.  The feed has no
 * employment type or salary element: the salary is the description's
 * pay line.  Pages: config "per_page" (default 50) items from offset,
 * a full page asks for the next, at most config "max_pages".
 * source_url is the subdomain ("acme", "acme.na" for the North American
 * stack), or the feed's URL on a custom career domain.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "adapter.h"
#include "feed.h"
#include "markup.h"
#include "normalize.h"

#define TEAMTAILOR_PER_PAGE  50

static long
teamtailor_per_page(const js_source_t *src)
{
    return js_config_int(src, "per_page", TEAMTAILOR_PER_PAGE, 1, 100);
}

static int
teamtailor_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    char  n[24];

    if (js_source_subdomain(src, ".teamtailor.com", "/jobs.rss", url, err,
                            errlen) != 0)
    {
        return -1;
    }
    snprintf(n, sizeof(n), "%ld", teamtailor_per_page(src));
    if (js_url_param(url, "per_page", n) != 0
        || js_url_param(url, "offset", "0") != 0)
    {
        free(*url);
        *url = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static const char *
teamtailor_remote(xmlNodePtr item)
{
    static const char *const  status[] = { "remoteStatus", NULL };
    char                     *s;
    const char               *r = NULL;

    s = js_xml_child_text(item, status, JS_TEXT_LINE);
    if (s == NULL) {
        return NULL;
    }
    if (strcmp(s, "fully") == 0) {
        r = "remote";
    } else if (strcmp(s, "hybrid") == 0 || strcmp(s, "temporary") == 0) {
        r = "hybrid";
    } else if (strcmp(s, "none") == 0) {
        r = "onsite";
    }
    free(s);
    return r;
}

/* "City, Country" (else the name) of each tt:location. */
static char *
teamtailor_locations(xmlNodePtr item)
{
    static const char *const  city[] = { "tt:city", NULL };
    static const char *const  country[] = { "tt:country", NULL };
    static const char *const  name[] = { "tt:name", NULL };
    xmlNodePtr                list = NULL, c;
    char                     *parts[2], *s, *t;
    size_t                    i;
    js_buf_t                  b = { 0 };

    for (c = item->children; c != NULL && list == NULL; c = c->next) {
        if (js_xml_named(c, "locations") && c->ns != NULL
            && c->ns->prefix != NULL
            && strcmp((const char *) c->ns->prefix, "tt") == 0)
        {
            list = c;
        }
    }
    for (c = list ? list->children : NULL; c != NULL; c = c->next) {
        if (!js_xml_named(c, "location")) {
            continue;
        }
        parts[0] = js_xml_child_text(c, city, JS_TEXT_LINE);
        parts[1] = js_xml_child_text(c, country, JS_TEXT_LINE);
        if (parts[0] == NULL && parts[1] == NULL) {
            parts[0] = js_xml_child_text(c, name, JS_TEXT_LINE);
        }
        if (parts[0] != NULL || parts[1] != NULL) {
            js_buf_str(&b, b.len ? "; " : "");
        }
        for (i = 0; i < 2; i++) {
            if (parts[i] != NULL) {
                js_buf_str(&b, i == 1 && parts[0] ? ", " : "");
                js_buf_str(&b, parts[i]);
                free(parts[i]);
            }
        }
    }
    s = js_buf_take(&b);
    t = s && s[0] ? js_text_line(s, strlen(s), JS_FIELD_MAX) : NULL;
    free(s);
    return t;
}

static int
teamtailor_item(const js_source_t *src, const char *url, xmlNodePtr item,
    js_page_t *page)
{
    js_job_t     job;
    const char  *hint, *type;
    char        *location;

    if (js_feed_item(src, url, item, 0, &job) != 0) {
        js_job_free(&job);
        return -1;
    }
    location = teamtailor_locations(item);
    if (location != NULL) {
        free(job.location);
        job.location = location;
    }
    hint = teamtailor_remote(item);
    type = js_location_type(hint, job.location, job.title);
    free(job.location_type);
    job.location_type = type ? strdup(type) : NULL;
    return js_page_take(page, src, &job);
}

static int
teamtailor_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    xmlDocPtr    doc;
    xmlNodePtr   parent, c;
    long         per = teamtailor_per_page(src), items = 0;
    char        *next = NULL, n[24], e[200];
    int          atom;

    doc = js_markup_xml(body, len, url, e, sizeof(e));
    if (doc == NULL) {
        snprintf(err, errlen, "teamtailor: %s", e);
        return -1;
    }
    parent = js_feed_items(doc, &atom, "teamtailor", err, errlen);
    if (parent == NULL || atom) {
        if (atom) {
            snprintf(err, errlen, "teamtailor: an Atom feed, not RSS");
        }
        xmlFreeDoc(doc);
        return -1;
    }
    for (c = parent->children; c != NULL; c = c->next) {
        if (!js_xml_named(c, "item")) {
            continue;
        }
        items++;
        if (teamtailor_item(src, url, c, page) < 0) {
            snprintf(err, errlen, "out of memory");
            xmlFreeDoc(doc);
            return -1;
        }
    }
    xmlFreeDoc(doc);
    /* a full page may have a next one: skip what the pages so far held */
    if (items >= per) {
        snprintf(n, sizeof(n), "%ld", per * (long) (page->npages + 1));
        next = js_url_set_param(url, "offset", n);
    }
    js_page_set_next(page, url, next, js_config_max_pages(src));
    return 0;
}

const js_adapter_t  js_adapter_teamtailor = {
    "teamtailor",
    teamtailor_first_url,
    teamtailor_parse,
    NULL,
    NULL,
};
