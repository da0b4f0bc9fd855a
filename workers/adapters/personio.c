/*
 * Personio's public XML job feed (developer.personio.de, "Retrieving
 * open positions"; no key):
 *
 *   GET https://{company}.jobs.personio.de/xml[?language=en]
 *
 *   <workzag-jobs>
 *     <position>
 *       <id>1234567</id>
 *       <subcompany>Acme GmbH</subcompany>
 *       <office>Berlin</office>
 *       <additionalOffices><office>Remote</office></additionalOffices>
 *       <department>Engineering</department>
 *       <recruitingCategory>...</recruitingCategory>
 *       <name>Backend Engineer (m/w/d)</name>
 *       <jobDescriptions>
 *         <jobDescription><name>Your tasks</name>
 *           <value><![CDATA[<ul><li>...</li></ul>]]></value>
 *         </jobDescription> ...
 *       </jobDescriptions>
 *       <employmentType>permanent</employmentType>
 *       <seniority>experienced</seniority>
 *       <schedule>full-time</schedule>
 *       <yearsOfExperience>2-5</yearsOfExperience>
 *       <keywords>Go,PostgreSQL</keywords>
 *       <occupation>...</occupation>
 *       <createdAt>2025-06-01T10:00:00+00:00</createdAt>
 *     </position> ...
 *   </workzag-jobs>
 *
 * One answer holds the whole board (the feed has no pages).  source_url
 * is the subdomain ("acme" of acme.jobs.personio.de), or the feed's URL;
 * config "language" asks for the texts in that language (Personio's
 * default is German).  The feed has no link: the job's page is
 * /job/{id} on the feed's host.  employmentType ("permanent", "intern",
 * "trainee", "freelance", "temporary") and schedule ("full-time",
 * "part-time") give the employment type; Personio writes remote work
 * into the office names ("Remote", "Berlin (Remote)"), so the location
 * (every office, "; " between) gives the location type; the feed has
 * no salary element, so the salary is the description's pay line;
 * keywords are the skills.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "adapter.h"
#include "markup.h"
#include "normalize.h"

static int
personio_first_url(const js_source_t *src, char **url, char *err,
    size_t errlen)
{
    const char  *language = js_config_str(src, "language");

    if (js_source_subdomain(src, ".jobs.personio.de", "/xml", url, err,
                            errlen) != 0)
    {
        return -1;
    }
    if (language != NULL && js_url_param(url, "language", language) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static xmlNodePtr
personio_child(xmlNodePtr parent, const char *name)
{
    xmlNodePtr  c;

    for (c = parent->children; c != NULL; c = c->next) {
        if (js_xml_named(c, name)) {
            return c;
        }
    }
    return NULL;
}

/* office, then each additional office. */
static char *
personio_offices(xmlNodePtr position)
{
    static const char *const  office[] = { "office", NULL };
    xmlNodePtr                more, c;
    char                     *s, *t;
    js_buf_t                  b = { 0 };

    s = js_xml_child_text(position, office, JS_TEXT_LINE);
    js_buf_str(&b, s);
    free(s);
    more = personio_child(position, "additionalOffices");
    for (c = more ? more->children : NULL; c != NULL; c = c->next) {
        if (js_xml_named(c, "office")
            && (s = js_node_text(c, JS_TEXT_LINE)) != NULL)
        {
            js_buf_str(&b, b.len ? "; " : "");
            js_buf_str(&b, s);
            free(s);
        }
    }
    s = js_buf_take(&b);
    t = s && s[0] ? js_text_line(s, strlen(s), JS_FIELD_MAX) : NULL;
    free(s);
    return t;
}

/* Each description block as its name (a heading line) and its text. */
static char *
personio_description(xmlNodePtr position)
{
    static const char *const  name[] = { "name", NULL };
    static const char *const  value[] = { "value", NULL };
    xmlNodePtr                blocks, c;
    char                     *s, *t;
    js_buf_t                  b = { 0 };

    blocks = personio_child(position, "jobDescriptions");
    for (c = blocks ? blocks->children : NULL; c != NULL; c = c->next) {
        if (!js_xml_named(c, "jobDescription")) {
            continue;
        }
        if ((s = js_xml_child_text(c, name, JS_TEXT_LINE)) != NULL) {
            js_buf_str(&b, b.len ? "\n\n" : "");
            js_buf_str(&b, s);
            free(s);
        }
        if ((s = js_xml_child_text(c, value, JS_TEXT_BLOCK)) != NULL) {
            js_buf_str(&b, b.len ? "\n\n" : "");
            js_buf_str(&b, s);
            free(s);
        }
        if (b.len > JS_DESCRIPTION_MAX) {
            break;
        }
    }
    s = js_buf_take(&b);
    t = s && s[0] ? js_plain_to_text(s, strlen(s), JS_DESCRIPTION_MAX)
                  : NULL;
    free(s);
    return t;
}

/* A permanent position is full- or part-time as its schedule says. */
static const char *
personio_type(xmlNodePtr position)
{
    static const char *const  employment[] = { "employmentType", NULL };
    static const char *const  schedule[] = { "schedule", NULL };
    char                     *s;
    const char               *type, *hours;

    s = js_xml_child_text(position, employment, JS_TEXT_LINE);
    type = js_employment_type(s);
    free(s);
    if (type != NULL && strcmp(type, "full_time") != 0) {
        return type;
    }
    s = js_xml_child_text(position, schedule, JS_TEXT_LINE);
    hours = js_employment_type(s);
    free(s);
    return hours ? hours : type;
}

static int
personio_job(const js_source_t *src, const char *url, xmlNodePtr position,
    js_page_t *page)
{
    static const char *const  id[] = { "id", NULL };
    static const char *const  name[] = { "name", NULL };
    static const char *const  created[] = { "createdAt", NULL };
    static const char *const  keywords[] = { "keywords", NULL };
    js_job_t                  job;
    const char               *s;
    char                     *t, *k, *save = NULL, path[256];

    memset(&job, 0, sizeof(job));
    job.external_id = js_xml_child_text(position, id, JS_TEXT_RAW);
    job.title = js_xml_child_text(position, name, JS_TEXT_LINE);
    if (job.external_id != NULL && strlen(job.external_id) < 64) {
        t = js_url_escape(job.external_id);
        if (t != NULL) {
            snprintf(path, sizeof(path), "/job/%s", t);
            job.apply_url = js_url_resolve(url, path);
            free(t);
        }
    }
    job.location = personio_offices(position);
    job.description = personio_description(position);

    t = js_xml_child_text(position, created, JS_TEXT_RAW);
    job.posted_at = js_date_parse(t);
    free(t);

    s = personio_type(position);
    job.employment_type = s ? strdup(s) : NULL;

    if (job.description != NULL) {
        js_salary_from_text(&job, job.description,
                            js_config_str(src, "currency"));
    }

    t = js_xml_child_text(position, keywords, JS_TEXT_LINE);
    for (k = t ? strtok_r(t, ",", &save) : NULL; k != NULL;
         k = strtok_r(NULL, ",", &save))
    {
        if (js_job_add_skill(&job, k) != 0) {
            free(t);
            js_job_free(&job);
            return -1;
        }
    }
    free(t);
    return js_page_take(page, src, &job);
}

static int
personio_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err, size_t errlen)
{
    xmlDocPtr    doc;
    xmlNodePtr   root, c;
    char         e[200];

    doc = js_markup_xml(body, len, url, e, sizeof(e));
    if (doc == NULL) {
        snprintf(err, errlen, "personio: %s", e);
        return -1;
    }
    root = xmlDocGetRootElement(doc);
    if (root == NULL || !js_xml_named(root, "workzag-jobs")) {
        snprintf(err, errlen, "personio: not a job feed (<%.40s>)",
                 root ? (const char *) root->name : "");
        xmlFreeDoc(doc);
        return -1;
    }
    for (c = root->children; c != NULL; c = c->next) {
        if (js_xml_named(c, "position")
            && personio_job(src, url, c, page) < 0)
        {
            snprintf(err, errlen, "out of memory");
            xmlFreeDoc(doc);
            return -1;
        }
    }
    xmlFreeDoc(doc);
    js_page_set_next(page, url, NULL, 1);
    return 0;
}

const js_adapter_t  js_adapter_personio = {
    "personio",
    personio_first_url,
    personio_parse,
    NULL,
    NULL,
};
