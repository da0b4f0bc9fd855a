/*
 * Unit tests for the pure parts of lib/sentry.c: DSNs, the listen
 * address, hostile datagrams, rate limits, events and envelopes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sentry.h"
#include "tap.h"

static void
test_dsn(void)
{
    char             err[128];
    js_sentry_dsn_t  d;

    ok(js_sentry_dsn_parse(&d, "https://abc123@o1.ingest.sentry.io/42",
                           err, sizeof(err)) == 0, "a sentry.io DSN");
    is_str(d.endpoint, "https://o1.ingest.sentry.io/api/42/envelope/",
           "its envelope endpoint");
    is_str(d.key, "abc123", "its public key");

    ok(js_sentry_dsn_parse(&d, "http://abcd:ef01@127.0.0.1:9000/sentry/7",
                           err, sizeof(err)) == 0, "key:secret, port, path");
    is_str(d.endpoint, "http://127.0.0.1:9000/sentry/api/7/envelope/",
           "the path kept before /api/");
    is_str(d.key, "abcd", "the secret left out");

    ok(js_sentry_dsn_parse(&d, "ftp://ab@h/1", err, sizeof(err)) != 0,
       "another scheme refused");
    ok(js_sentry_dsn_parse(&d, "https://h/1", err, sizeof(err)) != 0,
       "no key refused");
    ok(js_sentry_dsn_parse(&d, "https://zz@h/1", err, sizeof(err)) != 0,
       "a key not hex refused");
    ok(js_sentry_dsn_parse(&d, "https://ab@h/x1", err, sizeof(err)) != 0,
       "a project id not a number refused");
    ok(js_sentry_dsn_parse(&d, "https://ab@h/", err, sizeof(err)) != 0,
       "no project id refused");
    ok(js_sentry_dsn_parse(&d, "https://ab@h/1 x", err, sizeof(err)) != 0,
       "a space refused");
}

static void
test_listen(void)
{
    uint32_t  a;
    uint16_t  p;

    ok(js_sentry_listen_parse("127.0.0.1:9514", &a, &p) == 0, "loopback");
    ok(js_sentry_listen_parse("127.1.2.3:1", &a, &p) == 0, "127/8");
    ok(js_sentry_listen_parse("10.0.0.1:9514", &a, &p) != 0,
       "not loopback refused");
    ok(js_sentry_listen_parse("127.0.0.1:0", &a, &p) != 0, "port 0");
    ok(js_sentry_listen_parse("127.0.0.1:65536", &a, &p) != 0, "port big");
    ok(js_sentry_listen_parse("localhost:9514", &a, &p) != 0, "a name");
    ok(js_sentry_listen_parse("127.0.0.1", &a, &p) != 0, "no port");
}

static int
parses(const char *s)
{
    char     err[128];
    json_t  *o;

    o = js_sentry_report_parse(s, strlen(s), err, sizeof(err));
    json_decref(o);
    return o != NULL;
}

static void
test_report(void)
{
    char  big[JS_SENTRY_DATAGRAM_MAX + 2];

    ok(parses("{\"source\":\"nginx\",\"message\":\"503 unavailable\","
              "\"status\":503,\"route\":\"/v1/users/me\",\"user_id\":\"7\","
              "\"request_id\":\"a1-b2\",\"method\":\"GET\","
              "\"url\":\"/api/v1/users/me\"}"), "a module report");
    ok(parses("{\"source\":\"jobscoutd\",\"message\":\"task dead\","
              "\"role\":\"mailer\",\"task_kind\":\"mail.send\","
              "\"attempt\":5}"), "a jobscoutd report");

    ok(!parses(""), "empty");
    ok(!parses("not json"), "not JSON");
    ok(!parses("[1]"), "not an object");
    ok(!parses("{\"source\":\"nginx\"}"), "no message");
    ok(!parses("{\"message\":\"m\"}"), "no source");
    ok(!parses("{\"source\":\"php\",\"message\":\"m\"}"), "unknown source");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"m\",\"x\":1}"),
       "an unknown member");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"m\",\"message\":\"n\"}"),
       "a member twice");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"\"}"), "empty message");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"a\\nb\"}"),
       "a control character");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"a\\u0000b\"}"),
       "a NUL inside");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"m\",\"status\":200}"),
       "a status not 5xx");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"m\",\"status\":\"503\"}"),
       "a status not a number");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"m\","
               "\"user_id\":\"1 OR 1=1\"}"), "a user id not a token");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"m\",\"level\":\"x\"}"),
       "an unknown level");
    ok(!parses("{\"source\":\"nginx\",\"message\":\"\xff\"}"),
       "invalid UTF-8");

    memset(big, ' ', sizeof(big));
    memcpy(big, "{\"source\":\"nginx\",\"message\":\"m\"}", 32);
    big[sizeof(big) - 1] = '\0';
    ok(!parses(big), "over the datagram size");
}

static void
test_rate(void)
{
    int               i, n;
    char              key[16];
    js_sentry_rate_t  rl;

    memset(&rl, 0, sizeof(rl));

    for (i = 0, n = 0; i < 10; i++) {
        n += js_sentry_rate_allow(&rl, "k", 1000);
    }
    is_int(n, 3, "a key's burst is 3");
    ok(!js_sentry_rate_allow(&rl, "k", 30000), "none after 29 s");
    ok(js_sentry_rate_allow(&rl, "k", 61000), "one more after a minute");

    memset(&rl, 0, sizeof(rl));
    for (i = 0, n = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        n += js_sentry_rate_allow(&rl, key, 1000);
    }
    is_int(n, 30, "all keys together: a burst of 30");
    ok(js_sentry_rate_allow(&rl, "new", 3000), "one more after 2 s");
}

static void
test_event(void)
{
    char              err[128], *env, *nl, *nl2;
    size_t            len;
    json_t           *r, *e, *h, *item, *payload;
    js_sentry_meta_t  meta = { "jobscout@1.2.3", "test", "host1" };
    const char       *s = "{\"source\":\"nginx\",\"message\":\"503 x\","
                          "\"status\":503,\"route\":\"/v1/users/me\","
                          "\"user_id\":\"7\",\"request_id\":\"rq1\","
                          "\"method\":\"POST\","
                          "\"url\":\"/api/v1/x?access_token=secret\"}";

    r = js_sentry_report_parse(s, strlen(s), err, sizeof(err));
    e = js_sentry_event(r, &meta, "0123456789abcdef0123456789abcdef",
                        "2026-01-01T00:00:00.000Z");
    json_decref(r);

    ok(e != NULL, "an event");
    is_str(json_string_value(json_object_get(e, "platform")), "c",
           "platform c for nginx");
    is_str(json_string_value(json_object_get(e, "release")),
           "jobscout@1.2.3", "the release");
    is_str(json_string_value(json_object_get(json_object_get(e, "user"),
                                             "id")), "7", "the user id");
    is_str(json_string_value(json_object_get(json_object_get(e, "tags"),
                                             "route")), "/v1/users/me",
           "the route tag");
    is_str(json_string_value(json_object_get(json_object_get(e, "tags"),
                                             "status")), "503",
           "the status tag, a string");
    is_str(json_string_value(json_object_get(json_object_get(e, "request"),
                                             "url")), "/api/v1/x",
           "the query left out of the URL");

    env = js_sentry_envelope("https://ab@h/1", e, "2026-01-01T00:00:01Z",
                             &len);
    ok(env != NULL && strlen(env) == len, "an envelope");

    nl = strchr(env, '\n');
    nl2 = nl ? strchr(nl + 1, '\n') : NULL;
    h = nl ? json_loadb(env, nl - env, 0, NULL) : NULL;
    item = nl2 ? json_loadb(nl + 1, nl2 - nl - 1, 0, NULL) : NULL;
    is_str(json_string_value(json_object_get(h, "event_id")),
           "0123456789abcdef0123456789abcdef", "header: the event id");
    is_str(json_string_value(json_object_get(h, "dsn")), "https://ab@h/1",
           "header: the DSN");
    is_str(json_string_value(json_object_get(item, "type")), "event",
           "item: an event");
    payload = nl2 ? json_loadb(nl2 + 1,
                               json_integer_value(json_object_get(item,
                                                                  "length")),
                               0, NULL) : NULL;
    ok(json_equal(payload, e), "item: length bytes are the event");
    ok(env[len - 1] == '\n', "a newline after the payload");

    json_decref(h);
    json_decref(item);
    json_decref(payload);
    json_decref(e);
    free(env);
}

static void
test_text(void)
{
    char  buf[8];

    is_str(js_sentry_text(buf, sizeof(buf), "e: ", "a\nb"), "e: a b",
           "controls become spaces");
    is_str(js_sentry_text(buf, sizeof(buf), "", "abcd\xc3\xa9\xc3\xa9"),
           "abcd\xc3\xa9", "cut on a UTF-8 boundary");
}

int
main(void)
{
    test_dsn();
    test_listen();
    test_report();
    test_rate();
    test_event();
    test_text();
    return done_testing();
}
