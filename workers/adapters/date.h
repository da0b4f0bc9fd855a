/*
 * Dates (date.c).
 */

#ifndef JS_DATE_H
#define JS_DATE_H

#include <stdint.h>

/*
 * js_date_parse: ISO 8601 ("2025-06-01", "2025-06-01T10:00:00.123Z",
 * "2025-06-01T10:00:00-04:00", "2025-06-01 10:00:00") and RFC 822 /
 * 1123 ("Sun, 01 Jun 2025 10:00:00 GMT", "+0300", "EST") to Unix
 * seconds; a time without a zone is UTC; 0 when unparseable or before
 * 1990.
 */
int64_t js_date_parse(const char *s);

#endif /* JS_DATE_H */
