/*
 * Normalization shared by the source adapters: clean text from HTML,
 * absolute URLs, salaries, location type, employment type, dates, and
 * the last step of every job (js_page_take), so that every adapter
 * hands the scraper jobs of the same shape.  One file per concern, as
 * nginx splits ngx_string.c, ngx_times.c and ngx_parse.c; this header
 * includes them all.
 *
 * Every function takes hostile input: any bytes, any length.  Strings
 * returned are malloc'ed, valid UTF-8 (invalid sequences become U+FFFD)
 * and free of control characters other than '\n'.
 */

#ifndef JS_NORMALIZE_H
#define JS_NORMALIZE_H

#include "adapter.h"
#include "text.h"
#include "url.h"
#include "salary.h"
#include "location.h"
#include "date.h"
#include "page.h"
#include "json.h"

#endif /* JS_NORMALIZE_H */
