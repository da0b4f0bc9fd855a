/*
 * Text and URL normalization (adapters/text.c, adapters/url.c,
 * adapters/location.c): the input as HTML, plain text, a one-line field,
 * entities, and a URL resolved against a base (the first line) or as a
 * base itself.
 */

#include "fuzz.h"
#include "normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char  *s, *p, *base, *ref, *r;

    free(js_html_to_text((const char *) data, size, 1000));
    free(js_plain_to_text((const char *) data, size, 1000));
    free(js_text_line((const char *) data, size, 100));
    free(js_entities_decode((const char *) data, size));

    s = js_fuzz_str(data, size);
    (void) js_location_type(s, s, s);
    (void) js_employment_type(s);

    p = s;
    base = js_fuzz_field(&p);
    ref = p;
    free(js_url_resolve(base, ref));
    free(js_url_resolve("https://example.com/a/b?c=d", s));
    r = js_url_set_param("https://example.com/jobs?page=1", base, ref);
    free(r);
    free(js_url_escape(s));
    free(js_url_strip_tracking(s));
    free(s);
    return 0;
}
