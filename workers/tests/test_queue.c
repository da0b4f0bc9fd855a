/*
 * Unit tests for the pure parts of lib/queue.c: backoff with jitter,
 * task parsing, and the payload a failed task is stored with.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "queue.h"
#include "tap.h"

static void
test_backoff(void)
{
    int      i, in_range = 1;
    int64_t  d;

    /* rnd 0 gives the floor d/2 + d%2, rnd = d/2 the ceiling d. */
    is_int(js_queue_backoff(1, 1000, 60000, 0), 500, "1st retry, low");
    is_int(js_queue_backoff(1, 1000, 60000, 500), 1000, "1st retry, high");
    is_int(js_queue_backoff(2, 1000, 60000, 1000), 2000, "2nd doubles");
    is_int(js_queue_backoff(3, 1000, 60000, 2000), 4000, "3rd doubles");
    is_int(js_queue_backoff(7, 1000, 60000, 30000), 60000, "capped at max");
    is_int(js_queue_backoff(7, 1000, 60000, 0), 30000, "cap, low half");
    is_int(js_queue_backoff(1000000, 1000, 900000, 450000), 900000,
           "a huge attempt does not overflow");
    is_int(js_queue_backoff(0, 1000, 60000, 500), 1000,
           "attempt 0 counts as the first");
    is_int(js_queue_backoff(1, 0, 0, 7), 1, "zero min becomes 1 ms");
    is_int(js_queue_backoff(5, 100, 50, 0), 50, "max below min: min wins");

    for (i = 0; i < 1000; i++) {
        d = js_queue_backoff(4, 250, 10000, (uint32_t) rand());
        if (d < 1000 || d > 2000) {
            in_range = 0;
        }
    }
    ok(in_range, "jitter stays in [d/2, d]");
}

/* err is 256 bytes in every caller. */
static int
parse(js_task_t *t, const char *s, char *err)
{
    return js_task_parse(t, s, strlen(s), err, 256);
}

static void
test_parse(void)
{
    char        err[256];
    js_task_t   t;
    const char *good = "{\"id\":\"00112233445566778899aabbccddeeff\","
                       "\"kind\":\"mail.verify_email\",\"args\":{\"to\":"
                       "\"a@b.c\"},\"attempt\":2,\"enqueued_at\":1}";

    is_int(js_task_parse(&t, good, strlen(good), err, sizeof(err)), 0,
           "a valid task parses");
    is_str(t.id, "00112233445566778899aabbccddeeff", "id");
    is_str(t.kind, "mail.verify_email", "kind");
    is_int(t.attempt, 2, "attempt");
    is_str(json_string_value(json_object_get(t.args, "to")), "a@b.c",
           "args");
    is_str(t.raw, good, "the raw bytes are kept for LREM");
    js_task_free(&t);

    is_int(parse(&t, "{\"id\":\"1\",\"kind\":\"k\",\"args\":{}}", err),
           0, "attempt is optional");
    is_int(t.attempt, 0, "... and then 0");
    js_task_free(&t);

    is_int(js_task_parse(&t, "nope", 4, err, sizeof(err)), -1, "not JSON");
    like_str(err, "not JSON", "... says so");
    ok(t.raw != NULL && t.json == NULL, "... raw kept for the dead letter");
    js_task_free(&t);

    is_int(parse(&t, "{\"id\":1,\"kind\":\"k\",\"args\":{}}", err), -1,
           "id must be a string");
    js_task_free(&t);

    is_int(parse(&t, "{\"id\":\"1\",\"kind\":\"k\",\"args\":[]}", err),
           -1, "args must be an object");
    js_task_free(&t);

    is_int(parse(&t, "{\"id\":\"1\",\"kind\":\"k\",\"args\":{},"
                 "\"attempt\":-1}", err), -1, "negative attempt");
    like_str(err, "attempt", "... named");
    js_task_free(&t);

    is_int(parse(&t, "{\"id\":\"1\",\"id\":\"2\",\"kind\":\"k\","
                 "\"args\":{}}", err), -1, "duplicate keys are refused");
    js_task_free(&t);

    is_int(js_task_parse(&t, "{\"a\"\0}", 6, err, sizeof(err)), -1,
           "a NUL byte is refused");
    js_task_free(&t);
}

static void
test_failed_payload(void)
{
    char        err[256], *s, big[3000];
    json_t     *o;
    js_task_t   t;
    const char *good = "{\"id\":\"ab\",\"kind\":\"mail.verify_email\","
                       "\"args\":{\"to\":\"a@b.c\"},\"attempt\":1,"
                       "\"enqueued_at\":5}";

    js_task_parse(&t, good, strlen(good), err, sizeof(err));

    s = js_task_failed_payload(&t, "jobscout:queue:mail", "smtp: refused",
                               0);
    o = s ? json_loads(s, 0, NULL) : NULL;
    ok(o != NULL, "retry payload is JSON");
    is_int(json_integer_value(json_object_get(o, "attempt")), 2,
           "attempt incremented");
    is_str(json_string_value(json_object_get(o, "queue")),
           "jobscout:queue:mail", "queue recorded");
    is_str(json_string_value(json_object_get(o, "error")), "smtp: refused",
           "error recorded");
    ok(json_object_get(o, "failed_at") == NULL, "no failed_at on a retry");
    is_str(json_string_value(json_object_get(o, "id")), "ab", "id kept");
    is_int(json_integer_value(json_object_get(o, "enqueued_at")), 5,
           "enqueued_at kept");
    json_decref(o);
    free(s);

    /* A long error is cut at a character boundary: "é" is 2 bytes. */
    memset(big, 'x', sizeof(big));
    memcpy(big + JS_QUEUE_ERROR_MAX - 1, "\xc3\xa9", 2);
    big[sizeof(big) - 1] = '\0';
    s = js_task_failed_payload(&t, "jobscout:queue:mail", big, 1234);
    o = s ? json_loads(s, 0, NULL) : NULL;
    ok(o != NULL, "dead payload with a long UTF-8 error is JSON");
    is_int(strlen(json_string_value(json_object_get(o, "error"))),
           JS_QUEUE_ERROR_MAX - 1, "error truncated before the character");
    is_int(json_integer_value(json_object_get(o, "failed_at")), 1234,
           "failed_at recorded");
    json_decref(o);
    free(s);
    js_task_free(&t);

    js_task_parse(&t, "garbage\xff", 8, err, sizeof(err));
    s = js_task_failed_payload(&t, "jobscout:queue:mail", err, 1);
    o = s ? json_loads(s, 0, NULL) : NULL;
    ok(o != NULL, "a non-JSON task is wrapped");
    is_str(json_string_value(json_object_get(o, "raw")), "garbage?",
           "... in \"raw\", non-UTF-8 bytes replaced");
    json_decref(o);
    free(s);
    js_task_free(&t);
}

int
main(void)
{
    srand(42);

    test_backoff();
    test_parse();
    test_failed_payload();

    return done_testing();
}
