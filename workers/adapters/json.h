/*
 * Reading provider JSON and the source's config (json.c).
 */

#ifndef JS_JSON_H
#define JS_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "adapter.h"

/* Parses body: -1 with err unless it is JSON of the given type
 * (JSON_OBJECT or JSON_ARRAY). */
int js_json_parse(const char *body, size_t len, json_type type,
    json_t **root, char *err, size_t errlen);
/* A job object of a provider's list, appended to page: -1 when out of
 * memory. */
typedef int (*js_json_job_pt)(const js_source_t *src, const char *url,
    json_t *o, js_page_t *page);
/* One page that is a JSON object whose "jobs" array lists every job
 * (greenhouse, ashby, workable, remotive): each object goes to job. */
int js_json_jobs_parse(const js_source_t *src, const char *url,
    const char *body, size_t len, const char *provider, js_json_job_pt job,
    js_page_t *page, char *err, size_t errlen);
/* The same for a list under another key (recruitee's "offers"). */
int js_json_list_parse(const js_source_t *src, const char *url,
    const char *body, size_t len, const char *provider, const char *key,
    js_json_job_pt job, js_page_t *page, char *err, size_t errlen);
/* The string at key, NULL when absent or not a string. */
const char *js_json_str(json_t *obj, const char *key);
/* A string (at most JS_ID_MAX bytes) or integer id as a malloc'ed
 * string, NULL otherwise: at key, or the value itself. */
char *js_json_id(json_t *obj, const char *key);
char *js_json_id_value(json_t *v);
/* A number (integer, real or numeric string) at key, or -1 with *v
 * untouched. */
int js_json_number(json_t *obj, const char *key, double *v);
/* A one-line clean copy of the string at key, NULL when none. */
char *js_json_line(json_t *obj, const char *key);

const char *js_config_str(const js_source_t *src, const char *key);
long js_config_int(const js_source_t *src, const char *key, long def,
    long min, long max);
unsigned js_config_max_pages(const js_source_t *src);

/*
 * The first URL of an API adapter: source_url verbatim when it is an
 * http(s) URL; else source_url is a board token ([A-Za-z0-9._-], at
 * most 100) and the URL is base + prefix + token + suffix, base being
 * config "api_base" or default_base.
 */
int js_source_endpoint(const js_source_t *src, const char *default_base,
    const char *prefix, const char *suffix, char **url, char *err,
    size_t errlen);

/*
 * The first URL of a board on the company's own subdomain (recruitee,
 * personio, teamtailor): source_url verbatim when it is an http(s) URL
 * (a custom career domain); else source_url is the subdomain (letters,
 * digits, '-' and inner dots, at most 100: "acme", "acme.na") and the
 * URL is "https://" + subdomain + domain + path (".recruitee.com",
 * "/api/offers/").
 */
int js_source_subdomain(const js_source_t *src, const char *domain,
    const char *path, char **url, char *err, size_t errlen);

/* body as a JSON object whose key is an array: that array (*root set,
 * to be json_decref'ed), or NULL with err set ("provider: no \"key\"
 * array", or why body is not JSON). */
json_t *js_json_list(const char *body, size_t len, const char *provider,
    const char *key, json_t **root, char *err, size_t errlen);

#endif /* JS_JSON_H */
