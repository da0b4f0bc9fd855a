/*
 * robots.txt (lib/robots.c): the whole input is the body; its rules
 * are then read back and matched against paths taken from the body
 * itself, so that matching runs on patterns the parser just produced.
 */

#include "fuzz.h"
#include "robots.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char        *body, *rules, *p;
    const char  *paths[] = { "/", "/robots.txt", "/jobs?page=2", "",
                             "/%E2%82%AC/x$", "/a*b" };
    size_t       i;

    rules = js_robots_rules((const char *) data, size, "JobScout");
    if (rules == NULL) {
        return 0;
    }
    (void) js_robots_crawl_delay(rules);
    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        (void) js_robots_allowed(rules, paths[i]);
    }

    /* every line of the body as a path too */
    body = js_fuzz_str(data, size);
    p = body;
    while (*p != '\0') {
        (void) js_robots_allowed(rules, js_fuzz_field(&p));
    }
    free(body);
    free(rules);
    return 0;
}
