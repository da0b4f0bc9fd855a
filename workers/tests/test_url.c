/*
 * Unit tests for adapters/url.c: URLs resolved, refused, and their
 * query parameters.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "tap.h"

static void
url_is(const char *base, const char *ref, const char *expected)
{
    char  *u = js_url_resolve(base, ref);
    char   name[300];

    snprintf(name, sizeof(name), "url %s + %s", base ? base : "NULL",
             ref ? ref : "NULL");
    is_str(u, expected, name);
    free(u);
}

static void
test_url(void)
{
    char  *u, *big;

    url_is("https://acme.example/careers/list?page=2", "/jobs/42",
           "https://acme.example/jobs/42");
    url_is("https://acme.example/careers/list", "job?id=7",
           "https://acme.example/careers/job?id=7");
    url_is("https://acme.example/careers/", "../apply#form",
           "https://acme.example/apply#form");
    url_is("https://acme.example/a", "//cdn.example/x",
           "https://cdn.example/x");
    url_is("https://acme.example/a", "  https://other.example/y  ",
           "https://other.example/y");
    url_is("https://acme.example/a", "javascript:alert(1)", NULL);
    url_is("https://acme.example/a", "mailto:jobs@acme.example", NULL);
    url_is("https://acme.example/a", "ftp://acme.example/f", NULL);
    url_is(NULL, "/relative", NULL);
    url_is(NULL, "http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x");
    url_is("https://acme.example/", "/jobs/caf\xC3\xA9 senior",
           "https://acme.example/jobs/caf%C3%A9%20senior");
    url_is("https://acme.example/", "/a\x01b", NULL);
    url_is("https://acme.example/", "", NULL);
    url_is("https://acme.example/", NULL, NULL);

    big = malloc(5000);
    memset(big, 'a', 4999);
    big[4999] = '\0';
    memcpy(big, "https://x.example/", 18);
    u = js_url_resolve(NULL, big);
    is_str(u, NULL, "a 5000-byte URL is refused");
    free(u);
    free(big);

    u = js_url_set_param("http://h/p?a=1&skip=0&b=2#f", "skip", "100");
    is_str(u, "http://h/p?a=1&skip=100&b=2#f", "param replaced");
    free(u);
    u = js_url_set_param("http://h/p", "q", "a b&c");
    is_str(u, "http://h/p?q=a%20b%26c", "param appended, escaped");
    free(u);
    u = js_url_strip_tracking("https://acme.example/jobs/7?utm_source=li"
                              "&id=7&UTM_Medium=x&gh_src=ab1&trk=feed"
                              "&refId=9&trackingId=Zq%3D%3D&gclid=1"
                              "&fbclid=2&mc_cid=3&mc_eid=4#apply");
    is_str(u, "https://acme.example/jobs/7?id=7#apply",
           "tracking parameters dropped, the rest and the fragment kept");
    free(u);
    u = js_url_strip_tracking("https://h/j?utm_campaign=a&lever-source=b");
    is_str(u, "https://h/j", "no parameter left: no '?'");
    free(u);
    u = js_url_strip_tracking("https://h/j?source=li&src=x&ref=list&utm=1"
                              "&utm_=2&trkx=3&&#f?utm_source=y");
    is_str(u, "https://h/j?source=li&src=x&ref=list&utm=1&utm_=2&trkx=3&&"
           "#f?utm_source=y", "generic names, look-alikes and the "
           "fragment are kept, the URL unchanged");
    free(u);
    u = js_url_strip_tracking("https://h/j?a=1&&gh_src=x&");
    is_str(u, "https://h/j?a=1", "empty parameters go with a dropped one");
    free(u);
    u = js_url_strip_tracking("https://h/j");
    is_str(u, "https://h/j", "no query");
    free(u);

    u = js_url_set_param("http://h/p?x=1", "q", "v");
    is_str(u, "http://h/p?x=1&q=v", "param appended after others");
    free(u);
}

int
main(void)
{
    test_url();
    return done_testing();
}
