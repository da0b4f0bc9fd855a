/*
 * The catalogue of source adapters (catalogue.h): every key an adapter,
 * or the shared helpers it calls (normalize.h, markup.c), reads from a
 * source's config, with the bounds the adapter clamps it to.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "catalogue.h"
#include "selector.h"

#define JS_CATALOGUE_URL_MAX  2048      /* normalize.h's JS_URL_MAX */

/* Rows several adapters share: js_page_take's keyword filters, the
 * default currency of salary texts, pagination. */
#define JS_KEYS_FILTERS                                                      \
    { "include_keywords", JS_KEY_STRINGS, 0, 0,                              \
      "only jobs whose title has one of these words or phrases "             \
      "(word-wise, case-blind)", 0, NULL, NULL },                            \
    { "keyword_filters", JS_KEY_STRINGS, 0, 0,                               \
      "include_keywords under its older name", 0, "include_keywords",        \
      NULL },                                                                \
    { "exclude_keywords", JS_KEY_STRINGS, 0, 0,                              \
      "no job whose title has one of these words or phrases", 0, NULL,       \
      NULL }

#define JS_KEY_CURRENCY_ROW                                                  \
    { "currency", JS_KEY_CURRENCY, 0, 0,                                     \
      "the currency of salaries that name none (ISO 4217)", 0, NULL, NULL }

#define JS_KEY_MAX_PAGES_ROW(what)                                           \
    { "max_pages", JS_KEY_INTEGER, 1, 100,                                   \
      "pages followed at most (default 20): " what, 0, NULL, NULL }

#define JS_KEY_NEXT_ROW                                                      \
    { "next", JS_KEY_SELECTOR, 0, 0,                                         \
      "the next page's link: an element with an href, or the URL itself "    \
      "(a[rel=next], //a[@class='next']/@href)", 0, NULL, NULL }

/* js_source_endpoint: the base when source_url is a board token. */
#define JS_KEY_API_BASE_ROW(base)                                            \
    { "api_base", JS_KEY_URL, 0, 0,                                          \
      "the API's base URL when source_url is a board token (default "        \
      base ")", 0, NULL, NULL }

#define JS_KEYS_END  { NULL, 0, 0, 0, NULL, 0, NULL, NULL }

static const js_adapter_key_t  js_keys_greenhouse[] = {
    JS_KEY_API_BASE_ROW("https://boards-api.greenhouse.io"),
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_lever[] = {
    JS_KEY_API_BASE_ROW("https://api.lever.co; the EU site is "
                        "https://api.eu.lever.co"),
    { "page_size", JS_KEY_INTEGER, 0, 1000,
      "postings per request (skip/limit); 0, the default, asks for the "
      "whole board at once", 0, NULL, NULL },
    JS_KEY_MAX_PAGES_ROW("with page_size"),
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_board[] = {      /* ashby, workable */
    JS_KEY_API_BASE_ROW("https://api.ashbyhq.com for ashby, "
                        "https://apply.workable.com for workable"),
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_remotive[] = {
    JS_KEY_API_BASE_ROW("https://remotive.com"),
    { "search", JS_KEY_STRING, 0, 0, "search terms", 0, NULL, NULL },
    { "company_name", JS_KEY_STRING, 0, 0, "only this company's jobs", 0,
      NULL, NULL },
    { "limit", JS_KEY_INTEGER, 1, 10000, "jobs asked for at most", 0, NULL,
      NULL },
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

/*
 * Adzuna's search parameters are passed on as written.  No "api_base":
 * it would send jobscoutd's app key to another host (adzuna_base_url in
 * jobscoutd.conf says where the API is).  Salaries are in the country's
 * currency, so no "currency" either.
 */
#define JS_ADZUNA_TEXT(name, what)                                           \
    { name, JS_KEY_STRING, 0, 0, what, 0, NULL, NULL }
#define JS_ADZUNA_INT(name, min, max, what)                                  \
    { name, JS_KEY_INTEGER, min, max, what, 0, NULL, NULL }

static const js_adapter_key_t  js_keys_adzuna[] = {
    JS_ADZUNA_TEXT("what", "keywords, all of them"),
    JS_ADZUNA_TEXT("what_and", "keywords, all of them"),
    JS_ADZUNA_TEXT("what_or", "keywords, any of them"),
    JS_ADZUNA_TEXT("what_exclude", "keywords none of the jobs has"),
    JS_ADZUNA_TEXT("what_phrase", "an exact phrase"),
    JS_ADZUNA_TEXT("where", "a place name or postcode"),
    JS_ADZUNA_INT("distance", 1, 1000, "km around \"where\""),
    JS_ADZUNA_TEXT("category", "a category tag (\"it-jobs\")"),
    JS_ADZUNA_TEXT("sort_by", "\"default\", \"hybrid\", \"date\", "
                   "\"salary\" or \"relevance\""),
    JS_ADZUNA_TEXT("sort_dir", "\"up\" or \"down\""),
    JS_ADZUNA_INT("salary_min", 0, 100000000, "yearly salary at least"),
    JS_ADZUNA_INT("salary_max", 0, 100000000, "yearly salary at most"),
    JS_ADZUNA_INT("salary_include_unknown", 0, 1,
                  "1: also jobs without a salary"),
    JS_ADZUNA_INT("max_days_old", 1, 3650, "posted in the last days"),
    JS_ADZUNA_INT("full_time", 0, 1, "1: full-time jobs only"),
    JS_ADZUNA_INT("part_time", 0, 1, "1: part-time jobs only"),
    JS_ADZUNA_INT("contract", 0, 1, "1: contracts only"),
    JS_ADZUNA_INT("permanent", 0, 1, "1: permanent jobs only"),
    JS_ADZUNA_TEXT("company", "a company's canonical name"),
    JS_ADZUNA_INT("results_per_page", 1, 50, "jobs per call (default 50)"),
    { "max_pages", JS_KEY_INTEGER, 1, 100,
      "calls per run at most (default 5: Adzuna counts calls)", 0, NULL,
      NULL },
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_jsonld[] = {
    JS_KEY_NEXT_ROW,
    JS_KEY_MAX_PAGES_ROW("with next"),
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

/* html.c's fields: selectors run from each item "list" finds. */
#define JS_HTML_FIELD(name, required, what)                                  \
    { name, JS_KEY_SELECTOR, 0, 0, what, required, NULL, NULL }

static const js_adapter_key_t  js_keys_html_fields[] = {
    JS_HTML_FIELD("title", 1, "the job's title"),
    JS_HTML_FIELD("url", 0, "its link (default: the item's href, else its "
                  "first link's)"),
    JS_HTML_FIELD("id", 0, "a stable id (default: the absolute URL)"),
    JS_HTML_FIELD("location", 0, "where"),
    JS_HTML_FIELD("company", 0, "the hiring company, when not the "
                  "source's"),
    JS_HTML_FIELD("description", 0, "the description (its blocks become "
                  "lines)"),
    JS_HTML_FIELD("salary", 0, "a salary text (\"KES 150,000 - 200,000 per "
                  "month\")"),
    JS_HTML_FIELD("employment_type", 0, "\"Full-time\", \"Contract\", ..."),
    JS_HTML_FIELD("posted_at", 0, "a date (ISO 8601 or RFC 822)"),
    JS_HTML_FIELD("remote", 0, "a text that says remote, hybrid or on-site "
                  "(a badge)"),
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_html[] = {
    { "list", JS_KEY_SELECTOR, 0, 0, "one element per job", 1, NULL, NULL },
    { "fields", JS_KEY_SELECTORS, 0, 0, "the selectors of a job's fields, "
      "from its element", 1, NULL, js_keys_html_fields },
    { "selectors", JS_KEY_SELECTORS, 0, 0, "fields under its older name", 0,
      "fields", js_keys_html_fields },
    JS_KEY_NEXT_ROW,
    JS_KEY_MAX_PAGES_ROW("with next"),
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_feed[] = {      /* rss, atom */
    JS_KEY_MAX_PAGES_ROW("Atom's <link rel=\"next\">"),
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

/* Adapters with detail calls (adapter.h): bounded by jobscoutd.conf. */
#define JS_KEY_MAX_DETAILS_ROW                                               \
    { "max_details", JS_KEY_INTEGER, 0, 1000,                                \
      "detail calls per run at most, for the descriptions the list lacks "  \
      "(default and ceiling: jobscoutd.conf scrape_max_details, 50); the "   \
      "other jobs keep what the list gives", 0, NULL, NULL }

static const js_adapter_key_t  js_keys_smartrecruiters[] = {
    JS_KEY_API_BASE_ROW("https://api.smartrecruiters.com"),
    { "page_size", JS_KEY_INTEGER, 1, 100,
      "postings per request (limit/offset; default 100, the API's "
      "maximum)", 0, NULL, NULL },
    JS_KEY_MAX_PAGES_ROW("of page_size postings"),
    JS_KEY_MAX_DETAILS_ROW,
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_workday[] = {
    { "tenant", JS_KEY_STRING, 0, 0,
      "the tenant when it is not the first label of the career site's "
      "host", 0, NULL, NULL },
    { "search", JS_KEY_STRING, 0, 0, "search terms (searchText)", 0, NULL,
      NULL },
    { "page_size", JS_KEY_INTEGER, 1, 20,
      "postings per request (limit/offset; default 20, Workday's "
      "maximum)", 0, NULL, NULL },
    JS_KEY_MAX_PAGES_ROW("of page_size postings"),
    JS_KEY_MAX_DETAILS_ROW,
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_bamboohr[] = {
    JS_KEY_MAX_DETAILS_ROW,
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

/* Boards on the company's own subdomain (js_source_subdomain): no
 * "api_base", a custom career domain is a source_url. */
static const js_adapter_key_t  js_keys_recruitee[] = {
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_personio[] = {
    { "language", JS_KEY_STRING, 0, 0, "the language of the texts "
      "(\"en\"; Personio's default is German)", 0, NULL, NULL },
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

static const js_adapter_key_t  js_keys_teamtailor[] = {
    { "per_page", JS_KEY_INTEGER, 1, 100, "items per request (default "
      "50); a full page asks for the next", 0, NULL, NULL },
    JS_KEY_MAX_PAGES_ROW("pages of per_page items"),
    JS_KEY_CURRENCY_ROW,
    JS_KEYS_FILTERS,
    JS_KEYS_END
};

/* In the order of adapter.c's table. */
static const js_adapter_info_t  js_catalogue[] = {
    { "greenhouse", "Greenhouse Job Board API: the whole board in one "
      "answer", "the board token (\"acme\" of boards.greenhouse.io/acme), "
      "or the API URL", js_keys_greenhouse, 1 },
    { "lever", "Lever postings API", "the site name (\"acme\" of "
      "jobs.lever.co/acme), or the API URL", js_keys_lever, 1 },
    { "ashby", "Ashby posting API, with compensation; unlisted postings "
      "are skipped", "the job board name (\"acme\" of "
      "jobs.ashbyhq.com/acme), or the API URL", js_keys_board, 1 },
    { "workable", "Workable's public widget API", "the account subdomain "
      "(\"acme\" of apply.workable.com/acme), or the API URL",
      js_keys_board, 1 },
    { "remotive", "Remotive's public API: remote jobs of many companies",
      "a category slug (\"software-dev\"), or the API URL",
      js_keys_remotive, 1 },
    { "adzuna", "Adzuna search API, with jobscoutd's keys: jobs of many "
      "companies", "the country (\"gb\", \"za\", ...), or a search URL",
      js_keys_adzuna, 1 },
    { "jsonld", "schema.org JobPosting blocks (application/ld+json) of "
      "any page", "the page, an http(s) URL", js_keys_jsonld, 0 },
    { "html", "any careers page, read with selectors (XPath, or CSS: tag, "
      "*, .class, #id, [attr], [attr=value], descendant and '>' "
      "combinators, ::attr(name), ::text)", "the careers page, an http(s) "
      "URL", js_keys_html, 0 },
    { "rss", "RSS 2.0 or 1.0 items as jobs", "the feed, an http(s) URL",
      js_keys_feed, 0 },
    { "atom", "Atom entries as jobs", "the feed, an http(s) URL",
      js_keys_feed, 0 },
    { "smartrecruiters", "SmartRecruiters Posting API, paged, with a detail "
      "call per posting for its description and pay", "the company "
      "identifier (\"Acme\" of jobs.smartrecruiters.com/Acme), or the API "
      "URL", js_keys_smartrecruiters, 1 },
    { "workday", "a Workday career site's jobs search (POST, paged), with a "
      "detail call per posting for its description", "the career site "
      "(https://acme.wd3.myworkdayjobs.com/en-US/External), or its "
      "/wday/cxs/{tenant}/{site}/jobs URL", js_keys_workday, 0 },
    { "bamboohr", "BambooHR careers list, with a detail call per opening "
      "for its description, date and pay", "the company subdomain "
      "(\"acme\" of acme.bamboohr.com), or the list URL", js_keys_bamboohr, 1 },
    { "recruitee", "Recruitee Careers Site API: the company's published "
      "offers in one answer", "the subdomain (\"acme\" of "
      "acme.recruitee.com), or the offers URL of a custom domain",
      js_keys_recruitee, 1 },
    { "personio", "Personio's public XML job feed: every open position "
      "in one answer", "the subdomain (\"acme\" of acme.jobs.personio.de), "
      "or the feed's URL", js_keys_personio, 1 },
    { "teamtailor", "Teamtailor career site's public RSS feed (jobs.rss), "
      "paged", "the subdomain (\"acme\" of acme.teamtailor.com, "
      "\"acme.na\" on the North American stack), or the feed's URL on a "
      "custom career domain", js_keys_teamtailor, 1 },
};

#define JS_CATALOGUE_N  (sizeof(js_catalogue) / sizeof(js_catalogue[0]))

static const char  *js_key_types[] = {
    "string", "integer", "boolean", "strings", "url", "currency",
    "selector", "selectors",
};

int
js_catalogue_board_token(const char *s, size_t n)
{
    size_t  i;

    if (n == 0 || n > 100) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char) s[i]) && s[i] != '.' && s[i] != '_'
            && s[i] != '-')
        {
            return 0;
        }
    }
    return 1;
}

const js_adapter_info_t *
js_catalogue_find(const char *scraper_class)
{
    size_t  i;

    if (scraper_class == NULL) {
        return NULL;
    }
    for (i = 0; i < JS_CATALOGUE_N; i++) {
        if (strcasecmp(js_catalogue[i].name, scraper_class) == 0) {
            return &js_catalogue[i];
        }
    }
    return NULL;
}

static json_t *
js_catalogue_keys_json(const js_adapter_key_t *keys)
{
    int                      rc = 0;
    json_t                  *arr, *o;
    const js_adapter_key_t  *k;

    arr = json_array();
    for (k = keys; arr != NULL && k->name != NULL; k++) {
        o = json_pack("{s:s, s:s, s:s}", "name", k->name,
                      "type", js_key_types[k->type],
                      "description", k->description);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
        if (k->required) {
            rc |= json_object_set_new(o, "required", json_true());
        }
        if (k->type == JS_KEY_INTEGER) {
            rc |= json_object_set_new(o, "min", json_integer(k->min));
            rc |= json_object_set_new(o, "max", json_integer(k->max));
        }
        if (k->same_as != NULL) {
            rc |= json_object_set_new(o, "same_as", json_string(k->same_as));
        }
        if (k->keys != NULL) {
            rc |= json_object_set_new(o, "keys",
                                      js_catalogue_keys_json(k->keys));
        }
    }
    if (rc != 0) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

json_t *
js_catalogue_json(void)
{
    size_t                    i;
    json_t                   *arr, *o;
    const js_adapter_info_t  *a;

    arr = json_array();
    for (i = 0; arr != NULL && i < JS_CATALOGUE_N; i++) {
        a = &js_catalogue[i];
        o = json_pack("{s:s, s:s, s:s, s:b, s:o*}", "name", a->name,
                      "description", a->description,
                      "source_url", a->source_url,
                      "board_token", (int) a->board_token,
                      "keys", js_catalogue_keys_json(a->keys));
        if (o == NULL || json_object_size(o) != 5
            || json_array_append_new(arr, o) != 0)
        {
            json_decref(o);
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* What the check refuses: always -1. */
static int
js_catalogue_refuse(const char *path, const char *name, char *field,
    size_t fieldlen, char *reason, size_t reasonlen, const char *fmt, ...)
{
    va_list  ap;

    snprintf(field, fieldlen, "%s.%s", path, name);
    va_start(ap, fmt);
    vsnprintf(reason, reasonlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const js_adapter_key_t *
js_catalogue_key(const js_adapter_key_t *keys, const char *name)
{
    for (; keys->name != NULL; keys++) {
        if (strcmp(keys->name, name) == 0) {
            return keys;
        }
    }
    return NULL;
}

static int
js_catalogue_nonempty(json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0;
}

/* An absolute http(s) URL with a host, without spaces or controls. */
static int
js_catalogue_url(json_t *v)
{
    int           ok;
    size_t        i, n;
    xmlURIPtr     u;
    const char   *s;

    if (!js_catalogue_nonempty(v)) {
        return 0;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (n > JS_CATALOGUE_URL_MAX || strlen(s) != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char) s[i] <= ' ' || s[i] == 0x7f) {
            return 0;
        }
    }
    u = xmlParseURI(s);
    ok = u != NULL && u->scheme != NULL
         && (strcasecmp(u->scheme, "http") == 0
             || strcasecmp(u->scheme, "https") == 0)
         && u->server != NULL && u->server[0] != '\0';
    xmlFreeURI(u);
    return ok;
}

static int
js_catalogue_currency(json_t *v)
{
    const char  *s = json_string_value(v);

    return s != NULL && json_string_length(v) == 3
           && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
           && s[2] >= 'A' && s[2] <= 'Z';
}

static int js_catalogue_object(const js_adapter_key_t *keys, json_t *o,
    const char *path, int relative, char *field, size_t fieldlen,
    char *reason, size_t reasonlen);

/* 0 when v suits key k; selectors in an object of selectors run from a
 * list item (relative). */
static int
js_catalogue_value(const js_adapter_key_t *k, json_t *v, const char *path,
    int relative, char *field, size_t fieldlen, char *reason,
    size_t reasonlen)
{
    size_t               i;
    json_t              *e;
    char                 sub[256];
    xmlXPathCompExprPtr  c;

#define JS_REFUSE(...)                                                       \
    js_catalogue_refuse(path, k->name, field, fieldlen, reason, reasonlen,   \
                        __VA_ARGS__)

    switch (k->type) {

    case JS_KEY_STRING:
        return js_catalogue_nonempty(v) ? 0
               : JS_REFUSE("must be a non-empty string");

    case JS_KEY_INTEGER:
        return json_is_integer(v) && json_integer_value(v) >= k->min
               && json_integer_value(v) <= k->max ? 0
               : JS_REFUSE("must be an integer from %ld to %ld", k->min,
                           k->max);

    case JS_KEY_BOOLEAN:
        return json_is_boolean(v) ? 0 : JS_REFUSE("must be true or false");

    case JS_KEY_STRINGS:
        if (!json_is_array(v)) {
            return JS_REFUSE("must be an array of non-empty strings");
        }
        json_array_foreach(v, i, e) {
            if (!js_catalogue_nonempty(e)) {
                return JS_REFUSE("must be an array of non-empty strings");
            }
        }
        return 0;

    case JS_KEY_URL:
        return js_catalogue_url(v) ? 0
               : JS_REFUSE("must be an absolute http(s) URL");

    case JS_KEY_CURRENCY:
        return js_catalogue_currency(v) ? 0
               : JS_REFUSE("must be an ISO 4217 currency code: three "
                           "upper-case letters");

    case JS_KEY_SELECTOR:
        if (!js_catalogue_nonempty(v)) {
            return JS_REFUSE("must be a selector: XPath or CSS");
        }
        c = js_selector_compile(json_string_value(v), relative, sub,
                                sizeof(sub));
        if (c == NULL) {
            return JS_REFUSE("%s", sub);
        }
        xmlXPathFreeCompExpr(c);
        return 0;

    case JS_KEY_SELECTORS:
        if (!json_is_object(v)) {
            return JS_REFUSE("must be an object of selectors");
        }
        snprintf(sub, sizeof(sub), "%s.%s", path, k->name);
        return js_catalogue_object(k->keys, v, sub, 1, field, fieldlen,
                                   reason, reasonlen);
    }

#undef JS_REFUSE

    return js_catalogue_refuse(path, k->name, field, fieldlen, reason,
                               reasonlen, "has an unknown type");
}

static int
js_catalogue_object(const js_adapter_key_t *keys, json_t *o,
    const char *path, int relative, char *field, size_t fieldlen,
    char *reason, size_t reasonlen)
{
    json_t                  *v;
    const char              *name;
    const js_adapter_key_t  *k, *alias;

    json_object_foreach(o, name, v) {
        k = js_catalogue_key(keys, name);
        if (k == NULL) {
            return js_catalogue_refuse(path, name, field, fieldlen, reason,
                                       reasonlen, "unknown key");
        }
        if (k->same_as != NULL && json_object_get(o, k->same_as) != NULL) {
            return js_catalogue_refuse(path, name, field, fieldlen, reason,
                                       reasonlen, "is \"%s\" under another "
                                       "name: give only one", k->same_as);
        }
        if (js_catalogue_value(k, v, path, relative, field, fieldlen, reason,
                               reasonlen) != 0)
        {
            return -1;
        }
    }

    for (k = keys; k->name != NULL; k++) {
        if (!k->required || json_object_get(o, k->name) != NULL) {
            continue;
        }
        for (alias = keys; alias->name != NULL; alias++) {
            if (alias->same_as != NULL && strcmp(alias->same_as, k->name) == 0
                && json_object_get(o, alias->name) != NULL)
            {
                break;
            }
        }
        if (alias->name == NULL) {
            return js_catalogue_refuse(path, k->name, field, fieldlen,
                                       reason, reasonlen, "is required");
        }
    }
    return 0;
}

int
js_catalogue_check(const js_adapter_info_t *info, json_t *config,
    char *field, size_t fieldlen, char *reason, size_t reasonlen)
{
    if (!json_is_object(config)) {
        snprintf(field, fieldlen, "config");
        snprintf(reason, reasonlen, "must be an object");
        return -1;
    }
    return js_catalogue_object(info->keys, config, "config", 0, field,
                               fieldlen, reason, reasonlen);
}
