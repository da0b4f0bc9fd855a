/*
 * The sentry role's datagrams (lib/sentry.c): anyone on the machine may
 * send one, so each is parsed, and when valid made an event and an
 * envelope; the same bytes as a DSN.
 */

#include "fuzz.h"
#include "sentry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char              err[128], key[160], *s, *env;
    size_t            len;
    json_t           *report, *event;
    js_sentry_dsn_t   dsn;
    js_sentry_meta_t  meta = { "jobscout@0.1.0", "fuzz", "host" };

    report = js_sentry_report_parse((const char *) data, size, err,
                                    sizeof(err));
    if (report != NULL) {
        (void) js_sentry_rate_key(report, key, sizeof(key));
        event = js_sentry_event(report, &meta,
                                "0123456789abcdef0123456789abcdef",
                                "2026-01-01T00:00:00.000Z");
        env = event ? js_sentry_envelope("https://ab@h/1", event,
                                         "2026-01-01T00:00:00.000Z", &len)
                    : NULL;
        free(env);
        json_decref(event);
        json_decref(report);
    }

    s = js_fuzz_str(data, size);
    (void) js_sentry_dsn_parse(&dsn, s, err, sizeof(err));
    free(s);
    return 0;
}
