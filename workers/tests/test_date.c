/*
 * Unit tests for adapters/date.c: ISO 8601 and RFC 822 dates.
 */

#include <stddef.h>

#include "normalize.h"
#include "tap.h"

static void
test_dates(void)
{
    is_int(js_date_parse("2025-06-01T10:00:00Z"), 1748772000, "ISO Z");
    is_int(js_date_parse("2025-06-01T13:00:00.123+03:00"), 1748772000,
           "ISO with fraction and offset");
    is_int(js_date_parse("2016-01-14T10:55:28-05:00"), 1452786928,
           "Greenhouse updated_at");
    is_int(js_date_parse("2025-06-01T10:00:00"), 1748772000,
           "ISO without a zone is UTC");
    is_int(js_date_parse("2025-06-01"), 1748736000, "ISO date");
    is_int(js_date_parse("Sun, 01 Jun 2025 10:00:00 GMT"), 1748772000,
           "RFC 822 GMT");
    is_int(js_date_parse("Sun, 01 Jun 2025 06:00:00 -0400"), 1748772000,
           "RFC 822 offset");
    is_int(js_date_parse("1 Jun 2025 05:00 EST"), 1748772000,
           "RFC 822 without weekday or seconds");
    is_int(js_date_parse("2025-02-30T00:00:00Z"), 0, "Feb 30th");
    is_int(js_date_parse("2024-02-29"), 1709164800, "leap day");
    is_int(js_date_parse("1970-01-01"), 0, "before 1990");
    is_int(js_date_parse("yesterday"), 0, "prose");
    is_int(js_date_parse("2025-06-01T10:00:00Zjunk"), 0, "trailing junk");
    is_int(js_date_parse(NULL), 0, "NULL");
}

int
main(void)
{
    test_dates();
    return done_testing();
}
