/*
 * RSS 2.0 (and 1.0) items and Atom entries as jobs.  source_url is the
 * feed.  Per item:
 *
 *   RSS   guid (else link) = id, title, link, description or
 *         content:encoded (escaped HTML), pubDate (RFC 822) or dc:date
 *   Atom  id = id, title, link[@rel=alternate or none]/@href, content or
 *         summary, published or updated (ISO 8601), author/name
 *
 * and, when a job feed adds them, elements named location (or region),
 * company, salary and job_type (or type, employment_type), any
 * namespace.  Atom's <link rel="next"> paginates (config "max_pages").
 * The feed is parsed without network access and without expanding
 * entities (a feed declaring any is refused); config "currency" is the
 * default currency of salary texts.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "adapter.h"
#include "markup.h"
#include "normalize.h"

static int
rss_first_url(const js_source_t *src, char **url, char *err, size_t errlen)
{
    *url = js_url_resolve(NULL, src->source_url);
    if (*url == NULL) {
        snprintf(err, errlen, "rss: source_url is not an http(s) URL");
        return -1;
    }
    return 0;
}

static int
named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE
           && strcmp((const char *) n->name, name) == 0;
}

/* The first child element with one of the names, as text (mode); for a
 * name with a ':' the child must have that namespace prefix. */
static char *
child_text(xmlNodePtr item, const char *const *names, js_text_mode_e mode)
{
    xmlNodePtr   c;
    const char  *colon;
    char        *t;

    for (; *names != NULL; names++) {
        colon = strchr(*names, ':');
        for (c = item->children; c != NULL; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                continue;
            }
            if (colon != NULL
                ? (c->ns == NULL || c->ns->prefix == NULL
                   || strncmp((const char *) c->ns->prefix, *names,
                              (size_t) (colon - *names)) != 0
                   || strcmp((const char *) c->name, colon + 1) != 0)
                : strcmp((const char *) c->name, *names) != 0)
            {
                continue;
            }
            t = js_node_text(c, mode);
            if (t != NULL) {
                return t;
            }
        }
    }
    return NULL;
}

/* An Atom link's href: rel="alternate" or no rel (rel_want NULL), or
 * the given rel. */
static char *
atom_link(xmlNodePtr parent, const char *rel_want)
{
    xmlNodePtr   c;
    xmlChar     *rel, *href;
    char        *r = NULL;
    int          match;

    for (c = parent->children; c != NULL && r == NULL; c = c->next) {
        if (!named(c, "link")) {
            continue;
        }
        rel = xmlGetProp(c, (const xmlChar *) "rel");
        match = rel_want ? rel && strcmp((char *) rel, rel_want) == 0
                         : rel == NULL
                           || strcmp((char *) rel, "alternate") == 0;
        xmlFree(rel);
        href = match ? xmlGetProp(c, (const xmlChar *) "href") : NULL;
        if (href != NULL) {
            r = strdup((const char *) href);
            xmlFree(href);
        }
    }
    return r;
}

static int
rss_item(const js_source_t *src, const char *url, xmlNodePtr item, int atom,
    js_page_t *page)
{
    static const char *const  id[] = { "guid", "id", NULL };
    static const char *const  title[] = { "title", NULL };
    static const char *const  link[] = { "link", NULL };
    static const char *const  desc[] = {
        "content:encoded", "content", "description", "summary", NULL
    };
    static const char *const  date[] = {
        "pubDate", "published", "dc:date", "updated", NULL
    };
    static const char *const  location[] = { "location", "region", NULL };
    static const char *const  company[] = { "company", NULL };
    static const char *const  salary[] = { "salary", NULL };
    static const char *const  type[] = {
        "job_type", "employment_type", "type", NULL
    };
    js_job_t     job;
    char        *s;
    const char  *t, *currency = js_config_str(src, "currency");

    memset(&job, 0, sizeof(job));
    job.title = child_text(item, title, JS_TEXT_LINE);
    s = atom ? atom_link(item, NULL) : child_text(item, link, JS_TEXT_RAW);
    job.apply_url = js_url_resolve(url, s);
    free(s);
    job.external_id = child_text(item, id, JS_TEXT_RAW);
    if (job.external_id == NULL && job.apply_url != NULL) {
        job.external_id = strdup(job.apply_url);
    }
    job.description = child_text(item, desc, JS_TEXT_BLOCK);

    s = child_text(item, date, JS_TEXT_RAW);
    job.posted_at = js_date_parse(s);
    free(s);

    job.location = child_text(item, location, JS_TEXT_LINE);
    job.company = child_text(item, company, JS_TEXT_LINE);

    s = child_text(item, salary, JS_TEXT_LINE);
    js_salary_parse(&job, s, currency);
    free(s);
    if (!job.has_salary && job.description != NULL) {
        js_salary_from_text(&job, job.description, currency);
    }

    s = child_text(item, type, JS_TEXT_LINE);
    t = js_employment_type(s);
    free(s);
    job.employment_type = t ? strdup(t) : NULL;
    return js_page_take(page, src, &job);
}

static int
rss_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    xmlDocPtr    doc;
    xmlNodePtr   root, parent, c;
    char        *next = NULL, *link, e[200];
    int          atom;

    doc = js_markup_xml(body, len, url, e, sizeof(e));
    if (doc == NULL) {
        snprintf(err, errlen, "rss: %s", e);
        return -1;
    }
    root = xmlDocGetRootElement(doc);
    atom = named(root, "feed");
    if (named(root, "rss")) {
        for (parent = root->children; parent != NULL
                                      && !named(parent, "channel");
             parent = parent->next)
        {
            /* void */
        }
    } else if (atom || named(root, "RDF")) {
        parent = root;              /* RSS 1.0 items are the root's */
    } else {
        parent = NULL;
    }
    if (parent == NULL) {
        snprintf(err, errlen, "rss: not an RSS or Atom feed (<%.40s>)",
                 (const char *) root->name);
        xmlFreeDoc(doc);
        return -1;
    }

    for (c = parent->children; c != NULL; c = c->next) {
        if ((named(c, "item") || (atom && named(c, "entry")))
            && rss_item(src, url, c, atom, page) < 0)
        {
            snprintf(err, errlen, "out of memory");
            xmlFreeDoc(doc);
            return -1;
        }
    }
    if (atom) {
        link = atom_link(root, "next");
        next = js_url_resolve(url, link);
        free(link);
    }
    js_page_set_next(page, url, next, js_config_max_pages(src));
    xmlFreeDoc(doc);
    return 0;
}

const js_adapter_t  js_adapter_rss = {
    "rss",
    rss_first_url,
    rss_parse,
    NULL,
    NULL,
};

const js_adapter_t  js_adapter_atom = {
    "atom",
    rss_first_url,
    rss_parse,
    NULL,
    NULL,
};
