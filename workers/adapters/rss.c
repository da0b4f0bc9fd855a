/*
 * RSS 2.0 (and 1.0) items and Atom entries as jobs.  source_url is the
 * feed.  Per item:
 *
 *   RSS   guid (else link) = id, title, link, description or
 *         content:encoded (escaped HTML), pubDate (RFC 822) or dc:date,
 *         author ("jobs@acme.example (Acme)") or dc:creator, category
 *   Atom  id = id, title, link[@rel=alternate or none]/@href, content or
 *         summary, published or updated (ISO 8601), author/name,
 *         category/@term (or its text)
 *
 * and, when a job feed adds them, elements named location (or region),
 * company, salary and job_type (or type, employment_type), any
 * namespace.  The company is the company element, else the author
 * (unless it is the source's own company, or only an e-mail address);
 * when the feed names none, a title "Title at Company (City)" or
 * "Company: Title" is split.  Categories are the job's skills.  Atom's
 * <link rel="next"> paginates (config "max_pages").  The feed is parsed
 * without network access and without expanding entities (a feed
 * declaring any is refused); config "currency" is the default currency
 * of salary texts.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "adapter.h"
#include "feed.h"
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
        if (!js_xml_named(c, "link")) {
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

/*
 * The author as a company name: Atom's author/name, RSS's author (RSS
 * 2.0 writes "e-mail (Name)": the name) or dc:creator.  NULL for an
 * e-mail address alone.
 */
static char *
feed_author(xmlNodePtr item)
{
    static const char *const  name[] = { "name", NULL };
    static const char *const  rss[] = { "author", "dc:creator", NULL };
    xmlNodePtr                c;
    char                     *a = NULL, *open, *t;
    size_t                    n;

    for (c = item->children; c != NULL && a == NULL; c = c->next) {
        if (js_xml_named(c, "author")) {
            a = js_xml_child_text(c, name, JS_TEXT_LINE);    /* Atom */
        }
    }
    if (a == NULL) {
        a = js_xml_child_text(item, rss, JS_TEXT_LINE);
    }
    if (a == NULL) {
        return NULL;
    }
    n = strlen(a);
    open = strchr(a, '(');
    if (open != NULL && n > 0 && a[n - 1] == ')') {
        t = js_text_line(open + 1, (size_t) (a + n - 1 - (open + 1)),
                         JS_FIELD_MAX);
        free(a);
        a = t;
    }
    if (a != NULL && (strchr(a, ' ') == NULL && strchr(a, '@') != NULL)) {
        free(a);
        a = NULL;
    }
    return a;
}

/* A copy of s[0, n) as one clean line, NULL when nothing is left. */
static char *
line_of(const char *s, size_t n)
{
    return js_text_line(s, n, JS_FIELD_MAX);
}

/*
 * "Title at Company (City)" or "Company: Title" when the feed names no
 * company: job's title, company (and location, when unknown) from it.
 * The last " at " splits, so that "Head of Growth at Scale at Acme"
 * keeps its title; a title with neither form is kept.
 */
static void
feed_title_split(js_job_t *job)
{
    char        *title = job->title, *at = NULL, *p, *company, *city = NULL;
    const char  *end;
    size_t       n;

    for (p = title; (p = strstr(p, " at ")) != NULL; p++) {
        at = p;
    }
    if (at != NULL && at > title) {
        end = title + strlen(title);
        p = end > at + 4 && end[-1] == ')' ? strrchr(at + 4, '(') : NULL;
        if (p != NULL && p > at + 4) {
            city = line_of(p + 1, (size_t) (end - 1 - (p + 1)));
            end = p;
        }
        company = line_of(at + 4, (size_t) (end - (at + 4)));
        if (company == NULL) {
            free(city);
            return;
        }
        job->title = line_of(title, (size_t) (at - title));
    } else if ((p = strstr(title, ": ")) != NULL && p > title
               && p[2] != '\0')
    {
        company = line_of(title, (size_t) (p - title));
        n = strlen(p + 2);
        job->title = company ? line_of(p + 2, n) : NULL;
    } else {
        return;
    }
    if (job->title == NULL) {                   /* nothing left: keep */
        job->title = title;
        free(company);
        free(city);
        return;
    }
    free(title);
    job->company = company;
    if (job->location == NULL) {
        job->location = city;
    } else {
        free(city);
    }
}

/* RSS <category>text</category>, Atom <category term="..."/>. */
static int
feed_categories(js_job_t *job, xmlNodePtr item)
{
    xmlNodePtr   c;
    xmlChar     *term;
    char        *t;
    int          rc = 0;

    for (c = item->children; c != NULL && rc == 0; c = c->next) {
        if (!js_xml_named(c, "category")) {
            continue;
        }
        term = xmlGetProp(c, (const xmlChar *) "term");
        if (term != NULL) {
            rc = js_job_add_skill(job, (const char *) term);
            xmlFree(term);
            continue;
        }
        t = js_node_text(c, JS_TEXT_LINE);
        rc = js_job_add_skill(job, t);
        free(t);
    }
    return rc;
}

/* A feed of many companies' jobs: the company from the author, else
 * from the title; none when it is the source's own. */
static void
rss_company(const js_source_t *src, xmlNodePtr item, js_job_t *job)
{
    if (job->company == NULL) {
        job->company = feed_author(item);
    }
    if (job->company == NULL && job->title != NULL) {
        feed_title_split(job);
    }
    if (job->company != NULL && src->company_name != NULL
        && strcasecmp(job->company, src->company_name) == 0)
    {
        free(job->company);
        job->company = NULL;
    }
}

int
js_feed_item(const js_source_t *src, const char *url, xmlNodePtr item,
    int atom, js_job_t *job)
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
    char        *s;
    const char  *t, *currency = js_config_str(src, "currency");

    memset(job, 0, sizeof(js_job_t));
    job->title = js_xml_child_text(item, title, JS_TEXT_LINE);
    s = atom ? atom_link(item, NULL)
             : js_xml_child_text(item, link, JS_TEXT_RAW);
    job->apply_url = js_url_resolve(url, s);
    free(s);
    job->external_id = js_xml_child_text(item, id, JS_TEXT_RAW);
    if (job->external_id == NULL && job->apply_url != NULL) {
        job->external_id = strdup(job->apply_url);
    }
    job->description = js_xml_child_text(item, desc, JS_TEXT_BLOCK);

    s = js_xml_child_text(item, date, JS_TEXT_RAW);
    job->posted_at = js_date_parse(s);
    free(s);

    job->location = js_xml_child_text(item, location, JS_TEXT_LINE);
    job->company = js_xml_child_text(item, company, JS_TEXT_LINE);

    s = js_xml_child_text(item, salary, JS_TEXT_LINE);
    js_salary_parse(job, s, currency);
    free(s);
    if (!job->has_salary && job->description != NULL) {
        js_salary_from_text(job, job->description, currency);
    }

    s = js_xml_child_text(item, type, JS_TEXT_LINE);
    t = js_employment_type(s);
    free(s);
    job->employment_type = t ? strdup(t) : NULL;
    return feed_categories(job, item);
}

/* The items of a feed: the channel's (RSS 2.0), or the root's (RSS 1.0,
 * Atom); NULL with err when the document is no feed. */
xmlNodePtr
js_feed_items(xmlDocPtr doc, int *atom, const char *provider, char *err,
    size_t errlen)
{
    xmlNodePtr  root = xmlDocGetRootElement(doc), parent;

    *atom = 0;
    if (root == NULL) {             /* js_markup_xml refuses such a doc */
        snprintf(err, errlen, "%s: XML without a root element", provider);
        return NULL;
    }
    *atom = js_xml_named(root, "feed");
    if (js_xml_named(root, "rss")) {
        for (parent = root->children;
             parent != NULL && !js_xml_named(parent, "channel");
             parent = parent->next)
        {
            /* void */
        }
    } else if (*atom || js_xml_named(root, "RDF")) {
        parent = root;
    } else {
        parent = NULL;
    }
    if (parent == NULL) {
        snprintf(err, errlen, "%s: not an RSS or Atom feed (<%.40s>)",
                 provider, (const char *) root->name);
    }
    return parent;
}

static int
rss_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    xmlDocPtr    doc;
    xmlNodePtr   parent, c;
    js_job_t     job;
    char        *next = NULL, *link, e[200];
    int          atom, rc;

    doc = js_markup_xml(body, len, url, e, sizeof(e));
    if (doc == NULL) {
        snprintf(err, errlen, "rss: %s", e);
        return -1;
    }
    parent = js_feed_items(doc, &atom, "rss", err, errlen);
    if (parent == NULL) {
        xmlFreeDoc(doc);
        return -1;
    }

    for (c = parent->children; c != NULL; c = c->next) {
        if (!js_xml_named(c, "item") && !(atom && js_xml_named(c, "entry")))
        {
            continue;
        }
        rc = js_feed_item(src, url, c, atom, &job);
        if (rc == 0) {
            rss_company(src, c, &job);
        }
        if (rc != 0 || js_page_take(page, src, &job) < 0) {
            js_job_free(&job);
            snprintf(err, errlen, "out of memory");
            xmlFreeDoc(doc);
            return -1;
        }
    }
    if (atom) {
        link = atom_link(xmlDocGetRootElement(doc), "next");
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
