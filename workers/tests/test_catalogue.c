/*
 * Unit tests of the adapter catalogue: it and the adapter table name the
 * same adapters, its JSON, and js_catalogue_check's answers (unknown
 * keys, wrong types, bounds, bad CSS, bad XPath reported without a word
 * on stderr, required keys, the good config of every fixture).
 *
 *   test_catalogue [fixtures directory, default t/fixtures]
 */

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "adapter.h"
#include "catalogue.h"
#include "tap.h"

static const char  *fixtures = "t/fixtures";

static char  field[256], reason[512];

/* js_catalogue_check of config (JSON text, ` for ") for scraper_class:
 * 0 or -1. */
static int
check(const char *cls, const char *config)
{
    int      rc;
    char     text[1024], *p;
    json_t  *c;

    snprintf(text, sizeof(text), "%s", config);
    for (p = text; (p = strchr(p, '`')) != NULL; p++) {
        *p = '"';
    }
    c = json_loads(text, JSON_DECODE_ANY, NULL);
    field[0] = reason[0] = '\0';
    rc = js_catalogue_check(js_catalogue_find(cls), c, field, sizeof(field),
                            reason, sizeof(reason));
    json_decref(c);
    return rc;
}

/* A refused config: the field and the reason (a prefix of it). */
static void
refused(const char *cls, const char *config, const char *want_field,
    const char *want_reason)
{
    char  name[512];

    snprintf(name, sizeof(name), "%s %s: refused", cls, config);
    is_int(check(cls, config), -1, name);
    snprintf(name, sizeof(name), "... %s", want_field);
    is_str(field, want_field, name);
    snprintf(name, sizeof(name), "... \"%s\"", want_reason);
    like_str(reason, want_reason, name);
}

static void
accepted(const char *cls, const char *config)
{
    char  name[512];

    snprintf(name, sizeof(name), "%s %s: accepted", cls, config);
    if (!ok(check(cls, config) == 0, name)) {
        printf("#   %s: %s\n", field, reason);
    }
}

static void
test_same_adapters(void)
{
    size_t               i, n;
    json_t              *cat, *e;
    const js_adapter_t  *a;

    for (n = 0; (a = js_adapter_nth(n)) != NULL; n++) {
        ok(js_catalogue_find(a->name) != NULL
           && strcmp(js_catalogue_find(a->name)->name, a->name) == 0,
           a->name);
    }
    is_int(n, 16, "the adapter table has 16 adapters, each catalogued");

    cat = js_catalogue_json();
    ok(json_is_array(cat), "the catalogue as JSON is an array");
    is_int(json_array_size(cat), n, "... of as many adapters");
    json_array_foreach(cat, i, e) {
        ok(js_adapter_find(json_string_value(json_object_get(e, "name")))
           != NULL, "... each one an adapter");
    }
    json_decref(cat);

    ok(js_catalogue_find("HTML") == js_catalogue_find("html"),
       "find is case-blind");
    ok(js_catalogue_find("static_html") == NULL, "no such adapter: NULL");
    ok(js_catalogue_find(NULL) == NULL, "NULL: NULL");
}

/* The entry of name in the JSON, and its key named key. */
static json_t *
json_key(json_t *cat, const char *name, const char *key)
{
    size_t   i, j;
    json_t  *a, *k;

    json_array_foreach(cat, i, a) {
        if (strcmp(json_string_value(json_object_get(a, "name")), name) != 0) {
            continue;
        }
        json_array_foreach(json_object_get(a, "keys"), j, k) {
            if (strcmp(json_string_value(json_object_get(k, "name")), key)
                == 0)
            {
                return k;
            }
        }
    }
    return NULL;
}

static void
test_json(void)
{
    size_t   i, j;
    int      shaped = 1;
    json_t  *cat, *a, *k, *f;
    char    *s;

    cat = js_catalogue_json();
    json_array_foreach(cat, i, a) {
        shaped &= json_is_string(json_object_get(a, "description"))
                  && json_is_string(json_object_get(a, "source_url"))
                  && json_array_size(json_object_get(a, "keys")) > 0;
        json_array_foreach(json_object_get(a, "keys"), j, k) {
            shaped &= json_is_string(json_object_get(k, "type"))
                      && json_is_string(json_object_get(k, "description"));
        }
    }
    ok(shaped, "every adapter has a description, source_url and typed, "
       "described keys");

    k = json_key(cat, "adzuna", "results_per_page");
    s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
    is_str(s, "{\"description\":\"jobs per call (default 50)\",\"max\":50,"
           "\"min\":1,\"name\":\"results_per_page\",\"type\":\"integer\"}",
           "an integer key with its bounds, no \"required\"");
    free(s);

    k = json_key(cat, "html", "list");
    ok(json_is_true(json_object_get(k, "required")), "html: list required");
    is_str(json_string_value(json_object_get(k, "type")), "selector",
           "... a selector");
    f = json_object_get(json_key(cat, "html", "fields"), "keys");
    is_int(json_array_size(f), 10, "html: fields names its 10 keys");
    ok(json_is_true(json_object_get(json_array_get(f, 0), "required")),
       "... the first, title, required");
    is_str(json_string_value(json_object_get(json_key(cat, "html",
                                                      "selectors"),
                                             "same_as")),
           "fields", "html: selectors is fields under another name");
    ok(json_key(cat, "adzuna", "api_base") == NULL,
       "adzuna has no api_base (it would send the app key elsewhere)");
    ok(json_key(cat, "greenhouse", "currency") == NULL,
       "greenhouse reads no currency");
    ok(json_key(cat, "lever", "page_size") != NULL
       && json_key(cat, "remotive", "limit") != NULL
       && json_key(cat, "jsonld", "next") != NULL
       && json_key(cat, "atom", "max_pages") != NULL
       && json_key(cat, "workable", "exclude_keywords") != NULL,
       "adapter keys listed");
    json_decref(cat);
}

/* js_catalogue_check's answers: field NULL for a config it accepts.
 * Configs are JSON with ` for ", so that they read. */
static const struct {
    const char  *cls;
    const char  *config;
    const char  *field;
    const char  *reason;        /* the start of it */
} checks[] = {
    { "greenhouse", "[]", "config", "must be an object" },
    { "greenhouse", "{`board_token`: `andela`}", "config.board_token",
      "unknown key" },
    { "lever", "{`page_size`: `10`}", "config.page_size",
      "must be an integer from 0 to 1000" },
    { "lever", "{`page_size`: 1001}", "config.page_size",
      "must be an integer from 0 to 1000" },
    { "lever", "{`page_size`: -1}", "config.page_size",
      "must be an integer from 0 to 1000" },
    { "lever", "{`page_size`: 1.5}", "config.page_size",
      "must be an integer" },
    { "lever", "{`page_size`: 0, `max_pages`: 100}", NULL, NULL },
    { "lever", "{`page_size`: 1000, `max_pages`: 1}", NULL, NULL },
    { "lever", "{`max_pages`: 101}", "config.max_pages",
      "must be an integer from 1 to 100" },
    { "adzuna", "{`results_per_page`: 51}", "config.results_per_page",
      "must be an integer from 1 to 50" },
    { "adzuna", "{`results_per_page`: 50, `what`: `go`, `max_days_old`: 30,"
      " `full_time`: 1}", NULL, NULL },
    { "adzuna", "{`api_base`: `http://127.0.0.1:1`}", "config.api_base",
      "unknown key" },
    { "remotive", "{`search`: ``}", "config.search",
      "must be a non-empty string" },
    { "remotive", "{`search`: 5}", "config.search",
      "must be a non-empty string" },
    { "remotive", "{`include_keywords`: `go`}", "config.include_keywords",
      "must be an array of non-empty strings" },
    { "remotive", "{`include_keywords`: [`go`, ``]}",
      "config.include_keywords", "must be an array of non-empty strings" },
    { "remotive", "{`exclude_keywords`: [null]}", "config.exclude_keywords",
      "must be an array of non-empty strings" },
    { "remotive", "{`include_keywords`: [`go`], `keyword_filters`: [`c`]}",
      "config.keyword_filters", "is \"include_keywords\" under another" },
    { "remotive", "{`keyword_filters`: [`go`, `rust`], `exclude_keywords`: "
      "[`senior`], `limit`: 10000}", NULL, NULL },
    { "greenhouse", "{`api_base`: `ftp://example.com`}", "config.api_base",
      "must be an absolute http(s) URL" },
    { "greenhouse", "{`api_base`: `/gh`}", "config.api_base",
      "must be an absolute http(s) URL" },
    { "greenhouse", "{`api_base`: `http://a b.com`}", "config.api_base",
      "must be an absolute http(s) URL" },
    { "greenhouse", "{`api_base`: `http://`}", "config.api_base",
      "must be an absolute http(s) URL" },
    { "greenhouse", "{`api_base`: `http://127.0.0.1:5555/gh`}", NULL, NULL },
    { "ashby", "{`currency`: `kes`}", "config.currency",
      "must be an ISO 4217 currency code" },
    { "ashby", "{`currency`: `KESH`}", "config.currency",
      "must be an ISO 4217 currency code" },
    { "ashby", "{`currency`: `KES`}", NULL, NULL },
    { "workable", "{}", NULL, NULL },
    { "smartrecruiters", "{`page_size`: 100, `max_details`: 1000, "
      "`max_pages`: 5, `api_base`: `http://127.0.0.1:1/sr`}", NULL, NULL },
    { "smartrecruiters", "{`page_size`: 101}", "config.page_size",
      "must be an integer from 1 to 100" },
    { "smartrecruiters", "{`max_details`: -1}", "config.max_details",
      "must be an integer from 0 to 1000" },
    { "workday", "{`tenant`: `acme`, `search`: `go`, `page_size`: 20, "
      "`max_details`: 0}", NULL, NULL },
    { "workday", "{`page_size`: 21}", "config.page_size",
      "must be an integer from 1 to 20" },
    { "workday", "{`api_base`: `http://127.0.0.1:1`}", "config.api_base",
      "unknown key" },
    { "bamboohr", "{`max_details`: 10, `currency`: `KES`}", NULL, NULL },
    { "bamboohr", "{`page_size`: 10}", "config.page_size", "unknown key" },
    { "rss", "{`max_pages`: 3}", NULL, NULL },
    { "recruitee", "{`currency`: `EUR`}", NULL, NULL },
    { "recruitee", "{`api_base`: `http://127.0.0.1:1`}", "config.api_base",
      "unknown key" },
    { "personio", "{`language`: `en`}", NULL, NULL },
    { "personio", "{`language`: 1}", "config.language",
      "must be a non-empty string" },
    { "teamtailor", "{`per_page`: 100, `max_pages`: 5}", NULL, NULL },
    { "teamtailor", "{`per_page`: 101}", "config.per_page",
      "must be an integer from 1 to 100" },
    { "rss", "{`next`: `a.next`}", "config.next", "unknown key" },
    { "html", "{`fields`: {`title`: `h3`}}", "config.list", "is required" },
    { "html", "{`list`: `div.job`}", "config.fields", "is required" },
    { "html", "{`list`: `div.job`, `fields`: {`url`: `a`}}",
      "config.fields.title", "is required" },
    { "html", "{`list`: `div.job`, `fields`: `h3`}", "config.fields",
      "must be an object of selectors" },
    { "html", "{`list`: `div.job`, `fields`: {`title`: `h3`, `pay`: `p`}}",
      "config.fields.pay", "unknown key" },
    { "html", "{`list`: `div.job`, `fields`: {`title`: 3}}",
      "config.fields.title", "must be a selector" },
    { "html", "{`list`: `div.job:first-child`, `fields`: {`title`: `h3`}}",
      "config.list",
      "invalid selector: unsupported CSS \"div.job:first-child\"" },
    { "html", "{`list`: `div.job`, `fields`: {`title`: `h3 ~ p`}}",
      "config.fields.title", "invalid selector: unsupported CSS" },
    { "html", "{`list`: `div.job`, `fields`: {`title`: `h3`}, "
      "`next`: `//a[@rel='next'`}", "config.next", "invalid selector: " },
    { "html", "{`list`: `div.job`, `selectors`: {`title`: `h3`}, "
      "`fields`: {`title`: `h3`}}", "config.selectors",
      "is \"fields\" under another name: give only one" },
    { "html", "{`list`: `div.job`, `selectors`: {`title`: `h3`}}", NULL,
      NULL },
    { "html", "{`list`: `//div[@class='job-card' or @class='job']`, "
      "`fields`: {`title`: `.//h3`, `url`: `a::attr(href)`, "
      "`posted_at`: `time::attr(datetime)`, `description`: `p::text`, "
      "`remote`: `span > b`}, `next`: `a[rel=next]`, `max_pages`: 5}", NULL,
      NULL },
};

static void
test_check(void)
{
    size_t  i;

    for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        if (checks[i].field != NULL) {
            refused(checks[i].cls, checks[i].config, checks[i].field,
                    checks[i].reason);
        } else {
            accepted(checks[i].cls, checks[i].config);
        }
    }
}

/* libxml2's reason, and nothing on stderr. */
static void
test_xpath_reason(void)
{
    int     saved;
    long    size;
    FILE   *tmp = tmpfile();

    fflush(stderr);
    saved = dup(2);
    dup2(fileno(tmp), 2);
    refused("html", "{\"list\": \"//div[\", \"fields\": {\"title\": "
            "\"h3\"}}", "config.list", "invalid selector: ");
    refused("jsonld", "{\"next\": \"//a[@href\"}", "config.next",
            "invalid selector: ");
    refused("html", "{\"list\": \"div\", \"fields\": {\"title\": "
            "\"string(//h3\"}}", "config.fields.title", "invalid selector: ");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(tmp, 0, SEEK_END);
    size = ftell(tmp);
    fclose(tmp);

    check("html", "{\"list\": \"//div[\", \"fields\": {\"title\": \"h3\"}}");
    like_str(reason, " at 6 in \"//div[\"", "... the reason says where");
    ok(strstr(reason, "xpath") != NULL || strstr(reason, "Invalid") != NULL
       || strstr(reason, "Unfinished") != NULL,
       "... and what libxml2 found");
    is_int(size, 0, "libxml2 printed nothing on stderr");
}

/* Every field the catalogue gives html is one html.c compiles: an
 * invalid selector under its name fails the parse, naming it. */
static void
test_html_reads_fields(void)
{
    size_t               i;
    json_t              *cat, *f, *k;
    js_source_t          src;
    js_page_t            page;
    const char          *name, *body = "<html><body><div class=job>"
                                       "<h3>x</h3></div></body></html>";
    char                 config[256], err[256], want[64];
    const js_adapter_t  *html = js_adapter_find("html");

    cat = js_catalogue_json();
    f = json_object_get(json_key(cat, "html", "fields"), "keys");
    json_array_foreach(f, i, k) {
        name = json_string_value(json_object_get(k, "name"));
        snprintf(config, sizeof(config), "{\"list\": \"div.job\", "
                 "\"fields\": {\"title\": \"h3\", \"%s\": \"//[\"}}", name);
        memset(&src, 0, sizeof(src));
        memset(&page, 0, sizeof(page));
        src.scraper_class = "html";
        src.source_url = "https://example.com/careers";
        src.config = json_loads(config, 0, NULL);
        err[0] = '\0';
        snprintf(want, sizeof(want), "html: %s: invalid selector", name);
        is_int(html->parse(&src, src.source_url, body, strlen(body), &page,
                           err, sizeof(err)), -1, want);
        like_str(err, want, "... names the field");
        js_page_free(&page);
        json_decref(src.config);
    }
    json_decref(cat);
}

/* The config of every fixture board is one its adapter accepts. */
static void
test_fixture_configs(void)
{
    size_t      i, n;
    glob_t      g;
    json_t     *config;
    char        pattern[512], cls[64], name[600];
    const char *slash;

    snprintf(pattern, sizeof(pattern), "%s/*/config.json", fixtures);
    if (glob(pattern, 0, NULL, &g) != 0) {
        ok(0, "fixture configs found");
        return;
    }
    ok(g.gl_pathc > 0, "fixture configs found");
    for (i = 0; i < g.gl_pathc; i++) {
        slash = strrchr(g.gl_pathv[i], '/');
        n = (size_t) (slash - g.gl_pathv[i]);
        while (n > 0 && g.gl_pathv[i][n - 1] != '/') {
            n--;
        }
        snprintf(cls, sizeof(cls), "%.*s",
                 (int) (slash - g.gl_pathv[i] - (long) n),
                 g.gl_pathv[i] + n);
        config = json_load_file(g.gl_pathv[i], 0, NULL);
        snprintf(name, sizeof(name), "%s suits %s", g.gl_pathv[i], cls);
        field[0] = reason[0] = '\0';
        if (!ok(config != NULL && js_catalogue_find(cls) != NULL
                && js_catalogue_check(js_catalogue_find(cls), config, field,
                                      sizeof(field), reason,
                                      sizeof(reason)) == 0, name))
        {
            printf("#   %s: %s\n", field, reason);
        }
        json_decref(config);
    }
    globfree(&g);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        fixtures = argv[1];
    }
    test_same_adapters();
    test_json();
    test_check();
    test_xpath_reason();
    test_html_reads_fields();
    test_fixture_configs();
    return done_testing();
}
