/*
 * Pages (page.c): the last step of every job an adapter builds, the
 * source's keyword filters, skills, and the next page to fetch.
 */

#ifndef JS_PAGE_H
#define JS_PAGE_H

#include <jansson.h>

#include "adapter.h"

#define JS_ID_MAX            2048    /* longer ids are refused: some ids
                                        are URLs */

/* A page holds at most this many jobs; later ones are skipped. */
#define JS_PAGE_MAX_JOBS     10000
/* Pagination stops after this many pages unless config says less. */
#define JS_MAX_PAGES         20

/* Keyword match, word-wise and case-insensitive: 1 when one of the
 * words sequences of kw (a JSON array of strings) occurs in text. */
int js_keywords_match(const char *text, json_t *kw);

/* Adds a skill tag (trimmed, lower case, deduplicated, at most 50 of
 * 64 bytes); 0 or -1 when out of memory. */
int js_job_add_skill(js_job_t *job, const char *skill);

/*
 * The last step of every job an adapter builds: moves *job into page
 * (1) or frees it (0).  Skipped: no external_id (or longer than
 * JS_ID_MAX), no title, no valid apply_url, an external_id already in
 * the page, a full page, or a title that fails the source's keyword
 * filters: config "include_keywords" (or seed 004's "keyword_filters")
 * and "exclude_keywords".  Fills location_type from location and title
 * when the adapter left it NULL.  -1 when out of memory.
 */
int js_page_take(js_page_t *page, const js_source_t *src, js_job_t *job);

/* Replaces page->next_url with url (owned; NULL ends), refusing the
 * URL just fetched and stopping after max_pages. */
void js_page_set_next(js_page_t *page, const char *fetched, char *url,
    unsigned max_pages);

#endif /* JS_PAGE_H */
