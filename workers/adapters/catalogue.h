/*
 * The catalogue of source adapters: each scraper_class with the config
 * keys it documents, their types and bounds.  One table, compiled into
 * jobscoutd (which refuses to run a source whose config does not fit)
 * and into the nginx module (which refuses to store one, and serves the
 * table at GET /api/v1/admin/adapters), so that the two never disagree.
 *
 * Depends on jansson and libxml2 only (selectors are compiled as the
 * html adapter compiles them, selector.h): no I/O, no global state kept.
 *
 * As JSON (js_catalogue_json):
 *
 *   [{"name": "lever", "description": "...", "source_url": "...",
 *     "keys": [{"name": "page_size", "type": "integer", "min": 0,
 *               "max": 1000, "description": "..."},
 *              {"name": "list", "type": "selector", "required": true, ...},
 *              {"name": "selectors", "type": "selectors",
 *               "same_as": "fields", "keys": [...]}, ...]}, ...]
 *
 * type: "string", "integer", "boolean", "strings", "url", "currency",
 * "selector" or "selectors"; "required" only when true.
 */

#ifndef JS_CATALOGUE_H
#define JS_CATALOGUE_H

#include <stddef.h>

#include <jansson.h>

typedef enum {
    JS_KEY_STRING,          /* a non-empty string */
    JS_KEY_INTEGER,         /* an integer in [min, max] */
    JS_KEY_BOOLEAN,
    JS_KEY_STRINGS,         /* an array of non-empty strings */
    JS_KEY_URL,             /* an absolute http(s) URL */
    JS_KEY_CURRENCY,        /* ISO 4217: three upper-case letters */
    JS_KEY_SELECTOR,        /* XPath or the CSS subset of markup.h */
    JS_KEY_SELECTORS        /* an object: field name -> selector */
} js_key_type_e;

typedef struct js_adapter_key_s  js_adapter_key_t;

struct js_adapter_key_s {
    const char              *name;
    js_key_type_e            type;
    long                     min;            /* JS_KEY_INTEGER */
    long                     max;
    const char              *description;
    int                      required;
    /* another name of the key "same_as", read only when that one is
     * absent (seed 004's names): giving both is refused */
    const char              *same_as;
    /* JS_KEY_SELECTORS: the fields it may name, NULL-named terminated */
    const js_adapter_key_t  *keys;
};

typedef struct {
    const char              *name;          /* the scraper_class */
    const char              *description;
    const char              *source_url;    /* what source_url must be */
    const js_adapter_key_t  *keys;          /* NULL-named terminated */
    /* source_url may be a board token ("acme") instead of a URL */
    unsigned                 board_token:1;
} js_adapter_info_t;

/* 1 when s[0..n) is a board token ("acme"): 1-100 of [A-Za-z0-9._-] */
int js_catalogue_board_token(const char *s, size_t n);

/* NULL when no adapter serves scraper_class (compared case-blind). */
const js_adapter_info_t *js_catalogue_find(const char *scraper_class);

/* Every adapter and its keys as JSON; NULL when out of memory. */
json_t *js_catalogue_json(void);

/*
 * 0 when config (a JSON object) suits the adapter; else -1 with field
 * set to the path of the first refused key ("config.fields.title") and
 * reason to why ("unknown key", "must be an integer from 1 to 50",
 * "invalid selector: ...", "is required").
 */
int js_catalogue_check(const js_adapter_info_t *info, json_t *config,
    char *field, size_t fieldlen, char *reason, size_t reasonlen);

#endif /* JS_CATALOGUE_H */
