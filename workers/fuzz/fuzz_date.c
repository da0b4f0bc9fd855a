/*
 * Date parsing (adapters/date.c): ISO 8601 and RFC 822 / 1123.
 */

#include "fuzz.h"
#include "normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char  *s = js_fuzz_str(data, size);

    (void) js_date_parse(s);
    free(s);
    return 0;
}
