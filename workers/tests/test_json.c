/*
 * Unit tests for adapters/json.c: a source's first URL and its config.
 */

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "normalize.h"
#include "tap.h"

static void
test_endpoint(void)
{
    js_source_t  src;
    char        *url, err[256];

    memset(&src, 0, sizeof(src));
    src.config = json_object();

    src.source_url = "acme";
    ok(js_source_endpoint(&src, "https://boards.example", "/v1/boards/",
                          "/jobs", &url, err, sizeof(err)) == 0,
       "a token");
    is_str(url, "https://boards.example/v1/boards/acme/jobs",
           "default base");
    free(url);

    json_object_set_new(src.config, "api_base",
                        json_string("http://127.0.0.1:9/"));
    js_source_endpoint(&src, "https://boards.example", "/v1/boards/",
                       "/jobs", &url, err, sizeof(err));
    is_str(url, "http://127.0.0.1:9/v1/boards/acme/jobs", "api_base");
    free(url);

    src.source_url = "http://127.0.0.1:9/custom?x=1";
    js_source_endpoint(&src, "https://b", "/", "", &url, err, sizeof(err));
    is_str(url, "http://127.0.0.1:9/custom?x=1", "a URL is verbatim");
    free(url);

    src.source_url = "../etc/passwd?";
    is_int(js_source_endpoint(&src, "https://b", "/", "", &url, err,
                              sizeof(err)), -1, "a bad token");
    like_str(err, "board token", "error says why");

    src.source_url = NULL;
    is_int(js_source_endpoint(&src, "https://b", "/", "", &url, err,
                              sizeof(err)), -1, "no source_url");

    json_object_set_new(src.config, "max_pages", json_string("7"));
    is_int(js_config_max_pages(&src), 7, "max_pages from a string");
    json_object_set_new(src.config, "max_pages", json_integer(100000));
    is_int(js_config_max_pages(&src), 100, "max_pages capped");
    json_decref(src.config);
}

int
main(void)
{
    test_endpoint();
    return done_testing();
}
